import dataclasses
from datetime import date

from hotline.knowledge.domain.article import Article, Status
from hotline.knowledge.domain.index import KnowledgeIndex

from .conftest import ARTICLES, AS_OF


def test_answers_a_plain_question(index):
    r = index.search("身份证丢了怎么补办", AS_OF)
    assert r.answer is not None and r.answer.article_id == "A2"
    assert len(r.top) == 5 and r.top[0].article_id == "A2"


def test_expired_article_never_served_not_even_in_top5(index):
    # A5 is the only match for this query, valid 2016 only
    inside = index.search("2016年运动会怎么报名", date(2016, 6, 1))
    assert inside.answer is not None and inside.answer.article_id == "A5"
    after = index.search("2016年运动会怎么报名", AS_OF)
    assert "A5" not in [h.article_id for h in after.top]
    assert after.answer is None or after.answer.article_id != "A5"
    before = index.search("2016年运动会怎么报名", date(2015, 12, 31))
    assert "A5" not in [h.article_id for h in before.top]


def test_review_date_closes_the_window():
    a = dataclasses.replace(ARTICLES[5], review_date=date(2017, 1, 1))
    idx = KnowledgeIndex([a, *ARTICLES[:5]])
    assert "A6" not in [h.article_id for h in idx.search("垃圾车几点来收", AS_OF).top]
    assert idx.search("垃圾车几点来收", date(2016, 12, 1)).top[0].article_id == "A6"


def test_only_published_articles_are_served():
    draft = dataclasses.replace(ARTICLES[5], status=Status.DRAFT)
    idx = KnowledgeIndex([draft, *ARTICLES[:5]])
    assert "A6" not in [h.article_id for h in idx.search("垃圾车几点来收", AS_OF).top]


def test_abstains_on_nonsense(index):
    for q in ("量子引力弦论的卡拉比丘流形", "asdfgh qwerty", "今天天气真好我们去爬山吧",
              # long and spoken: the length-adjusted bar is lower, still no answer
              "我家楼下那只橘猫今天早上又趴在阳台上晒太阳，看起来特别舒服，我也想跟它一起躺着发呆"):
        r = index.search(q, AS_OF)
        assert r.abstained, q
        assert len(r.top) == 5  # the top five are still filled for the agent to browse


def test_empty_query_abstains(index):
    assert index.search("", AS_OF).abstained


def test_incremental_update_is_visible_immediately(index):
    q = "自来水管爆裂找谁抢修"
    assert index.search(q, AS_OF).abstained
    index.upsert(Article("A9", "自來水管線爆裂如何報修？", "請撥打自來水事業處搶修專線，二十四小時受理。",
                         unit="自來水事業處"))
    r = index.search(q, AS_OF)
    assert r.answer is not None and r.answer.article_id == "A9"
    # a new version replaces the old text: the old wording no longer finds it
    index.upsert(Article("A9", "游泳池開放時間？", "本市游泳池每日上午六時至晚間九時開放。", version=2))
    assert "A9" not in [h.article_id for h in index.search(q, AS_OF).top[:1]]
    assert index.search("游泳池几点开门", AS_OF).top[0].article_id == "A9"
    assert index.get("A9").version == 2 and len(index) == 9
    # withdrawing takes it out of service at once
    index.upsert(dataclasses.replace(index.get("A9"), status=Status.WITHDRAWN, version=3))
    assert "A9" not in [h.article_id for h in index.search("游泳池几点开门", AS_OF).top]
    assert index.remove("A9") and not index.remove("A9")


def test_delta_merge_keeps_results():
    idx = KnowledgeIndex(ARTICLES[:4], merge_at=2)
    for a in ARTICLES[4:]:
        idx.upsert(a)   # crosses merge_at: the delta is merged into the main segment
    assert len(idx) == len(ARTICLES)
    assert idx.search("出租车纠纷去哪投诉", AS_OF).top[0].article_id == "A8"
    assert idx.search("身份证丢了怎么补办", AS_OF).top[0].article_id == "A2"


def test_scores_match_a_fresh_build_after_updates():
    """Incremental index == index built from scratch on the same articles: same best article
    while the change sits in the delta segment, same scores once merged (merge_at=0 merges on
    every change; the delta keeps its own length statistics until then)."""
    delta = KnowledgeIndex(ARTICLES[:6])
    merged = KnowledgeIndex(ARTICLES[:6], merge_at=0)
    for a in [*ARTICLES[6:], dataclasses.replace(ARTICLES[0], version=2)]:
        delta.upsert(a)
        merged.upsert(a)
    fresh = KnowledgeIndex([*ARTICLES[1:], dataclasses.replace(ARTICLES[0], version=2)])
    for q in ("出租车纠纷", "狗怎么登记", "劳保退休金怎么领", "残疾证要带啥材料"):
        a, b, c = delta.search(q, AS_OF), merged.search(q, AS_OF), fresh.search(q, AS_OF)
        assert a.top[0].article_id == c.top[0].article_id
        assert [(h.article_id, round(h.score, 5)) for h in b.top] == \
               [(h.article_id, round(h.score, 5)) for h in c.top]


def test_changes_during_a_merge_are_carried_over(monkeypatch):
    """A change that lands while merge() assembles its matrices (outside the lock) survives."""
    import hotline.knowledge.domain.index as ix

    idx = KnowledgeIndex(ARTICLES[:6])
    idx.upsert(ARTICLES[6])
    real = ix._segment
    fired = []

    def segment_then_change(*a, **k):
        m = real(*a, **k)
        if not fired:  # first matrix of the merge: change the index meanwhile
            fired.append(1)
            idx.upsert(ARTICLES[7])          # added during the merge
            idx.remove("A2")                 # killed during the merge
        return m

    monkeypatch.setattr(ix, "_segment", segment_then_change)
    idx.merge()
    monkeypatch.setattr(ix, "_segment", real)
    assert idx.search("出租车纠纷去哪投诉", AS_OF).top[0].article_id == "A8"
    assert "A2" not in [h.article_id for h in idx.search("身份证丢了怎么补办", AS_OF).top]
    assert idx.search("狗怎么登记", AS_OF).top[0].article_id == "A7"
    assert len(idx) == 7 and idx.get("A2") is None
