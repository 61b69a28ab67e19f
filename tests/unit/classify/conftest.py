import pytest

from hotline.classify import text as T


@pytest.fixture(scope="session")
def seed_rows():
    from hotline.classify.seed.generate import load

    return load()


@pytest.fixture(scope="session")
def seed_model(seed_rows):
    """(model, card) trained once on the shipped seed corpus, threshold from 2-fold CV
    (keeps the fixture to a few seconds)."""
    from hotline.classify.pipeline import ModelSpec
    from hotline.classify.training import train

    T.initialize()
    return train([r["text"] for r in seed_rows], [r["label"] for r in seed_rows], folds=2,
                 spec=ModelSpec())


@pytest.fixture(scope="session")
def predictor(seed_model):
    from hotline.classify.predictor import Predictor

    model, card = seed_model
    return Predictor(model, card)
