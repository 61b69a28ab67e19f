"""The real development queries (skipped when the shared datasets are not beside the repo)."""
import os
from datetime import date
from pathlib import Path

import pytest

from hotline.knowledge.domain import evaluate as E
from hotline.knowledge.domain.article import load_articles
from hotline.knowledge.domain.index import KnowledgeIndex

# the shared datasets beside the repository (as CI lays them out); HOTLINE_SHARED_DIR overrides
SHARED = Path(os.environ.get("HOTLINE_SHARED_DIR") or Path(__file__).resolve().parents[4] / "shared")
DATA = SHARED / "datasets" / "taipei-faq"

# Without the data set the test skips, except under CI=true where the data set is part of the
# checkout's surroundings and its absence must fail the run (the house rule for servers).
PRESENT = (DATA / "articles.csv").exists()
pytestmark = pytest.mark.skipif(not PRESENT and os.environ.get("CI") != "true",
                                reason="taipei-faq data set not beside the repository")


@pytest.fixture(scope="module")
def outcomes():
    assert PRESENT, f"CI=true but the taipei-faq data set is missing at {DATA}"
    idx = KnowledgeIndex(load_articles(DATA / "articles.csv"))
    return E.run(idx, E.load_queries(DATA / "queries-dev.csv"), date(2017, 8, 31))


def test_never_serves_an_article_outside_its_window(outcomes):
    assert E.metrics(outcomes)["violations"] == 0
    assert sum(o.kind == "out_of_window" for o in outcomes) > 0


def test_dev_quality_floor(outcomes):
    # floors a little under the measured figures (docs/knowledge_base.md): a regression trips them
    m = E.metrics(outcomes)
    assert m["top5"] >= 0.92
    assert m["right_first"] >= 0.68
    assert m["abstained_none"] >= 0.80
