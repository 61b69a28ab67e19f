"""The masking rule of published text (issue 12 finding 7): phones, ID-card numbers and
e-mail addresses in the forms citizens write them."""
import pytest

from hotline.privacy.domain.redaction import EMAIL, ID_CARD, PHONE, mask_personal_data


@pytest.mark.parametrize("raw,masked", [
    # mainland mobiles, with spaces, dashes, a country code, full-width digits
    ("电话13800138000谢谢", f"电话{PHONE}谢谢"),
    ("请回电 138 0013 8000 。", f"请回电 {PHONE} 。"),
    ("138-0013-8000", PHONE),
    ("1380 013 8000", PHONE),
    ("+86 139-1234-5678", PHONE),
    ("0086 19912345678", PHONE),
    ("手机：１３８００１３８０００", f"手机：{PHONE}"),
    ("１３８－００１３－８０００", PHONE),
    # landlines with an area code, with an extension
    ("0769-22345678", PHONE),
    ("0769 2234 5678", PHONE),
    ("(0769)22345678", PHONE),
    ("（0769）22345678", PHONE),
    ("0755-8123456", PHONE),
    ("020-81234567", PHONE),
    ("076922345678", PHONE),
    ("0769-22345678-123", PHONE),
    ("０７６９－２２３４５６７８", PHONE),
    # ID-card numbers: 18 digits (X), 15 digits, grouped
    ("身份证44190019900101123X号", f"身份证{ID_CARD}号"),
    ("441900199001011234", ID_CARD),
    ("44190019900101123x", ID_CARD),
    ("441900 19900101 1234", ID_CARD),
    ("４４１９００１９９００１０１１２３Ｘ", ID_CARD),
    ("441900900101123", ID_CARD),
    # e-mail addresses
    ("邮箱 li.ming@example.cn 。", f"邮箱 {EMAIL} 。"),
    ("13800138000@qq.com", EMAIL),
    ("Wang_Wu+hotline@mail.dg.gov.cn", EMAIL),
    ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ", EMAIL),
])
def test_personal_data_is_masked(raw, masked):
    assert mask_personal_data(raw) == masked


@pytest.mark.parametrize("text", [
    "东城大道 88 号 3 栋 1201 房", "2026-11-27 下午 3 点", "12345 热线", "金额 1380 元",
    "编号 DG20261127000123", "面积 120 平方米, 共 15 户", "单号 2026112700012",
    "路灯已经连续三晚不亮", "", None, "电话 22345678 (无区号不算)", "1 3 8 层"])
def test_ordinary_text_is_left_alone(text):
    assert mask_personal_data(text) == text


def test_several_in_one_text_and_nothing_left_behind():
    text = ("联系 138 0013 8000 或 0769-22345678, 身份证 44190019900101123X, "
            "邮箱 li@example.cn, 再次 13912345678")
    out = mask_personal_data(text)
    assert out == (f"联系 {PHONE} 或 {PHONE}, 身份证 {ID_CARD}, 邮箱 {EMAIL}, 再次 {PHONE}")
    assert not any(ch.isdigit() for ch in out)


def test_longer_digit_runs_are_not_cut_into_phones():
    # a 20-digit run is no phone and no ID; it is left whole rather than half masked
    assert mask_personal_data("12345678901234567890") == "12345678901234567890"
