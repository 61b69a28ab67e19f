"""The SMS port's request signing and configuration (issue 13 item 8), no database."""
import hashlib
import hmac
import json

import pytest

from hotline.core import sms
from hotline.core.config import ConfigError

BODY = json.dumps({"phone_numbers": ["13800000001"], "content": "测试"},
                  ensure_ascii=False).encode()


def _independent(secret, ts, nonce, body):
    """The provider's side, written out here rather than calling the code under test."""
    msg = ts.encode() + b"\n" + nonce.encode() + b"\n" + body
    return "sha256=" + hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def test_signature_is_hmac_sha256_over_timestamp_nonce_and_body():
    got = sms.sign_request("SK-secret", "1700000000", "n0nce", BODY)
    assert got == _independent("SK-secret", "1700000000", "n0nce", BODY)
    # each part is covered: changing any one changes the signature
    assert got != sms.sign_request("SK-secret", "1700000001", "n0nce", BODY)
    assert got != sms.sign_request("SK-secret", "1700000000", "n0nce2", BODY)
    assert got != sms.sign_request("SK-secret", "1700000000", "n0nce", BODY + b" ")
    assert got != sms.sign_request("SK-other", "1700000000", "n0nce", BODY)


def test_signed_headers_verify_and_every_forgery_is_refused():
    h = sms.signed_headers("AK1", "SK-secret", BODY, timestamp="1700000000", nonce="abc")
    assert h["X-Sms-Access-Key"] == "AK1" and h["X-Sms-Nonce"] == "abc"
    sms.verify_signed(h, BODY, "AK1", "SK-secret", now=1700000000 + 10)   # no raise
    forged = [
        (h, BODY + b"x", "AK1", "SK-secret", 1700000000),                # body changed
        (h, BODY, "AK1", "SK-wrong", 1700000000),                        # other secret
        (h, BODY, "AK2", "SK-secret", 1700000000),                       # other key
        (h, BODY, "AK1", "SK-secret", 1700000000 + sms.RECEIPT_MAX_SKEW + 1),   # replayed
        ({**h, "X-Sms-Nonce": ""}, BODY, "AK1", "SK-secret", 1700000000),
        ({**h, "X-Sms-Timestamp": "yesterday"}, BODY, "AK1", "SK-secret", 1700000000),
        ({k: v for k, v in h.items() if k != "X-Sms-Signature"}, BODY, "AK1", "SK-secret",
         1700000000),
    ]
    for headers, body, key, secret, now in forged:
        with pytest.raises(sms.BadSignature):
            sms.verify_signed(headers, body, key, secret, now=now)


def test_template_or_plain_content_in_the_request_body():
    msg = sms.OutgoingSms("survey-sms-7", "survey", "13800000001", None, "正文 /s/tok",
                          {"number": "DG1", "link": "https://x/s/tok"})
    plain = json.loads(sms.HttpGateway("http://p", "AK", "SK").request_body(msg))
    assert plain == {"phone_numbers": ["13800000001"], "sign_name": "东莞12345",
                     "out_id": "survey-sms-7", "content": "正文 /s/tok"}
    tpl = json.loads(sms.HttpGateway("http://p", "AK", "SK", templates={"survey": "SMS_1"})
                     .request_body(msg))
    assert tpl["template_code"] == "SMS_1" and tpl["template_param"]["number"] == "DG1"
    assert "content" not in tpl


def test_adapter_chosen_by_environment_with_named_errors():
    assert isinstance(sms.setup_from_env({}).gateway, sms.EmbeddedGateway)
    g = sms.setup_from_env({"HOTLINE_SMS": "http", "HOTLINE_SMS_URL": "http://p/send",
                            "HOTLINE_SMS_ACCESS_KEY_ID": "AK",
                            "HOTLINE_SMS_ACCESS_KEY_SECRET": "SK",
                            "HOTLINE_SMS_TEMPLATES": "survey=SMS_1, sla=SMS_2"}).gateway
    assert isinstance(g, sms.HttpGateway)
    assert (g.url, g.access_key, g.templates) == ("http://p/send", "AK",
                                                  {"survey": "SMS_1", "sla": "SMS_2"})
    assert g.callback_secret == "SK"
    with pytest.raises(ConfigError, match="HOTLINE_SMS_URL"):
        sms.setup_from_env({"HOTLINE_SMS": "http"})
    with pytest.raises(ConfigError, match="HOTLINE_SMS:"):
        sms.setup_from_env({"HOTLINE_SMS": "aliyun"})
    with pytest.raises(ConfigError, match="HOTLINE_SMS_TEMPLATES"):
        sms.setup_from_env({"HOTLINE_SMS": "http", "HOTLINE_SMS_URL": "u",
                            "HOTLINE_SMS_ACCESS_KEY_ID": "a",
                            "HOTLINE_SMS_ACCESS_KEY_SECRET": "s",
                            "HOTLINE_SMS_TEMPLATES": "wechat=T1"})


def test_log_text_masks_the_link_token():
    assert sms.mask_body("请点击 https://h/s/AbC_d-1 评价") == "请点击 https://h/s/****** 评价"
