"""Checks of identity numbers and contact details, with messages naming what is wrong.

Each check returns ``None`` when the value is valid, else a short Chinese message that the
caller prefixes with the field name.
"""

from __future__ import annotations

import re
from datetime import date
from operator import mul

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(-\d{1,6})?$")
_SHORT_SERVICE = re.compile(r"^(12345|[1-9]\d{6,7})$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits."""
    if len(first17) != 17:
        raise ValueError("17 characters expected")
    total = sum(map(mul, map(int, first17), _ID_WEIGHTS))  # (checked by the hundred thousand in an import)
    return _ID_CHECK[total % 11]


def check_resident_id(value: str, today: date | None = None) -> str | None:
    """GB 11643 18-digit resident ID: digits, a real past birth date, the check character."""
    value = value.strip().upper()
    if len(value) != 18:
        return f"应为18位，现为{len(value)}位"
    if not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        return "前17位应为数字，最后一位为数字或X"
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return f"出生日期{value[6:14]}不是有效日期"
    today = today or date.today()
    if born > today or born.year < 1900:
        return f"出生日期{born.isoformat()}不合理"
    expected = resident_id_check_char(value[:17])
    if value[17] != expected:
        return f"校验位错误（应为{expected}），请核对号码"
    return None


def credit_code_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    if len(first17) != 17:
        raise ValueError("17 characters expected")
    total = sum(map(mul, map(_USCC_ALPHABET.index, first17), _USCC_WEIGHTS))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def check_credit_code(value: str) -> str | None:
    """GB 32100 unified social credit code: 18 characters of the code alphabet and the check."""
    value = value.strip().upper()
    if len(value) != 18:
        return f"应为18位，现为{len(value)}位"
    bad = sorted({c for c in value if c not in _USCC_ALPHABET})
    if bad:
        return f"含有不允许的字符：{''.join(bad)}（不使用I、O、Z、S、V）"
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        return f"校验位错误（应为{expected}），请核对代码"
    return None


def check_phone(value: str) -> str | None:
    """A mainland mobile number, a landline with area code, or a short service number."""
    compact = re.sub(r"[\s()（）]", "", value.strip())
    if compact.startswith("+86"):
        compact = compact[3:]
    if _MOBILE.match(compact) or _LANDLINE.match(compact) or _SHORT_SERVICE.match(compact):
        return None
    return "应为11位手机号或带区号的固定电话（如022-23456789）"


def check_email(value: str) -> str | None:
    if _EMAIL.match(value.strip()):
        return None
    return "格式不正确（应如 name@example.com）"


ID_TYPES_PERSON = (
    "居民身份证",
    "护照",
    "港澳居民来往内地通行证",
    "台湾居民来往大陆通行证",
    "外国人永久居留身份证",
    "其他",
)
ID_TYPE_CREDIT_CODE = "统一社会信用代码"


def check_id_number(id_type: str | None, value: str) -> str | None:
    """Check a number according to its document type; types without a rule only need text."""
    if id_type == "居民身份证":
        return check_resident_id(value)
    if id_type == ID_TYPE_CREDIT_CODE:
        return check_credit_code(value)
    if len(value.strip()) > 40:
        return "过长（最多40个字符）"
    return None


def mask_id_number(value: str | None) -> str | None:
    """A resident ID shown as 110105********002X (birth date hidden); other numbers keep their ends."""
    if not value:
        return value
    if len(value) == 18:
        return value[:6] + "*" * 8 + value[-4:]
    keep = max(1, len(value) // 4)
    return value[:keep] + "*" * (len(value) - 2 * keep) + value[-keep:]


def mask_phone(value: str | None) -> str | None:
    """138****5678; a landline keeps its area code and last two digits."""
    if not value:
        return value
    digits = value.replace(" ", "")
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    return digits[:max(len(digits) - 6, 1)] + "****" + digits[-2:]
