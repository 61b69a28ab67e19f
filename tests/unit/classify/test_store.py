import os

import pytest

from hotline.classify.store import ModelStore, NoModelError


def test_no_model_raises(tmp_path):
    with pytest.raises(NoModelError):
        ModelStore(tmp_path).current()


def test_publish_and_reload_without_restart(tmp_path, seed_model):
    model, card = seed_model
    store = ModelStore(tmp_path / "models", check_interval=0.0)
    v1 = store.save(model, {**card, "model_version": "v1"})
    store.publish(v1)
    p1 = store.current()
    assert p1.card["model_version"] == "v1"
    assert store.current() is p1  # cached

    # a second process publishes v2: this process picks it up on the next check
    other = ModelStore(tmp_path / "models")
    v2 = other.save(model, {**card, "model_version": "v2"})
    assert store.current() is p1  # saved but not yet published
    other.publish(v2)
    p2 = store.current()
    assert p2 is not p1 and p2.card["model_version"] == "v2"
    assert (tmp_path / "models" / "CURRENT").read_text().strip() == "v2"
    assert store.versions() == ["v1", "v2"]
    assert p2.predict("路灯不亮")["suggestions"]


def test_pointer_checked_at_most_once_per_interval(tmp_path, seed_model):
    model, card = seed_model
    store = ModelStore(tmp_path, check_interval=60.0)
    store.publish(store.save(model, {**card, "model_version": "a"}))
    pa = store.current()
    store.publish(store.save(model, {**card, "model_version": "b"}))
    assert store.current() is pa  # within the interval: no file system check


def test_publish_external_dir_and_atomic_pointer(tmp_path, seed_model):
    from hotline.classify.predictor import Predictor

    model, card = seed_model
    ext = Predictor.save(model, {**card, "model_version": "ext1"}, tmp_path / "ext")
    store = ModelStore(tmp_path / "root", check_interval=0)
    assert store.publish(ext) == "ext1"
    assert store.current().card["model_version"] == "ext1"
    leftovers = [f for f in os.listdir(tmp_path / "root") if f.startswith(".")]
    assert leftovers == []


def test_publish_unknown_version_fails(tmp_path):
    with pytest.raises(NoModelError):
        ModelStore(tmp_path).publish("nope")


def test_artefacts_of_the_joblib_format_still_load(tmp_path, seed_model):
    """Models published before the switch to model.pickle.gz (joblib files) keep working."""
    import joblib

    from hotline.classify.predictor import Predictor
    from hotline.classify.store import ModelStore

    model, card = seed_model
    old = tmp_path / "old"
    old.mkdir()
    joblib.dump(model, old / "model.joblib", compress=3)
    p = Predictor.load(old)
    assert p.predict("小区垃圾无人清运")["suggestions"][0]["label"] == \
        Predictor(model).predict("小区垃圾无人清运")["suggestions"][0]["label"]
    store = ModelStore(tmp_path / "store")
    version = store.publish(old)
    assert version in store.versions() and store.current() is not None
