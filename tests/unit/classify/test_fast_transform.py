import numpy as np

from hotline.classify.pipeline import FastTfidf, ModelSpec, TextModel, prepare


def _check(model, norm, toks):
    fast = model.transform_prepared(norm, toks)
    ref = model.transform_sklearn(norm, toks)
    assert fast.shape == ref.shape and fast.dtype == ref.dtype
    assert np.allclose(fast.toarray(), ref.toarray(), atol=1e-6)
    # single-text rows equal the batch rows
    for i in (0, len(norm) // 2, len(norm) - 1):
        one = model.transform_prepared([norm[i]], [toks[i]])
        assert np.allclose(one.toarray(), ref[i].toarray(), atol=1e-6)


def test_fast_transform_equals_sklearn_per_block(seed_rows):
    rows = seed_rows[:1000]
    norm, toks = prepare([r["text"] for r in rows])
    model = TextModel(ModelSpec()).fit_prepared(norm[:800], toks[:800], [r["label"] for r in rows[:800]])
    sample_n, sample_t = norm[800:1000], toks[800:1000]
    _check(model, sample_n + ["", "  a  b ", "\x00x"], sample_t + ["", "a b", "x"])
    # each block on its own (200 texts): word, char, head
    ff = FastTfidf(model)
    assert [b["kind"] for b in ff.blocks] == ["word", "char", "head"]
    X = model.transform_prepared(sample_n, sample_t)
    nw, nc = len(model.word_vec.vocabulary_), len(model.char_vec.vocabulary_)
    assert np.allclose(X[:, :nw].toarray(), model.word_vec.transform(sample_t).toarray(), atol=1e-6)
    assert np.allclose(X[:, nw:nw + nc].toarray(), model.char_vec.transform(sample_n).toarray(), atol=1e-6)
    heads = [t[: model.spec.head_chars] for t in sample_n]
    assert np.allclose(X[:, nw + nc:].toarray(),
                       model.head_vec.transform(heads).toarray() * model.spec.head_weight, atol=1e-6)


def test_fast_transform_generic_ngram_ranges(seed_rows):
    rows = seed_rows[:400]
    norm, toks = prepare([r["text"] for r in rows])
    spec = ModelSpec(word_ngram=(1, 2), char_ngram=(2, 4), char_weight=0.5)
    model = TextModel(spec).fit_prepared(norm[:300], toks[:300], [r["label"] for r in rows[:300]])
    _check(model, norm[300:], toks[300:])


def test_fast_transform_splits_batches_whose_row_numbers_overflow(seed_rows, monkeypatch):
    """Row numbers share the n-gram code's 64 bits; a batch too large for the field is split."""
    rows = seed_rows[:300]
    norm, toks = prepare([r["text"] for r in rows])
    model = TextModel(ModelSpec()).fit_prepared(norm[:250], toks[:250], [r["label"] for r in rows[:250]])
    full = model.transform_prepared(norm[250:], toks[250:])
    for b in model._ff.blocks:
        if "row_bits" in b:
            b["row_bits"] = 3  # at most 7 texts per lookup: 50 texts take several splits
    from hotline.classify import pipeline

    monkeypatch.setattr(pipeline, "_TRANSFORM_CHUNK", 16)  # and batches processed in chunks
    split = model.transform_prepared(norm[250:], toks[250:])
    assert split.shape == full.shape
    assert np.allclose(split.toarray(), full.toarray(), atol=1e-7)
    assert np.allclose(split.toarray(), model.transform_sklearn(norm[250:], toks[250:]).toarray(), atol=1e-6)
