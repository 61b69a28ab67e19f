from hotline.knowledge.domain.text import Analyzer, Settings, load_settings

from .conftest import AS_OF


def test_traditional_and_simplified_normalise_alike():
    an = Analyzer(load_settings())
    assert an.normalise("申請身心障礙手冊需要準備哪些文件") == an.normalise("申请身心障碍手册需要准备哪些文件")
    assert an.words(an.normalise("計程車")) == an.words(an.normalise("计程车"))


def test_traditional_and_simplified_queries_rank_alike(index):
    t = index.search("路邊停車費怎麼繳", AS_OF)
    s = index.search("路边停车费怎么缴", AS_OF)
    assert t.top[0].article_id == s.top[0].article_id == "A3"
    assert [h.score for h in t.top] == [h.score for h in s.top]


def test_identity_card_spellings_meet():
    an = Analyzer(load_settings())
    # Taiwan writes 身分證, the mainland 身份证: both fold to one form
    assert an.normalise("身份證") == an.normalise("身份证") == an.normalise("身分證")


def test_colloquial_synonyms_find_the_article(index):
    # the caller says 残疾证 and 要带啥材料; the article says 身心障礙手冊 and 準備哪些文件
    r = index.search("办残疾证要带啥材料", AS_OF)
    assert r.answer is not None and r.answer.article_id == "A1"
    # 出租车 (mainland) = 計程車 (Taipei)
    assert index.search("出租车纠纷去哪投诉", AS_OF).top[0].article_id == "A8"
    # 泊车 is a colloquial 停车
    assert index.search("路边泊车费怎么交", AS_OF).top[0].article_id == "A3"


def test_synonym_table_is_what_folds(index_articles):
    """Without the group, 残疾证 does not reach 身心障礙手冊 (the test can fail)."""
    base = load_settings()
    bare = Settings(**{**base.__dict__, "synonyms": ()})
    an = Analyzer(bare)
    assert "身心障碍手册" not in an.normalise("残疾证")
    assert "身心障碍手册" in Analyzer(base).normalise("残疾证")


def test_query_stop_words_are_dropped():
    an = Analyzer(load_settings())
    words = an.query_words(an.normalise("我想问一下垃圾车什么时候来"))
    assert "我" not in words and "什么" not in words and "垃圾车" in "".join(words)


def test_bad_synonym_group_names_file_and_key(tmp_path):
    import pytest

    p = tmp_path / "knowledge.yaml"
    p.write_text("synonyms:\n  - [身分证, 身份证]\n  - [孤词]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"synonyms\[1\]"):
        load_settings(p)
