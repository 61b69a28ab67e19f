"""Mask personal data inside free text before it is published (issue 12 finding 7).

A pure function, no framework: the Open311 public feed runs every description, address and
status note through `mask_personal_data`. Staff keep seeing the text as written; only what
leaves the house is masked (个人信息保护法: publish no personal information without consent).

What counts, in the order it is masked (an address holding digits goes whole, and a phone
pattern never eats part of an ID number):
- e-mail addresses;
- resident ID numbers: 18 digits (the last may be X) or the old 15 digits, also written in
  6-8-4 groups with spaces or dashes;
- mainland mobile numbers: 1[3-9] and 9 more digits, with or without +86/0086, spaces or
  dashes anywhere between the digits (138 0013 8000, 138-0013-8000);
- landlines with an area code: 0 + 2-3 digits, then 7-8 digits (0769-22345678,
  (0769) 2234 5678, 076922345678), with an optional extension (-123 / 转123).
Full-width digits and signs (１３８…, ＠, －, （）) are read as their ASCII forms. A bare 7-8
digit local number without an area code is left alone: it cannot be told from a count,
an amount or a date.
"""
from __future__ import annotations

import re

PHONE = "[电话已隐藏]"
ID_CARD = "[证件号已隐藏]"
EMAIL = "[邮箱已隐藏]"

# Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space map one character to
# one character, so a match found in the folded text has the same span in the original.
_FOLD = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_SEP = r"[ \-\u2010-\u2015]?"           # one optional space or dash between two digits
_ID = re.compile(
    r"(?<![0-9A-Za-z])(?:\d{6}[ -]?\d{8}[ -]?\d{3}[0-9Xx]|\d{15})(?![0-9A-Za-z])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_MOBILE = re.compile(
    r"(?<![0-9])(?:(?:\+|00)?86" + _SEP + r")?1" + _SEP + r"[3-9](?:" + _SEP + r"\d){9}(?![0-9])")
_LANDLINE = re.compile(
    r"(?<![0-9])(?:\(0\d{2,3}\)\s?|0\d{2,3}" + _SEP + r")[2-9](?:" + _SEP + r"\d){6,7}"
    r"(?:\s?(?:-|转|ext\.?)\s?\d{1,5})?(?![0-9])")
_RULES = ((_EMAIL, EMAIL), (_ID, ID_CARD), (_MOBILE, PHONE), (_LANDLINE, PHONE))


def mask_personal_data(text: str | None) -> str | None:
    """`text` with phone numbers, ID-card numbers and e-mail addresses replaced by a label."""
    if not text:
        return text
    for pattern, label in _RULES:
        folded = text.translate(_FOLD)
        spans = [m.span() for m in pattern.finditer(folded)]
        for start, end in reversed(spans):   # from the end: earlier spans keep their offsets
            text = text[:start] + label + text[end:]
    return text
