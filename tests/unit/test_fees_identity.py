from datetime import date

import pytest

from desktop.domain import fees, identity


def test_fee_examples_of_the_measures():
    assert fees.fee_for_nth_application(45) == 300
    assert fees.total_for_applications(45) == 5500
    assert fees.total_for_pages(250) == 4700


@pytest.mark.parametrize("n, fee", [(1, 0), (10, 0), (11, 100), (30, 100), (31, 200), (40, 200),
                                    (41, 300), (51, 400)])
def test_per_application_tiers(n, fee):
    assert fees.quote_per_application(n).amount == fee


@pytest.mark.parametrize("pages, fee", [(30, 0), (31, 10), (100, 700), (101, 720), (200, 2700), (201, 2740)])
def test_per_page_is_progressive(pages, fee):
    assert fees.quote_per_page(pages).amount == fee


def test_quote_names_the_tier():
    assert fees.quote_per_application(45).tier == "第41至50件，每件300元"
    assert fees.quote_per_page(250).tier == "201页以上部分，每页40元"


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "440524198001010013"])
def test_valid_resident_ids(number):
    assert identity.check_resident_id(number) is None


@pytest.mark.parametrize("number, fragment", [
    ("110105194912310021", "校验位错误（应为X）"),
    ("11010519491331002X", "出生日期19491331不是有效日期"),
    ("1101051949123100", "应为18位，现为16位"),
    ("11010520991231002X", "不合理"),
    ("1101051949123100AX", "前17位应为数字"),
])
def test_invalid_resident_ids(number, fragment):
    message = identity.check_resident_id(number, today=date(2026, 11, 20))
    assert message is not None and fragment in message


def test_credit_codes():
    assert identity.check_credit_code("91350100M000100Y43") is None
    assert "校验位错误" in identity.check_credit_code("91350100M000100Y44")
    assert "不允许的字符：IO" in identity.check_credit_code("91350100M0001I0O43")
    assert identity.check_credit_code("9135") == "应为18位，现为4位"


@pytest.mark.parametrize("phone, ok", [("13812345678", True), ("022-23456789", True), ("02223456789", True),
                                       ("+86 138 1234 5678", True), ("12345", True), ("1381234567", False),
                                       ("abc", False)])
def test_phone(phone, ok):
    assert (identity.check_phone(phone) is None) == ok


def test_email():
    assert identity.check_email("a.b@example.com.cn") is None
    assert identity.check_email("a@b") is not None


def test_what_belongs_to_the_other_kind_of_applicant_is_not_kept():
    from datetime import date

    from desktop.domain import application
    from tests.helpers import person_form

    form = person_form(legal_rep="张三\u202e", contact_person="李四", work_unit="某局")
    assert application.validate(form, date(2026, 11, 20)) == []  # a hidden field's content is not judged
    stored = application.normalise(form)
    assert (stored["legal_rep"], stored["contact_person"], stored["work_unit"]) == (None, None, "某局")
    org = application.normalise(person_form(applicant_type="商业企业", id_number="", work_unit="某局",
                                            legal_rep="张三"))
    assert (org["work_unit"], org["legal_rep"]) == (None, "张三")
