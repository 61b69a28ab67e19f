"""top_k (the kNN's neighbour selection) picks the same entries as np.argpartition."""
import numpy as np
import pytest

from hotline.classify.pipeline import top_k


def _reference(S, k):
    top = np.argpartition(S, S.shape[1] - k, axis=1)[:, -k:]
    return top, np.take_along_axis(S, top, axis=1)


@pytest.mark.parametrize("k", [1, 3, 10])
def test_same_sets_as_argpartition_with_ties_and_sparse_rows(k):
    rng = np.random.default_rng(k)
    S = rng.random((300, 400)).astype(np.float32)
    S[rng.random(S.shape) < 0.6] = 0            # half-empty rows, as the kNN similarities are
    S[:20, :] = 0                               # rows with no similar text at all
    S[20:40, 5:] = 0                            # rows with fewer than k non-zero entries
    S[40:60, 100:100 + k + 3] = 0.99            # ties at the k-th value
    S[60:80] = np.round(S[60:80], 1)            # many ties everywhere
    top, sims = top_k(S, k)
    ref_top, ref_sims = _reference(S, k)
    assert top.shape == sims.shape == (300, k)
    # the values picked are the k largest of each row (the same multiset as the reference) ...
    assert np.array_equal(np.sort(sims, axis=1), np.sort(ref_sims, axis=1))
    assert np.array_equal(np.take_along_axis(S, top, axis=1), sims)
    # ... from k distinct columns, and where the k-th value is not tied, the same columns
    assert all(len(set(r)) == k for r in top.tolist())
    kth = np.sort(S, axis=1)[:, -k]
    untied = (S >= kth[:, None]).sum(axis=1) == k
    assert untied.sum() > 100
    assert all(set(a) == set(b) for a, b in zip(top[untied].tolist(), ref_top[untied].tolist()))


def test_k_at_least_the_width_takes_every_column():
    S = np.array([[0.2, 0.0, 0.7]], dtype=np.float32)
    top, sims = top_k(S, 3)
    assert sorted(top[0].tolist()) == [0, 1, 2] and sorted(sims[0].tolist()) == sorted(S[0].tolist())
