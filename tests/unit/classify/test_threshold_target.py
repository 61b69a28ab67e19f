"""The auto-dispatch threshold's precision target comes from config/classify.yaml, and the
held-out pass estimate behind its value (docs/model_card.md, round 5) counts what it says."""
import numpy as np
import pytest

from hotline.classify import settings
from hotline.classify.training import cross_validate, default_target, heldout_pass_estimate


def test_shipped_target_is_the_configured_one():
    assert default_target() == settings.load()["auto_dispatch"]["target_precision"] == 0.98


def test_configured_target_drives_the_cv_threshold(seed_rows, tmp_path, monkeypatch):
    rows = seed_rows[::4]
    texts, labels = [r["text"] for r in rows], [r["label"] for r in rows]
    monkeypatch.setattr(settings, "CONFIG_DIR", tmp_path)
    (tmp_path / "classify.yaml").write_text("auto_dispatch:\n  target_precision: 0.995\n",
                                            encoding="utf-8")
    strict = cross_validate(texts, labels, folds=2)
    (tmp_path / "classify.yaml").write_text("auto_dispatch:\n  target_precision: 0.6\n",
                                            encoding="utf-8")
    loose = cross_validate(texts, labels, folds=2)
    assert strict["target_precision"] == 0.995 and loose["target_precision"] == 0.6
    assert strict["threshold_precision"] >= 0.995
    assert loose["threshold"] <= strict["threshold"]
    assert loose["threshold_coverage"] >= strict["threshold_coverage"]


def test_heldout_estimate_on_whole_population_is_exact():
    # 100 texts: the 80 with confidence 0.9 include 79 correct ones (precision 0.9875,
    # coverage 0.8); the 20 below the threshold are all wrong
    conf = np.r_[np.full(80, 0.9), np.full(20, 0.1)]
    correct = np.r_[np.ones(79), 0.0, np.zeros(20)]
    whole = heldout_pass_estimate(conf, correct, 0.5, n=100, draws=20)
    assert whole["mean_coverage"] == pytest.approx(0.8)
    assert whole["mean_precision"] == pytest.approx(0.9875)
    assert whole["p_precision"] == whole["p_coverage"] == whole["p_both"] == 1.0
    strict = heldout_pass_estimate(conf, correct, 0.5, n=100, draws=20, min_coverage=0.85)
    assert strict["p_coverage"] == strict["p_both"] == 0.0 and strict["p_precision"] == 1.0


def test_heldout_estimate_of_a_sample_sees_sampling_noise():
    rng = np.random.default_rng(3)
    conf = rng.random(4000)
    correct = (rng.random(4000) < 0.99).astype(float)
    # the threshold covers exactly 75 % of the population: about half the samples fall below
    threshold = np.sort(conf)[1000]
    assert (conf >= threshold).mean() == 0.75
    est = heldout_pass_estimate(conf, correct, threshold, n=1588, draws=400)
    assert 0.2 < est["p_coverage"] < 0.8
    assert est["p_both"] <= min(est["p_precision"], est["p_coverage"])
