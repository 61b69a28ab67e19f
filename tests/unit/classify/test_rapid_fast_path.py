"""The compiled rapid-response scorer must equal scikit-learn's OvR predict_proba."""
import numpy as np

from hotline.classify import rapid, text


def test_compiled_probabilities_equal_sklearn():
    d = rapid.default_detector()
    for t in ("小区电梯困人二十分钟了, 请尽快救援", "咨询积分入学要准备什么材料",
              "道路上井盖不见了, 很危险", "燃氣洩漏, 味道很大"):
        norm = text.normalise(t)
        ref = dict(zip(d.model.classes_, d.model.predict_proba([norm])[0]))
        fast = d._proba(norm)
        assert set(ref) == set(fast)
        # float32 features summed in another order than scikit-learn's: equal to ~1e-9
        assert max(abs(ref[k] - fast[k]) for k in ref) < 1e-7
        assert np.isclose(sum(fast.values()), 1.0)


def test_fast_features_equal_sklearn_transform_on_the_seed_corpus(seed_rows):
    d = rapid.default_detector()
    d._proba("预热")
    norm = [text.normalise(r["text"]) for r in seed_rows[:400]] + ["", "x"]
    fast = d._fast.transform(norm, [""] * len(norm))
    ref = d._vec.transform(norm)
    assert fast.shape == ref.shape
    assert np.allclose(fast.toarray(), ref.toarray(), atol=1e-6)
