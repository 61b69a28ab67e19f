"""In-memory knowledge-base search index (pure: numpy, scipy).

Scoring: BM25 over four channels: {question, answer} x {jieba words, char n-grams}. The
question field holds the question, its alternative phrasings and the keywords. Each channel's
BM25 is divided by the query's own idf mass (the score a document matching every query term
once at average length would get), so channel scores are comparable across queries and the
weighted mean is a 0..~1 confidence on which the abstain rule works.

Updates are incremental, in the manner of a segmented inverted index: the bulk of the articles
sits in a "main" segment (one CSC term matrix per channel); an added or changed article is
written to a small "delta" segment rebuilt on each change, and its old version is tomb-stoned
(a live mask) and its document frequencies subtracted. A change therefore costs one article's
analysis plus a rebuild of the delta, not of the whole index; the delta is merged into main
when it grows past `merge_at` documents.

Only articles servable on the as-of date (published, inside their validity window and not past
their review date) are ever scored into the results, top 5 included (issue 16, acceptance).
"""
from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse

from .article import Article, Status
from .text import Analyzer, Settings, load_settings

CHANNELS = ("question_word", "question_char", "answer_word", "answer_char")
_OPEN_START = -(2**31)
_OPEN_END = 2**31 - 1


@dataclass(frozen=True)
class Hit:
    article_id: str
    score: float


@dataclass(frozen=True)
class SearchResult:
    answer: Hit | None          # None = abstain ("no answer": the agent logs an order)
    top: tuple[Hit, ...]        # best first, servable articles only, filled even on abstain
    query_words: int = 0        # distinct content words of the query (the abstain rule uses it)

    @property
    def abstained(self) -> bool:
        return self.answer is None


class _Channel:
    """Vocabulary, document frequencies and the two segments' term matrices of one channel."""

    def __init__(self):
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(1024, dtype=np.int64)
        self.len_sum = 0.0
        self.main: sparse.csc_matrix | None = None
        self.delta: sparse.csc_matrix | None = None

    def ids(self, terms) -> tuple[np.ndarray, np.ndarray]:
        """(term ids, term counts) of one document, new terms added to the vocabulary."""
        counts = Counter(terms)
        vocab = self.vocab
        # map(vocab.get) runs in C; only the (few, after the first articles) new terms need a
        # Python step to get the next id
        ids = list(map(vocab.get, counts))
        if None in ids:
            for j, (t, i) in enumerate(zip(counts, ids)):
                if i is None:
                    ids[j] = vocab[t] = len(vocab)
        n = len(counts)
        ids = np.fromiter(ids, dtype=np.int64, count=n)
        tfs = np.fromiter(counts.values(), dtype=np.float32, count=n)
        if len(vocab) > len(self.df):
            self.df = np.concatenate([self.df, np.zeros(len(vocab) * 2 - len(self.df) + 1024,
                                                        dtype=np.int64)])
        return ids, tfs


def _segment(rows_terms, lens: np.ndarray, avgdl: float, k1: float, b: float,
             n_cols: int) -> sparse.csr_matrix:
    """Term x document matrix of BM25 term weights without idf:
    tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), avgdl as of the segment's build (per-segment
    statistics, as segmented search engines keep them; a merge recomputes them). Rows are
    terms, so a query takes its few rows and multiplies by its idf vector in C."""
    n_rows = len(rows_terms)
    if not n_rows:
        return sparse.csr_matrix((n_cols, 0), dtype=np.float32)
    sizes = np.fromiter((len(ids) for ids, _ in rows_terms), dtype=np.int64, count=n_rows)
    doc = np.repeat(np.arange(n_rows, dtype=np.int64), sizes)
    term = np.concatenate([ids for ids, _ in rows_terms])
    tf = np.concatenate([tfs for _, tfs in rows_terms]).astype(np.float32)
    dl = lens[:n_rows][doc]
    w = tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / max(avgdl, 1e-9)))
    m = sparse.csr_matrix((w.astype(np.float32), (term, doc)), shape=(n_cols, n_rows))
    m.sum_duplicates()
    return m


class KnowledgeIndex:
    """Build once from articles, then `upsert` / `remove` as articles change; `search` any time.

    Thread-safe: a search and a change each hold the lock briefly (a search reads one
    consistent state); a merge assembles its matrices without holding it.
    """

    def __init__(self, articles=(), settings: Settings | None = None, merge_at: int = 2000):
        self.settings = settings or load_settings()
        self.analyzer = Analyzer(self.settings)
        self.merge_at = merge_at
        self._lock = threading.RLock()
        self._merge_lock = threading.Lock()
        self._rebuild(list(articles))

    # ------------------------------------------------------------------ building ------------

    def _analyse(self, a: Article) -> dict[str, list[str]]:
        an = self.analyzer
        q = an.normalise(" \n".join([a.question, *a.alternatives, " ".join(a.keywords)]))
        ans = an.normalise(a.answer)
        return {"question_word": an.words(q), "question_char": an.chars(q),
                "answer_word": an.words(ans), "answer_char": an.chars(ans)}

    def _rebuild(self, articles: list[Article]) -> None:
        """Full build (start-up): every article is analysed and becomes a main-segment row."""
        with self._lock:
            self._channels = {c: _Channel() for c in CHANNELS}
            self._slots: list[Article | None] = []
            self._slot_of: dict[str, int] = {}
            self._terms: dict[str, list] = {c: [] for c in CHANNELS}
            n = len(articles)
            self._len = {c: np.zeros(max(n, 16), dtype=np.float32) for c in CHANNELS}
            self._start = np.zeros(max(n, 16), dtype=np.int64)
            self._end = np.zeros(max(n, 16), dtype=np.int64)
            self._live = np.zeros(max(n, 16), dtype=bool)
            self._generation = 0
            self._mask_cache = None
            seen = {}
            for a in articles:  # last version of an id wins
                seen[a.id] = a
            for a in seen.values():
                self._append(a, self._analyse(a))
            self._main_n = len(self._slots)
            for c, ch in self._channels.items():
                ch.main = self._build(c, 0, self._main_n)
                ch.delta = None

    def _ensure_capacity(self, n: int) -> None:
        cap = len(self._live)
        if n <= cap:
            return
        new = max(n, cap * 2)
        for c in CHANNELS:
            self._len[c] = np.concatenate([self._len[c], np.zeros(new - cap, dtype=np.float32)])
        self._start = np.concatenate([self._start, np.zeros(new - cap, dtype=np.int64)])
        self._end = np.concatenate([self._end, np.zeros(new - cap, dtype=np.int64)])
        self._live = np.concatenate([self._live, np.zeros(new - cap, dtype=bool)])

    def _append(self, a: Article, analysed: dict[str, list[str]]) -> int:
        slot = len(self._slots)
        self._ensure_capacity(slot + 1)
        self._slots.append(a)
        self._slot_of[a.id] = slot
        for c, terms in analysed.items():
            ch = self._channels[c]
            ids, tfs = ch.ids(terms)
            self._terms[c].append((ids, tfs))
            ch.df[ids] += 1
            self._len[c][slot] = float(tfs.sum())
            ch.len_sum += float(tfs.sum())
        self._set_window(slot, a)
        return slot

    def _set_window(self, slot: int, a: Article) -> None:
        self._generation += 1
        # the servable window as day ordinals; review date closes it like an end date
        ends = [d.toordinal() for d in (a.end_date, a.review_date) if d is not None]
        self._start[slot] = a.start_date.toordinal() if a.start_date else _OPEN_START
        self._end[slot] = min(ends) if ends else _OPEN_END
        self._live[slot] = a.status == Status.PUBLISHED

    def _kill(self, slot: int) -> None:
        self._generation += 1
        self._live[slot] = False
        self._slots[slot] = None
        for c in CHANNELS:
            ids, tfs = self._terms[c][slot]
            ch = self._channels[c]
            ch.df[ids] -= 1
            ch.len_sum -= float(tfs.sum())
            self._terms[c][slot] = (ids[:0], tfs[:0])
            self._len[c][slot] = 0.0

    def _build(self, c: str, lo: int, hi: int) -> sparse.csr_matrix:
        ch = self._channels[c]
        avgdl = ch.len_sum / max(len(self._slot_of), 1)
        return _segment(self._terms[c][lo:hi], self._len[c][lo:hi], avgdl, self.settings.k1,
                        self.settings.b, len(ch.vocab))

    def _rebuild_delta(self) -> None:
        n_delta = len(self._slots) - self._main_n
        for c, ch in self._channels.items():
            ch.delta = self._build(c, self._main_n, self._main_n + n_delta) if n_delta else None

    def merge(self) -> None:
        """Fold the delta into main and drop tomb-stoned slots.

        No article is analysed again (the stored term ids are reused), and the matrices are
        assembled OUTSIDE the lock from a snapshot, so searches and changes go on meanwhile.
        Changes made during the assembly are carried over: a slot killed meanwhile stays a
        tombstone (masked, dropped by the next merge), slots added meanwhile become the delta."""
        with self._merge_lock:  # one merge at a time
            with self._lock:
                snap_n = len(self._slots)
                keep = [i for i in range(snap_n) if self._slots[i] is not None]
                idx = np.asarray(keep, dtype=np.int64)
                terms = {c: [self._terms[c][i] for i in keep] for c in CHANNELS}
                lens = {c: self._len[c][idx].copy() for c in CHANNELS}
                n_docs = max(len(self._slot_of), 1)
                avgdl = {c: self._channels[c].len_sum / n_docs for c in CHANNELS}
                ncols = {c: len(self._channels[c].vocab) for c in CHANNELS}
            k1, b = self.settings.k1, self.settings.b
            mains = {c: _segment(terms[c], lens[c], avgdl[c], k1, b, ncols[c]) for c in CHANNELS}
            with self._lock:
                order = keep + list(range(snap_n, len(self._slots)))
                oidx = np.asarray(order, dtype=np.int64)
                self._slots = [self._slots[i] for i in order]
                self._slot_of = {a.id: j for j, a in enumerate(self._slots) if a is not None}
                for c in CHANNELS:
                    self._terms[c] = [self._terms[c][i] for i in order]
                    self._len[c] = self._len[c][oidx].copy()
                for name in ("_start", "_end", "_live"):
                    setattr(self, name, getattr(self, name)[oidx].copy())
                self._main_n = len(keep)
                for c, ch in self._channels.items():
                    ch.main = mains[c]
                self._rebuild_delta()
                self._generation += 1

    def upsert(self, article: Article) -> None:
        """Add or replace one article (any status: only published ones are served). The change
        is searchable when this returns; a merge it may trigger runs after that."""
        analysed = self._analyse(article)  # outside the lock: the slow part
        with self._lock:
            old = self._slot_of.pop(article.id, None)
            if old is not None:
                self._kill(old)
            self._append(article, analysed)
            self._rebuild_delta()
            due = len(self._slots) - self._main_n > self.merge_at
        if due:
            self.merge()

    def remove(self, article_id: str) -> bool:
        with self._lock:
            slot = self._slot_of.pop(article_id, None)
            if slot is None:
                return False
            self._kill(slot)
            return True

    def __len__(self) -> int:
        return len(self._slot_of)

    def get(self, article_id: str) -> Article | None:
        slot = self._slot_of.get(article_id)
        return self._slots[slot] if slot is not None else None

    # ------------------------------------------------------------------ search --------------

    def _channel_postings(self, c: str, terms: list[str], n_docs: int, scale: float,
                          rows_out: list, w_out: list) -> None:
        """Append (slot, weight) postings of one channel to rows_out / w_out, weights already
        multiplied by idf, the channel weight and 1 / the query's idf mass."""
        ch = self._channels[c]
        distinct = dict.fromkeys(terms)
        uniq = [i for i in map(ch.vocab.get, distinct) if i is not None]
        if not uniq:
            return
        uniq_a = np.asarray(uniq, dtype=np.int64)
        dfs = ch.df[uniq_a].astype(np.float64)
        idf = np.log1p((n_docs - dfs + 0.5) / (dfs + 0.5))
        # the normaliser counts every distinct query term; an unknown term (df 0) weighs as a
        # share of the rarest known one: words the knowledge base never uses lower the confidence
        n_unknown = len(distinct) - len(uniq)
        idf_max = np.log1p((n_docs + 0.5) / 0.5)
        norm = float(idf.sum()) + n_unknown * idf_max * self.settings.unknown_weight
        if norm <= 0:
            return
        coef = idf * (scale / norm)
        for seg, offset in ((ch.main, 0), (ch.delta, self._main_n)):
            if seg is None or not seg.shape[1]:
                continue
            keep = uniq_a < seg.shape[0]
            ids, cf = uniq_a[keep], coef[keep]
            if not len(ids):
                continue
            # gather the query terms' rows straight from the CSR arrays (one vectorised pass,
            # no per-call scipy indexing overhead)
            starts, ends = seg.indptr[ids], seg.indptr[ids + 1]
            lens = ends - starts
            total = int(lens.sum())
            if not total:
                continue
            shift = np.repeat(starts - (np.cumsum(lens) - lens), lens)
            pos = np.arange(total, dtype=np.int64) + shift
            rows_out.append(seg.indices[pos].astype(np.int64) + offset)
            w_out.append(seg.data[pos] * np.repeat(cf, lens))

    def _servable_mask(self, n: int, as_of: date) -> np.ndarray:
        d = as_of.toordinal()
        key = (d, n, self._generation)
        if self._mask_cache is not None and self._mask_cache[0] == key:
            return self._mask_cache[1]
        mask = self._live[:n] & (self._start[:n] <= d) & (d <= self._end[:n])
        self._mask_cache = (key, mask)
        return mask

    def scores(self, query: str, as_of: date) -> tuple[np.ndarray, np.ndarray, int]:
        """(combined score per slot, servable mask per slot, distinct query words)."""
        an = self.analyzer
        qn = an.normalise(query or "")
        words, chars = an.query_words(qn), an.query_chars(qn)
        weights = self.settings.weights
        wsum = sum(float(weights.get(c, 0.0)) for c in CHANNELS if weights.get(c, 0.0) > 0)
        with self._lock:
            n = len(self._slots)
            n_docs = max(len(self._slot_of), 1)
            rows, ws = [], []
            for c in CHANNELS:
                w = float(weights.get(c, 0.0))
                if w > 0:
                    self._channel_postings(c, words if c.endswith("word") else chars, n_docs,
                                           w / wsum, rows, ws)
            total = (np.bincount(np.concatenate(rows), weights=np.concatenate(ws), minlength=n)
                     if rows else np.zeros(n))
            mask = self._servable_mask(n, as_of)
        return total, mask, len(set(words))

    def search(self, query: str, as_of: date, k: int | None = None) -> SearchResult:
        k = k or self.settings.top_k
        total, mask, n_words = self.scores(query, as_of)
        # a non-servable article never enters the ranking, not even at the bottom of the top 5
        total = np.where(mask, total, -np.inf)
        n_ok = int(mask.sum())
        if n_ok == 0:
            return SearchResult(None, (), n_words)
        kk = min(max(k, 2), n_ok)
        part = np.argpartition(-total, kk - 1)[:kk] if kk < len(total) else np.arange(len(total))
        order = part[np.argsort(-total[part], kind="stable")]
        order = [i for i in order if np.isfinite(total[i])][:kk]
        with self._lock:
            hits = [Hit(self._slots[i].id, round(float(total[i]), 6)) for i in order
                    if self._slots[i] is not None]
        top = tuple(hits[:k])
        if not hits:
            return SearchResult(None, top, n_words)
        s1 = hits[0].score
        s2 = hits[1].score if len(hits) > 1 else 0.0
        return SearchResult(hits[0] if self.answers(s1, s2, n_words) else None, top, n_words)

    def answers(self, s1: float, s2: float, n_words: int) -> bool:
        """The abstain rule: answer only a clear enough best match.

        A long, spoken query (narrative) matches a smaller share of its words than a short
        one even when the article is right, so the bar falls with log(1 + query words);
        the margin over the runner-up is relative to the best score."""
        return passes(s1, s2, n_words, self.settings.min_score, self.settings.length_slope,
                      self.settings.min_margin)


def passes(s1: float, s2: float, n_words: int, min_score: float, length_slope: float,
           min_margin: float) -> bool:
    if s1 <= 0:
        return False
    margin = (s1 - s2) / s1
    return s1 >= min_score - length_slope * float(np.log1p(n_words)) and margin >= min_margin
