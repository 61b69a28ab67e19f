import pytest

from hotline.classify import text as T


@pytest.fixture(scope="session")
def seed_rows():
    from hotline.classify.seed.generate import load

    return load()


@pytest.fixture(scope="session")
def seed_model(seed_rows):
    """(model, card) trained once on the shipped seed corpus, threshold from 3-fold CV."""
    from hotline.classify.training import train

    T.initialize()
    return train([r["text"] for r in seed_rows], [r["label"] for r in seed_rows], folds=3)


@pytest.fixture(scope="session")
def predictor(seed_model):
    from hotline.classify.predictor import Predictor

    model, card = seed_model
    return Predictor(model, card)
