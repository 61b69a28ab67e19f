"""The text model: jieba-word TF-IDF + char n-gram TF-IDF -> linear model(s) -> probabilities.

Kept as one small picklable object (not an sklearn Pipeline) so that normalisation and
tokenisation run once per text and are shared by both feature blocks, and so that
`top_terms` can be explained from the word block.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from . import text as T


@dataclass
class ModelSpec:
    """Hyper-parameters; the default is the cross-validated winner (docs/model_card.md)."""

    word_ngram: tuple[int, int] = (1, 1)
    char_ngram: tuple[int, int] = (1, 3)
    word_min_df: int = 2
    char_min_df: int = 2
    char_max_features: int | None = 300_000
    word_max_features: int | None = 200_000
    # "svc": one LinearSVC whose scores are turned into probabilities by per-class Platt
    # sigmoids fitted on out-of-fold scores of the training CV (set_calibration), then normalised.
    # "svc_cv" (CalibratedClassifierCV, calib_cv folds) | "lr" | "ens": the older alternatives.
    clf: str = "svc"
    svc_c: float = 1.0
    lr_c: float = 30.0
    calib_cv: int = 3
    char_weight: float = 1.0
    # head block: char (1,3)-gram TF-IDF of the first head_chars characters (the title or the
    # first sentence, which names the subject), weighted head_weight. +0.4 pt F1, +4 pt coverage.
    head_chars: int = 40
    head_weight: float = 0.7
    # kNN blend: P = (1-w) * P_linear + w * P_knn, P_knn = similarity-weighted votes of the
    # knn_k nearest training texts (cosine on the word TF-IDF block). Near-duplicate re-posts
    # are common in hotline data; the blend raised CV coverage at 0.985 precision by ~4 points.
    knn_weight: float = 0.2
    knn_k: int = 10
    # kNN index without the words found in more than this share of training texts (的, 我, 反映,
    # 小区 ...): they carry no neighbour signal, yet were ~90 % of the sparse products of the
    # similarity matmul. CV quality unchanged (docs/model_card.md, round 4), kNN ~5x faster.
    knn_max_df: float = 0.1
    # per-class additive offsets on log P, tuned on the training CV's out-of-fold probabilities
    # to maximise macro-F1 (the gate metric: small classes such as 交通运输 are under-predicted by
    # a hinge-loss model). They pick the label only; its confidence stays the calibrated P.
    tune_label_bias: bool = True

    def to_dict(self) -> dict:
        return dict(self.__dict__)


def prepare(texts) -> tuple[list[str], list[str]]:
    """(normalised texts, space-joined jieba tokens)."""
    norm = [T.normalise(t) for t in texts]
    toks = [T.tokens_joined(n) for n in norm]
    return norm, toks


def _vectorisers(spec: ModelSpec):
    from sklearn.feature_extraction.text import TfidfVectorizer

    word = TfidfVectorizer(
        tokenizer=str.split, token_pattern=None, lowercase=False, preprocessor=None,
        ngram_range=spec.word_ngram, min_df=spec.word_min_df, sublinear_tf=True,
        max_features=spec.word_max_features, dtype=np.float32,
    )
    char = TfidfVectorizer(
        analyzer="char", ngram_range=spec.char_ngram, min_df=spec.char_min_df, sublinear_tf=True,
        max_features=spec.char_max_features, lowercase=False, dtype=np.float32,
    )
    head = None
    if spec.head_chars and spec.head_weight:
        head = TfidfVectorizer(
            analyzer="char", ngram_range=(1, 3), min_df=2, sublinear_tf=True, lowercase=False,
            dtype=np.float32, max_features=100_000,
        )
    return word, char, head


def _classifiers(spec: ModelSpec):
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    out = []
    if spec.clf == "svc":
        out.append(LinearSVC(C=spec.svc_c))
    if spec.clf in ("svc_cv", "ens"):
        out.append(CalibratedClassifierCV(LinearSVC(C=spec.svc_c), cv=spec.calib_cv, method="sigmoid"))
    if spec.clf in ("lr", "ens"):
        out.append(LogisticRegression(C=spec.lr_c, max_iter=300))
    return out


def fit_platt(D: np.ndarray, yi: np.ndarray, k: int):
    """Per-class sigmoid calibration (Platt, as in CalibratedClassifierCV) of scores D (n, k)."""
    from sklearn.calibration import _SigmoidCalibration

    A = np.zeros(k)
    B = np.zeros(k)
    for j in range(k):
        t = (yi == j).astype(np.float64)
        if 0 < t.sum() < len(t):
            c = _SigmoidCalibration().fit(D[:, j], t)
            A[j], B[j] = c.a_, c.b_
        else:  # class absent (or alone) in the calibration data: plain sigmoid
            A[j], B[j] = -1.0, 0.0
    return A, B


def platt_proba(D: np.ndarray, A: np.ndarray, B: np.ndarray) -> np.ndarray:
    P = 1.0 / (1.0 + np.exp(np.clip(A * D + B, -500, 500)))
    den = P.sum(axis=1, keepdims=True)
    return np.where(den == 0, 1.0 / D.shape[1], P / np.where(den == 0, 1.0, den))


def knn_index(Xw, max_df: float = 1.0):
    """The kNN training rows (csr float32) without the columns of words in > max_df of the rows."""
    Xw = sp.csr_matrix(Xw, dtype=np.float32)
    if max_df >= 1.0 or Xw.shape[0] == 0:
        return Xw
    df = np.bincount(Xw.indices, minlength=Xw.shape[1]) / Xw.shape[0]
    Xw = Xw @ sp.diags((df <= max_df).astype(np.float32))
    Xw = sp.csr_matrix(Xw)
    Xw.eliminate_zeros()
    return Xw


def _first_columns(Q, n_cols: int):
    """Q[:, :n_cols] for a csr matrix (the word block of stacked rows), in one vectorised pass:
    the kNN product then walks ~150 word entries per row instead of ~1,500 stacked ones."""
    keep = Q.indices < n_cols
    rows = np.repeat(np.arange(Q.shape[0]), np.diff(Q.indptr))
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows[keep], minlength=Q.shape[0]))))
    return sp.csr_matrix((Q.data[keep], Q.indices[keep], indptr), shape=(Q.shape[0], n_cols))


def top_k(S: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Column indices and values of the k largest entries of each row of S (any order).

    The same sets as np.argpartition(S, -k)[:, -k:], about 2x faster on the kNN's 512 x 6,375
    similarity blocks: np.partition finds each row's k-th largest value (it moves values only),
    and a comparison picks the entries at or above it. Rows where that picks more than k (ties
    at the k-th value, e.g. fewer than k non-zero similarities) take np.argpartition itself."""
    n = S.shape[1]
    if k >= n:
        top = np.broadcast_to(np.arange(n), S.shape).copy()
        return top, S.copy()
    kth = np.partition(S, n - k, axis=1)[:, n - k]
    mask = S >= kth[:, None]
    exact = np.count_nonzero(mask, axis=1) == k
    top = np.empty((S.shape[0], k), dtype=np.intp)
    top[exact] = np.nonzero(mask[exact])[1].reshape(-1, k)
    if not exact.all():
        top[~exact] = np.argpartition(S[~exact], n - k, axis=1)[:, -k:]
    return top, np.take_along_axis(S, top, axis=1)


def rank_scores(P: np.ndarray, bias) -> np.ndarray:
    if bias is None:
        return P
    return np.log(np.maximum(P, 1e-12)) + bias


def tune_label_bias(P: np.ndarray, yi: np.ndarray, grid=None, rounds: int = 3) -> np.ndarray:
    """Per-class offsets b maximising macro-F1 of argmax(log P + b) (coordinate ascent on a grid)."""
    k = P.shape[1]
    grid = np.linspace(-0.6, 0.6, 25) if grid is None else grid
    L = np.log(np.maximum(P, 1e-12))

    def macro_f1(pred):
        cm = np.bincount(yi * k + pred, minlength=k * k).reshape(k, k)
        tp, npred, ntrue = np.diag(cm), cm.sum(0), cm.sum(1)
        return float(np.mean(2 * tp / np.maximum(npred + ntrue, 1)))

    b = np.zeros(k)
    best = macro_f1(L.argmax(1))
    for _ in range(rounds):
        improved = False
        for j in range(k):
            for g in grid:
                if g == b[j]:
                    continue
                c = b.copy()
                c[j] = g
                f = macro_f1((L + c).argmax(1))
                if f > best + 1e-9:
                    best, b, improved = f, c, True
        if not improved:
            break
    return b


_KNN_CHUNK = 512
_TRANSFORM_CHUNK = 256


class _MissingIsMinusOne(dict):
    """Vocabulary whose out-of-vocabulary lookups give -1 (lets map() run the lookups in C)."""

    def __missing__(self, key):
        return -1

_WS2 = re.compile(r"\s\s+")  # sklearn's char analyzer whitespace normalisation


class FastTfidf:
    """One-pass predict-time transform for the fitted word / char / head TF-IDF blocks.

    Produces the same CSR matrix as `TextModel.transform_sklearn` (vocabulary lookup of the
    n-grams, sublinear tf, idf, l2 per block, block weight, hstack) without scikit-learn's per-call
    validation and per-n-gram Python dict lookups. Char n-grams (n <= 3) are encoded as integers:
    each character of the vocabulary gets a compact id (1..A, 0 = not in any vocabulary term), an
    n-gram packs its ids in `bits`-wide fields, and the text's row number fills the low bits, so one
    np.sort of a whole batch's n-gram codes makes the np.searchsorted lookup ~10x cheaper (sorted
    needles) while keeping each hit's row. Derived from the fitted vectorisers at first use (not
    pickled): artefact format unchanged.
    """

    def __init__(self, model: "TextModel | None" = None, *, vectorisers=None, head_chars: int = 0):
        """From a TextModel's blocks, or from `vectorisers`: [(kind, fitted TfidfVectorizer, weight)]
        with kind "word" (input: space-joined tokens), "char" or "head" (input: normalised text)."""
        if model is not None:
            spec = model.spec
            vectorisers = [("word", model.word_vec, 1.0), ("char", model.char_vec, spec.char_weight),
                           ("head", getattr(model, "head_vec", None), spec.head_weight)]
            head_chars = spec.head_chars
        self.blocks = []  # dicts: kind, vocab, lo, hi, off, keys/cols (sorted int n-gram codes)
        idf, wts = [], []
        off = 0
        vecs = [(kind, vec, weight) for kind, vec, weight in vectorisers if vec is not None]
        alphabet = sorted({ch for kind, vec, _ in vecs if kind != "word" for t in vec.vocabulary_ for ch in t}
                          - {"\x00"})  # "\x00" joins the texts of a batch: never part of a match
        self.bits = max(1, int(len(alphabet)).bit_length())
        self._id = {ch: i for i, ch in enumerate(alphabet, 1)}
        self.char_id = np.zeros(0x110000, dtype=np.uint64)
        self.char_id[[ord(ch) for ch in alphabet]] = np.arange(1, len(alphabet) + 1, dtype=np.uint64)
        for kind, vec, weight in vecs:
            lo, hi = vec.ngram_range
            b = {"kind": kind, "vocab": vec.vocabulary_, "lo": lo, "hi": hi, "off": off}
            if kind != "word" and hi * self.bits <= 48:  # >= 16 bits left for the row number
                terms = list(vec.vocabulary_)
                keys = np.array([self._code(t) for t in terms], dtype=np.uint64)
                cols = np.fromiter((vec.vocabulary_[t] for t in terms), dtype=np.int64, count=len(terms))
                o = np.argsort(keys)
                b["keys"], b["cols"] = keys[o], cols[o]
                # unigrams: a direct id -> column table, no sort or search
                uni = np.full(len(alphabet) + 1, -1, dtype=np.int64)
                one = np.fromiter((len(t) == 1 for t in terms), dtype=bool, count=len(terms))
                uni[keys[one].astype(np.int64)] = cols[one]
                uni[0] = -1
                b["unigram_col"] = uni
                b["row_bits"] = 64 - hi * self.bits
            self.blocks.append(b)
            idf.append(np.asarray(vec.idf_, dtype=np.float32))
            wts.append(np.full(len(vec.vocabulary_), weight, dtype=np.float32))
            off += len(vec.vocabulary_)
        self.idf = np.concatenate(idf)
        self.weight = np.concatenate(wts)
        self.block_of = np.concatenate([np.full(len(b["vocab"]), i, dtype=np.int64)
                                        for i, b in enumerate(self.blocks)])
        self.n_features = off
        self.head_chars = head_chars

    def _code(self, term: str) -> int:
        k, bits, ids = 0, self.bits, self._id
        for ch in term:
            k = (k << bits) | ids[ch]
        return k

    def _char_hits(self, b, texts, row0: int = 0):
        """(row, col) of every in-vocabulary char n-gram occurrence of texts (one batch)."""
        rb = b["row_bits"]
        if len(texts) >= (1 << rb):  # row numbers must fit their field: split the batch
            half = len(texts) // 2
            r1, c1 = self._char_hits(b, texts[:half], row0)
            r2, c2 = self._char_hits(b, texts[half:], row0 + half)
            return r1 + r2, c1 + c2
        texts = [_WS2.sub(" ", t) for t in texts]
        lens = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ids = self.char_id[np.frombuffer("\x00".join(texts).encode("utf-32-le"), dtype=np.uint32)]
        rowpos = np.repeat(np.arange(len(texts), dtype=np.uint64), lens + 1)[: len(ids)]
        unknown = np.concatenate(([0], np.cumsum(ids == 0)))  # n-grams with an unknown char never match
        rows, cols = [], []
        K, C = b["keys"], b["cols"]
        bits, shift, low = np.uint64(self.bits), np.uint64(rb), np.uint64((1 << rb) - 1)
        for n in range(b["lo"], b["hi"] + 1):
            m = len(ids) - n + 1
            if m <= 0:
                continue
            if n == 1:
                c = b["unigram_col"][ids.astype(np.int64)]
                hit = c >= 0
                rows.append(rowpos[hit].astype(np.int64) + row0)
                cols.append(c[hit])
                continue
            q = ids[:m].copy()
            for j in range(1, n):
                q <<= bits
                q |= ids[j: j + m]
            ok = unknown[n: n + m] == unknown[:m]
            key = (q[ok] << shift) | rowpos[:m][ok]
            key.sort()
            code = key >> shift
            pos = np.searchsorted(K, code)
            pos[pos >= len(K)] = 0
            hit = K[pos] == code
            rows.append((key[hit] & low).astype(np.int64) + row0)
            cols.append(C[pos[hit]])
        return rows, cols

    def _generic_hits(self, b, docs):
        vocab = b["vocab"]
        rows, cols = [], []
        for r, d in enumerate(docs):
            if b["kind"] == "word":
                t = d.split()
                grams = t if (b["lo"], b["hi"]) == (1, 1) else [
                    " ".join(t[i:i + n]) for n in range(b["lo"], b["hi"] + 1) for i in range(len(t) - n + 1)]
            else:
                s = _WS2.sub(" ", d)
                grams = [s[i:i + n] for n in range(b["lo"], b["hi"] + 1) for i in range(len(s) - n + 1)]
            ids = [vocab[g] for g in grams if g in vocab]
            rows.append(np.full(len(ids), r, dtype=np.int64))
            cols.append(np.array(ids, dtype=np.int64))
        return rows, cols

    def _word_hits(self, b, toks):
        """(row, col) of in-vocabulary unigrams: one C-level map over the batch's tokens."""
        lookup = b.get("lookup")
        if lookup is None:
            lookup = b["lookup"] = _MissingIsMinusOne(b["vocab"])
        split = [t.split() for t in toks]
        counts = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
        ids = np.fromiter(map(lookup.__getitem__, itertools.chain.from_iterable(split)), dtype=np.int64,
                          count=int(counts.sum()))
        rows = np.repeat(np.arange(len(toks)), counts)
        keep = ids >= 0
        return [rows[keep]], [ids[keep]]

    def transform(self, norm, toks):
        if len(norm) > _TRANSFORM_CHUNK:
            # chunks keep the per-n-gram arrays in cache and out of mmap/munmap churn
            return sp.vstack([self._transform(norm[i: i + _TRANSFORM_CHUNK], toks[i: i + _TRANSFORM_CHUNK])
                              for i in range(0, len(norm), _TRANSFORM_CHUNK)], format="csr")
        return self._transform(norm, toks)

    def _transform(self, norm, toks):
        n = len(norm)
        rows, cols = [], []
        for b in self.blocks:
            if b["kind"] == "word" and (b["lo"], b["hi"]) == (1, 1):
                r, c = self._word_hits(b, toks)
            elif b["kind"] == "word":
                r, c = self._generic_hits(b, toks)
            else:
                docs = [t[: self.head_chars] for t in norm] if b["kind"] == "head" else norm
                r, c = self._char_hits(b, docs) if "keys" in b else self._generic_hits(b, docs)
            rows += r
            cols += [x + b["off"] for x in c]
        nf = self.n_features
        key = np.concatenate(rows) * nf + np.concatenate(cols) if rows else np.zeros(0, np.int64)
        u, cnt = np.unique(key, return_counts=True)
        r, c = np.divmod(u, nf)
        d = cnt.astype(np.float32)
        np.log(d, out=d)
        d += np.float32(1.0)
        d *= self.idf[c]
        g = r * len(self.blocks) + self.block_of[c]  # l2 per (row, block)
        ss = np.bincount(g, weights=d.astype(np.float64) ** 2, minlength=n * len(self.blocks))
        nrm = np.sqrt(ss).astype(np.float32)[g]
        d /= np.where(nrm > 0, nrm, np.float32(1.0))
        d *= self.weight[c]
        indptr = np.searchsorted(r, np.arange(n + 1)).astype(np.int32)
        return sp.csr_matrix((d, c.astype(np.int32), indptr), shape=(n, nf))


@dataclass
class TextModel:
    spec: ModelSpec
    labels: list[str] = field(default_factory=list)
    word_vec: object = None
    char_vec: object = None
    clfs: list = field(default_factory=list)
    threshold: float = 0.5
    version: str = ""
    knn_X: object = None  # word-block rows of the training texts (csr, L2-normalised)
    knn_y: object = None  # their label indices
    head_vec: object = None
    platt: object = None  # (A, B) per-class sigmoid P_k = 1/(1+exp(A_k*d_k + B_k)), for clf="svc"
    label_bias: object = None  # per-class offsets on log P that pick the label (ModelSpec.tune_label_bias)

    # ------------------------------------------------------------------ fit ----------
    def fit_prepared(self, norm: list[str], toks: list[str], y) -> "TextModel":
        X = self.fit_vectorisers(norm, toks)
        return self.fit_classifiers(X, y)

    def fit_vectorisers(self, norm: list[str], toks: list[str]):
        """Fit both TF-IDF blocks; returns the stacked training matrix."""
        self.word_vec, self.char_vec, self.head_vec = _vectorisers(self.spec)
        self._ff = None
        Xw = self.word_vec.fit_transform(toks)
        Xc = self.char_vec.fit_transform(norm)
        Xh = None
        if self.head_vec is not None:
            try:
                Xh = self.head_vec.fit_transform(self._heads(norm))
            except ValueError:  # tiny corpus: no head n-gram reaches min_df
                self.head_vec = None
        for v in (self.word_vec, self.char_vec, self.head_vec):
            if v is not None:
                v.stop_words_ = None  # pruned-term set: large and only for introspection
        return self._stack(Xw, Xc, Xh)

    def _heads(self, norm):
        n = self.spec.head_chars
        return [t[:n] for t in norm]

    def fit_classifiers(self, X, y) -> "TextModel":
        y = np.asarray(y)
        self.labels = sorted(set(y.tolist()))
        if self.spec.knn_weight > 0:
            index = {c: i for i, c in enumerate(self.labels)}
            self.knn_X = knn_index(X[:, : self._n_word()], getattr(self.spec, "knn_max_df", 1.0))
            self.knn_y = np.array([index[v] for v in y.tolist()], dtype=np.int32)
        self.clfs = []
        for clf in _classifiers(self.spec):
            clf.fit(X, y)
            self.clfs.append(clf)
        self._fortran()
        return self

    def with_classifiers_fitted(self, X, y) -> "TextModel":
        """A copy sharing this model's fitted vectorisers, with classifiers fitted on (X, y)."""
        m = TextModel(self.spec, word_vec=self.word_vec, char_vec=self.char_vec, head_vec=self.head_vec)
        return m.fit_classifiers(X, y)

    def fit(self, texts, y) -> "TextModel":
        norm, toks = prepare(texts)
        return self.fit_prepared(norm, toks, y)

    def _stack(self, Xw, Xc, Xh=None):
        if self.spec.char_weight != 1.0:
            Xc = Xc * self.spec.char_weight
        blocks = [Xw, Xc]
        if Xh is not None:
            blocks.append(Xh * np.float32(self.spec.head_weight))
        return sp.hstack(blocks, format="csr", dtype=np.float32)

    def _fortran(self) -> None:
        # docs/design/architecture.md §9.6: C-ordered coef_ makes scipy copy the weight matrix on
        # every call.
        for clf in self.clfs:
            ests = [clf]
            if hasattr(clf, "calibrated_classifiers_"):
                ests = [c.estimator for c in clf.calibrated_classifiers_]
            for e in ests:
                if hasattr(e, "coef_"):
                    # float32 halves the model on disk and in RAM; features are float32 anyway
                    e.coef_ = np.asfortranarray(e.coef_, dtype=np.float32)

    # -------------------------------------------------------------- predict ----------
    def transform_prepared(self, norm, toks):
        """Stacked feature matrix (one-pass FastTfidf; same values as transform_sklearn)."""
        ff = getattr(self, "_ff", None)
        if ff is None:
            ff = self._ff = FastTfidf(self)
        return ff.transform(norm, toks)

    def transform_sklearn(self, norm, toks):
        """Reference transform through the fitted scikit-learn vectorisers."""
        hv = getattr(self, "head_vec", None)
        Xh = hv.transform(self._heads(norm)) if hv is not None else None
        return self._stack(self.word_vec.transform(toks), self.char_vec.transform(norm), Xh)

    def _n_word(self) -> int:
        return len(self.word_vec.vocabulary_)

    def _fast_sigmoid(self):
        """Stacked (W, B, A, C, k) for calibrated-sigmoid LinearSVCs, or None (use sklearn).

        Same arithmetic as CalibratedClassifierCV.predict_proba, without its per-call validation
        overhead (~1.5 ms per calibrated fold per call): one sparse @ dense product for all folds.
        """
        fast = getattr(self, "_fast", False)
        if fast is not False:
            return fast
        fast = None
        if len(self.clfs) == 1 and hasattr(self.clfs[0], "calibrated_classifiers_"):
            clf = self.clfs[0]
            ccs = clf.calibrated_classifiers_
            k = len(clf.classes_)
            ok = k > 2 and all(cc.method == "sigmoid" and len(cc.estimator.classes_) == k
                               and hasattr(cc.estimator, "coef_") for cc in ccs)
            if ok:
                W = np.asfortranarray(np.vstack([cc.estimator.coef_ for cc in ccs]))
                B = np.concatenate([cc.estimator.intercept_ for cc in ccs])
                A = np.concatenate([[c.a_ for c in cc.calibrators] for cc in ccs]).astype(np.float64)
                C = np.concatenate([[c.b_ for c in cc.calibrators] for cc in ccs]).astype(np.float64)
                fast = (W, B, A, C, k)
        self._fast = fast
        return fast

    def decision(self, X) -> np.ndarray:
        """Raw LinearSVC scores (n, k) for clf="svc" (k=2: [-d, d])."""
        clf = self.clfs[0]
        D = np.asarray(X @ clf.coef_.T) + clf.intercept_
        if D.shape[1] == 1:
            D = np.hstack([-D, D])
        return D

    def set_calibration(self, A, B) -> None:
        self.platt = (np.asarray(A, dtype=np.float64), np.asarray(B, dtype=np.float64))

    def _linear_proba(self, X) -> np.ndarray:
        if getattr(self, "platt", None) is not None and self.spec.clf == "svc":
            return platt_proba(self.decision(X), *self.platt)
        fast = self._fast_sigmoid()
        if fast is None:
            P = None
            for clf in self.clfs:
                p = clf.predict_proba(X)
                P = p if P is None else P + p
            return P / len(self.clfs)
        W, B, A, C, k = fast
        D = np.asarray(X @ W.T) + B
        P = 1.0 / (1.0 + np.exp(A * D + C))  # expit(-(a*d + b))
        P = P.reshape(X.shape[0], -1, k)
        den = P.sum(axis=2, keepdims=True)
        P = np.where(den == 0, 1.0 / k, P / np.where(den == 0, 1.0, den))
        return P.mean(axis=1)

    def proba_from_X(self, X) -> np.ndarray:
        # every clf was fitted on the same y, so classes_ == self.labels (sorted)
        P = self._linear_proba(X)
        w = self.spec.knn_weight
        if w > 0 and self.knn_X is not None and self.knn_X.shape[0] > 0:
            P = (1 - w) * P + w * self._knn_proba(X)
        return P

    def _knn_proba(self, Q) -> np.ndarray:
        k = min(self.spec.knn_k, self.knn_X.shape[0])
        XT = getattr(self, "_knn_XT", None)
        if XT is None:  # transpose once per process: csr @ csr, no per-call csc->csr conversion
            XT = self._knn_XT = sp.csr_matrix(self.knn_X.T)
        if Q.shape[1] < XT.shape[0]:
            raise ValueError("kNN query narrower than the word block")
        if Q.shape[1] > XT.shape[0]:
            Q = _first_columns(sp.csr_matrix(Q), XT.shape[0])
        if Q.shape[0] == 0:
            return np.zeros((0, len(self.labels)))
        # in chunks of rows: the dense similarity block stays in cache (~2x faster for a batch)
        tops, simss = [], []
        for i in range(0, Q.shape[0], _KNN_CHUNK):
            top, sims = top_k(((Q[i: i + _KNN_CHUNK] @ XT).toarray()), k)
            tops.append(top)
            simss.append(sims)
        top, sims = np.vstack(tops), np.vstack(simss)
        V = np.zeros((Q.shape[0], len(self.labels)), dtype=np.float64)
        rows = np.repeat(np.arange(Q.shape[0]), k)
        np.add.at(V, (rows, self.knn_y[top].ravel()), sims.ravel())
        tot = V.sum(axis=1, keepdims=True)
        # no similar neighbour at all: fall back to a uniform vote (lowers confidence)
        return np.where(tot > 0, V / np.maximum(tot, 1e-12), 1.0 / len(self.labels))

    def rank_scores(self, P: np.ndarray) -> np.ndarray:
        """Scores whose order ranks the labels: log P + label_bias (P itself without a bias)."""
        return rank_scores(P, getattr(self, "label_bias", None))

    def predict_proba(self, texts) -> np.ndarray:
        norm, toks = prepare(texts)
        return self.proba_from_X(self.transform_prepared(norm, toks))

    def top_terms(self, toks: str, label_idx: int, n: int = 5, xw=None) -> list[str]:
        """Words of this text with the largest positive contribution to the label (word block).

        xw: the text's word-block row, or its full stacked feature row, if already computed
        (saves a transform per call)."""
        nw = self._n_word()
        if xw is None:
            xw = self.word_vec.transform([toks])
        else:
            xw = sp.csr_matrix(xw)
        ind, dat = xw.indices, xw.data
        keep = ind < nw
        ind, dat = ind[keep], dat[keep]
        if len(ind) == 0:
            return []
        w = np.zeros(nw, dtype=np.float64)
        for clf in self.clfs:
            if hasattr(clf, "calibrated_classifiers_"):
                for c in clf.calibrated_classifiers_:
                    coef = c.estimator.coef_
                    w += coef[label_idx if coef.shape[0] > 1 else 0, :nw]
            else:
                coef = clf.coef_
                if coef.shape[0] > 1:
                    w += coef[label_idx, :nw]
                else:  # binary: coef is for labels[1]
                    w += coef[0, :nw] * (1 if label_idx == 1 else -1)
        contrib = dat * w[ind]
        order = np.argsort(-contrib)
        vocab = self._inv_vocab()
        out = []
        for i in order:
            if contrib[i] <= 0 or len(out) >= n:
                break
            term = vocab[ind[i]]
            if term.startswith("x") and term.endswith("x"):
                continue  # placeholder tokens
            out.append(term.replace(" ", ""))
        return out

    def _inv_vocab(self):
        inv = getattr(self, "_inv", None)
        if inv is None:
            inv = np.empty(len(self.word_vec.vocabulary_), dtype=object)
            for t, i in self.word_vec.vocabulary_.items():
                inv[i] = t
            self._inv = inv
        return inv

    def __getstate__(self):
        d = dict(self.__dict__)
        for k in ("_inv", "_fast", "_knn_XT", "_ff"):
            d.pop(k, None)
        return d
