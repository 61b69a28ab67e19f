"""Text analysis for knowledge-base search (pure: stdlib, opencc, rjieba, yaml).

normalise(): NFKC (full-width -> half-width), Traditional -> Simplified (the classifier's
OpenCC t2s), lower case, whitespace collapsed, then every synonym / colloquial form of
config/knowledge.yaml rewritten to its group's first word. Articles and queries go through the
same function, so 身份證 / 身份证 / 身分证 and 残疾证 / 身心障礙手冊 meet on one form.

words(): jieba accurate mode (HMM off) by a PRIVATE rjieba tokeniser that also knows the
synonym heads: the classifier's global tokeniser must not change, its tokens are part of its
trained model.

chars(): character n-grams inside runs of letters/digits/CJK (no n-gram spans punctuation).
"""
from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hotline.classify.text import to_simplified

CONFIG_NAME = "knowledge.yaml"

_WS_RE = re.compile(r"\s+")
_RUN_RE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]+")
_TOKEN_OK = re.compile(r"\w")


@dataclass(frozen=True)
class Settings:
    synonyms: tuple[tuple[str, ...], ...]
    query_stopwords: frozenset[str]
    k1: float
    b: float
    weights: dict
    char_ngrams: tuple[int, ...]
    top_k: int
    min_score: float
    min_margin: float
    unknown_weight: float = 1.0
    length_slope: float = 0.0


def load_settings(path: Path | str | None = None) -> Settings:
    """config/knowledge.yaml, read strictly: a key no line below reads fails the load naming
    file and key (hotline/core/configfile.py, docs/design/architecture.md §2.6)."""
    from hotline.core.config import config_dir  # HOTLINE_CONFIG may name another config directory
    from hotline.core.configfile import ConfigError, parse_file

    p = Path(path) if path else config_dir() / CONFIG_NAME

    def parse(data) -> Settings:
        syn = []
        for i, group in enumerate(data.get("synonyms") or []):
            if not isinstance(group, list) or len(group) < 2:
                raise ConfigError(p, f"synonyms[{i}]", "至少两个词 (a list of two or more words)")
            syn.append(tuple(str(w).strip() for w in group if str(w).strip()))
        s = data.get("search") or {}
        a = data.get("abstain") or {}
        weights = {"question_word": 1.0, "question_char": 1.0, "answer_word": 0.4,
                   "answer_char": 0.3, **(s.get("weights") or {})}
        return Settings(
            synonyms=tuple(syn),
            query_stopwords=frozenset(str(w) for w in data.get("query_stopwords") or []),
            k1=float(s.get("k1", 1.2)), b=float(s.get("b", 0.75)), weights=weights,
            char_ngrams=tuple(int(n) for n in s.get("char_ngrams", [2, 3])),
            top_k=int(s.get("top_k", 5)),
            min_score=float(a.get("min_score", 0.3)),
            min_margin=float(a.get("min_margin", 0.0)),
            unknown_weight=float(s.get("unknown_weight", 1.0)),
            length_slope=float(a.get("length_slope", 0.0)))

    return parse_file(p, parse)


class Analyzer:
    """normalise / words / chars for one synonym table (one per index)."""

    def __init__(self, settings: Settings):
        self.settings = settings
        mapping: dict[str, str] = {}
        for group in settings.synonyms:
            head = self._base(group[0])
            for w in group[1:]:
                w = self._base(w)
                if w and w != head:
                    mapping.setdefault(w, head)
        self._map = mapping
        # longest first, so 公交车 is rewritten before 公交
        alts = sorted(mapping, key=len, reverse=True)
        self._syn_re = re.compile("|".join(re.escape(w) for w in alts)) if alts else None
        self._heads = sorted({self._base(g[0]) for g in settings.synonyms})
        self._jieba = None
        self._lock = threading.Lock()
        self.normalise = lru_cache(maxsize=4096)(self._normalise)

    @staticmethod
    def _base(text: str) -> str:
        text = unicodedata.normalize("NFKC", text or "")
        text = to_simplified(text)
        return _WS_RE.sub(" ", text).strip().lower()

    def _normalise(self, text: str) -> str:
        text = self._base(text)
        if self._syn_re is not None:
            text = self._syn_re.sub(lambda m: self._map[m.group(0)], text)
        return text

    def _tokeniser(self):
        if self._jieba is None:
            with self._lock:
                if self._jieba is None:
                    import rjieba

                    from hotline.classify.text import user_words

                    j = rjieba.Jieba()
                    for w in [*user_words(), *self._heads]:
                        if len(w) >= 2:
                            j.add_word(w, 20000, None)
                    self._jieba = j
        return self._jieba

    def words(self, normalised: str) -> list[str]:
        raw = self._tokeniser().cut(normalised, False)
        return [t for t in raw if t.isalnum() or (t.strip() and _TOKEN_OK.search(t))]

    def query_words(self, normalised: str) -> list[str]:
        stop = self.settings.query_stopwords
        return [t for t in self.words(normalised) if t not in stop]

    def chars(self, normalised: str) -> list[str]:
        out: list[str] = []
        for run in _RUN_RE.findall(normalised):
            for n in self.settings.char_ngrams:
                if len(run) >= n:
                    out.extend(run[i:i + n] for i in range(len(run) - n + 1))
                elif n == self.settings.char_ngrams[0]:
                    out.append(run)  # a lone character still counts once
        return out

    def query_chars(self, normalised: str) -> list[str]:
        """Char n-grams of the query with its stop words cut out first (they would form
        n-grams such as 我想 that match filler in answers)."""
        stop = self.settings.query_stopwords
        # adjacent kept words stay joined (n-grams may span them); a stop word becomes a break
        kept = "".join(" " if t in stop else t for t in self.words(normalised)).strip()
        return self.chars(kept) if kept else []
