"""Small builders shared by the tests."""


def person_form(**overrides):
    form = {
        "applicant_type": "自然人", "name": "王喆", "id_type": "居民身份证",
        "id_number": "11010519491231002X", "phone": "13812345678", "channel": "当面",
        "received_on": "2026-09-15", "request_text": "申请公开2025年度养老机构补贴发放明细",
    }
    form.update(overrides)
    return form
