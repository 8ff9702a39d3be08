"""Templates and numbering shown with Chinese names (#17.11), stored as before."""

import pytest

from desktop.domain import placeholders
from desktop.domain.placeholders import from_chinese, to_chinese, unknown_names
from desktop.services import agency, letters


def test_one_table_names_every_placeholder_once():
    assert set(placeholders.NAMES) == letters.KNOWN_PLACEHOLDERS | {"year", "seq", "prefix", "reconsideration_body",
                                                                   "court"}
    assert len(set(placeholders.NAMES.values())) == len(placeholders.NAMES)
    grouped = [k for _title, keys in placeholders.LETTER_GROUPS for k in keys]
    assert sorted(grouped) == sorted(set(grouped)) and set(grouped) <= set(placeholders.NAMES)
    assert set(grouped) >= letters.KNOWN_PLACEHOLDERS - {"refusal_ground", "refusal_reason"}


@pytest.mark.parametrize("key", [k for k, _name in letters.template_kinds()])
def test_every_default_template_reads_in_names_and_comes_back_unchanged(key):
    stored = letters.default_template(key)
    shown = to_chinese(stored)
    assert "{" not in shown and "}" not in shown
    assert from_chinese(shown) == stored


def test_numbering_and_remedy_settings_read_in_names():
    assert to_chinese("{year}-{seq:05d}") == "【年份】-【序号（5位）】"
    assert to_chinese(agency.DEFAULT_SETTINGS["doc_no_receipt"]) == "【机关代字】收〔【年份】〕【序号】号"
    assert to_chinese("{prefix}（{year}）第{seq}号") == "【机关代字】（【年份】）第【序号】号"
    assert "【行政复议机关】" in to_chinese(agency.DEFAULT_SETTINGS["remedy_general"])
    for key in agency.SETTING_NAMES:
        stored = agency.DEFAULT_SETTINGS[key]
        assert "{" not in to_chinese(stored) and from_chinese(to_chinese(stored)) == stored, key
    assert from_chinese("【年份】-【序号（6位）】") == "{year}-{seq:06d}"


def test_what_is_typed_prints_as_typed():
    assert from_chinese("请于{三日}内【申请人】【请填写】") == "请于{{三日}}内{applicant_name}【请填写】"
    assert from_chinese("请于{三日}内").format() == "请于{三日}内"
    assert unknown_names("【申请人】【申请人姓名】【申请人姓名】【 】") == ["【申请人姓名】", "【 】"]
    assert to_chinese("{applicant_name!r}{unknown}") == "{applicant_name!r}{unknown}"  # kept as stored
    assert to_chinese("{broken") == "{broken"


def test_setting_messages_and_examples_use_the_names():
    assert agency.check_setting("case_no_pattern", "{year}-") == "必须包含【序号】"
    assert agency.check_setting("doc_no_reply", "{prefix}{oops}") == "格式错误：只能插入【机关代字】、【年份】、【序号】"
    assert agency.check_setting("remedy_general", "可以申请复议。") == "必须写明行政复议机关【行政复议机关】"
    settings = {"doc_no_prefix": "津民公开", "reconsideration_body": "天津市人民政府", "court": "和平区人民法院"}
    assert agency.setting_example("doc_no_reply", "{prefix}〔{year}〕{seq}号", settings) == "津民公开〔2026〕12号"
    assert agency.setting_example("case_no_pattern", "{year}-{seq:05d}", settings) == "2026-00012"
    assert agency.setting_example("agency_name", "某局", settings) is None
    assert agency.check_setting("seal_image", "/nowhere/seal.png") == "找不到图片文件：/nowhere/seal.png"
    assert agency.check_setting("seal_image", "seal.gif") == "应为PNG或JPG图片"
