"""The terms of the order search over Chinese text (pure: the classifier's tokeniser only).

An order's searchable text (title, content, address) is stored once as space-separated terms
(`work_orders.search_text`), indexed by SQLite FTS5 (unicode61 splits on the spaces) and by a
PostgreSQL GIN index on the stored to_tsvector('simple', search_text) (the 'simple' parser
splits on the spaces too, and neither stems Chinese). docs/design/architecture.md §9.7.

The terms are jieba's words (accurate mode, the classifier's tokeniser and user dictionary)
plus every character bigram of each run of Chinese characters. The bigrams make a query
independent of how jieba happened to cut the order's sentence: the Chinese of a query is asked
as the AND of its bigrams, all of which an order holding that text contains, whatever its
segmentation (噪音扰民 cut as 噪音|扰民 still answers 音扰). Words in Latin letters and digits
(12345, wifi, the 3 of 3号楼) are asked whole, as jieba cut them.
"""
from __future__ import annotations

import re

from hotline.classify.text import normalise, tokenise

_HAN_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
MAX_QUERY_TERMS = 16


def _bigrams(run: str) -> list[str]:
    return [run[i:i + 2] for i in range(len(run) - 1)]


def document_terms(*parts: str | None) -> str:
    """The stored search text of an order: its words and Chinese bigrams, deduplicated, in
    first-seen order, joined by spaces."""
    text = normalise(" ".join(p for p in parts if p))
    seen: dict[str, None] = {}
    for word in tokenise(text):
        seen.setdefault(word, None)
    for run in _HAN_RUN.findall(text):
        for bg in _bigrams(run):
            seen.setdefault(bg, None)
    return " ".join(seen)


def query_terms(q: str) -> list[str]:
    """The terms an order must all hold to match the query `q` (AND), at most
    MAX_QUERY_TERMS (a longer query narrows no further in practice): the bigrams of each run
    of Chinese characters (a run of one character: itself), and the other words whole. Empty
    when `q` has no word (punctuation only)."""
    text = normalise(q)
    out: dict[str, None] = {}
    for run in _HAN_RUN.findall(text):
        for term in (_bigrams(run) if len(run) > 1 else [run]):
            out.setdefault(term, None)
    for word in tokenise(text):
        if not _HAN_RUN.search(word):
            out.setdefault(word, None)
    return list(out)[:MAX_QUERY_TERMS]


_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")


def as_phone(q: str) -> str | None:
    """`q` as a caller phone to look up exactly (digits only), or None."""
    q = q.strip()
    if not _PHONE.match(q):
        return None
    digits = re.sub(r"[^0-9]", "", q)
    return digits if 7 <= len(digits) <= 15 else None


def as_query_code(q: str) -> str | None:
    """`q` as a 查询码 (six digits, hotline/intake/service.py), or None."""
    q = q.strip()
    return q if len(q) == 6 and q.isdigit() else None
