"""The Dongguan knowledge-base seed (config/knowledge/dongguan_seed.csv), issue 16 build 7: a
team-written demo set of at least 150 articles for `make run`. Parsed with the project's own
parser and searched with the service's own engine, so a row the importer would reject, a unit
code that is not a configured unit, or an article callers cannot find fails here."""
from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from hotline.core.config import load_city
from hotline.knowledge.domain.article import parse_csv
from hotline.knowledge.domain.index import KnowledgeIndex

REPO = Path(__file__).resolve().parents[3]
SEED = REPO / "config" / "knowledge" / "dongguan_seed.csv"
DEMO_MARK = "（示例内容，以主管部门最新规定为准）"
# a day inside the ordinary articles' window and before their review date (2027-01-01)
AS_OF = date(2026, 6, 1)


@pytest.fixture(scope="module")
def parsed():
    return parse_csv(SEED)


@pytest.fixture(scope="module")
def articles(parsed):
    return parsed.articles


@pytest.fixture(scope="module")
def index(articles):
    return KnowledgeIndex(articles)


def _one(articles, fragment):
    """The one article whose question contains `fragment` (the test names articles by their
    wording, not by id, so renumbering the file does not silently retarget a query)."""
    hits = [a for a in articles if fragment in a.question]
    assert len(hits) == 1, f"{fragment!r} matches {[a.id for a in hits]}"
    return hits[0]


def test_every_row_parses_and_there_are_at_least_150(parsed):
    assert parsed.errors == []
    assert len(parsed.articles) >= 150
    assert all(a.id.startswith("DG-KB-") for a in parsed.articles)


def test_every_unit_code_is_a_configured_unit_and_its_name_matches():
    import csv

    units = load_city(REPO / "config").units
    with open(SEED, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    unknown = sorted({r["dept"] for r in rows} - set(units))
    assert unknown == []
    wrong = [r["id"] for r in rows if units[r["dept"]].name != r["dept_name"]]
    assert wrong == []


def test_every_article_has_other_phrasings_keywords_and_the_demo_mark(articles):
    assert [a.id for a in articles if not a.alternatives] == []
    assert [a.id for a in articles if not a.keywords] == []
    assert [a.id for a in articles if not a.answer.endswith(DEMO_MARK)] == []
    assert [a.id for a in articles if not a.category or not a.review_date] == []


def test_topics_are_spread(articles):
    per = Counter(a.category for a in articles)
    for topic in ("社保", "医保", "公积金", "户籍", "入学", "车辆", "住房", "水电气", "劳动",
                  "市场监管", "交通出行", "环境", "民政", "出入境", "税务", "政务服务"):
        assert per[topic] >= 10, (topic, per[topic])


def test_validity_windows_demonstrate_filtering(articles):
    expired = [a for a in articles if a.end_date == date(2025, 12, 31)]
    future = [a for a in articles if a.start_date == date(2027, 6, 1)]
    assert len(expired) >= 5 and len(future) >= 3
    assert not any(a.servable(AS_OF) for a in expired + future)
    assert all(a.servable(date(2025, 6, 1)) for a in expired)
    assert all(a.servable(date(2027, 7, 1)) for a in future if a.review_date > date(2027, 7, 1))
    # review date one year after the start (issue 16 build 1: past it, not served)
    assert all(a.review_date.replace(year=a.review_date.year - 1) == a.start_date
               for a in articles)


def test_an_expired_article_is_found_on_its_day_and_never_after(articles, index):
    old = _one(articles, "2025年东莞积分入户")
    assert index.search(old.question, date(2025, 6, 1)).top[0].article_id == old.id
    later = index.search(old.question, AS_OF)
    assert old.id not in [h.article_id for h in later.top]


# Colloquial queries as mainland callers ask them. None of them is copied from an article's
# question or alternative phrasings (checked below), so they exercise the engine's analysis.
QUERIES = [
    ("孩子上学积分是怎么算的", "外地人孩子在东莞上学要积分"),
    ("公积金里的钱要怎么取出来", "公积金能取出来吗"),
    ("身份證遺失補辦", "身份证丢了怎么补办"),
    ("我妈在老家住院能用东莞医保吗", "异地就医备案"),
    ("干了三个月一分钱没拿到", "老板拖欠工资不给"),
    ("饭馆油烟呛得受不了找谁管", "油烟太大"),
    ("我家没电了邻居家有电", "突然停电"),
    ("厨房一股臭鸡蛋味是不是漏气", "闻到家里有煤气味"),
    ("驾驶证要过期了去哪换", "驾驶证快到期"),
    ("去香港的签注没了怎么办", "港澳通行证签注用完"),
    ("被公司开除了能拿多少赔偿", "公司辞退我"),
    ("买的鞋子是假的商家不认", "买到假货"),
    ("健身卡办了店关门了钱能退吗", "健身房"),
    ("回湖南了东莞交的养老保险怎么办", "养老保险怎么转回去"),
    ("隔壁工地半夜还在打桩", "晚上工地还在施工"),
    ("路边水管破了一直在喷水", "水管爆了"),
]


def test_smoke_queries_are_not_copied_from_the_articles(articles):
    texts = {t for a in articles for t in (a.question, *a.alternatives)}
    assert [q for q, _ in QUERIES if q in texts] == []


@pytest.mark.parametrize("query,fragment", QUERIES, ids=[q for q, _ in QUERIES])
def test_colloquial_query_finds_its_article_in_the_top_3(articles, index, query, fragment):
    want = _one(articles, fragment)
    top = [h.article_id for h in index.search(query, AS_OF).top[:3]]
    assert want.id in top, (query, top)
