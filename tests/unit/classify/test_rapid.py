import pytest

from hotline.classify import rapid


@pytest.fixture(scope="module")
def detector():
    return rapid.RapidDetector.from_seed()


def test_config_has_exactly_65_items_with_valid_refs():
    import yaml

    from hotline.classify.text import CONFIG_DIR

    items = rapid.load_items()
    assert len(items) == 65 and len({i["code"] for i in items}) == 65
    cats = {c["code"] for c in yaml.safe_load((CONFIG_DIR / "categories.yaml").read_text())["categories"]}
    units = {u["code"] for u in yaml.safe_load((CONFIG_DIR / "units.yaml").read_text())["units"]} | {"town"}
    for it in items:
        assert it["category"] in cats and it["unit"] in units and it["phrases"]
        assert it["contact_minutes"] <= 30
    by = {i["code"]: i for i in items}
    assert by["rr06"]["onsite_minutes"] == 240  # 排水: on site <= 4 h


@pytest.mark.parametrize("text,code", [
    ("半夜两点，寮步镇香市路那边水管爆了，水喷得老高", "rr01"),       # not a corpus sentence
    ("我家住在塘厦，闻到燃气味很重，不敢开火", "rr14"),
    ("救命啊我和孩子被困电梯，困在电梯里十几分钟了", "rr29"),
    ("厚街那个沙井盖缺失，晚上骑车很容易掉下去", "rr23"),
    ("大朗镇某某路下水道堵了，污水冒出来满街都是", "rr06"),
    ("高埗镇一个工地包工头拖欠工资三个月，工友们过年回不了家", "rr39"),
])
def test_detects_held_out_sentences(detector, text, code):
    r = detector.detect(text)
    assert r is not None and r["item_code"] == code
    assert r["matched_phrases"] and 0.6 <= r["score"] <= 1.0
    assert r["contact_minutes"] <= 30


def test_model_catches_paraphrase_without_phrase(detector):
    # no trigger phrase of rr29 literally, but close to the corpus wording
    r = detector.detect("有人困电梯里出不来了，麻烦赶紧安排人过来")
    assert r is not None and r["item_code"] == "rr29"


@pytest.mark.parametrize("text", [
    "咨询积分入学需要什么材料",
    "公积金贷款额度怎么计算",
    "我想表扬东城街道的网格员",
])
def test_ordinary_appeals_not_flagged(detector, text):
    assert detector.detect(text) is None


def test_traditional_input_detected(detector):
    r = detector.detect("長安鎮的水管爆裂了，路面冒水")
    assert r is not None and r["item_code"] == "rr01"


def test_module_level_detect_uses_default(detector):
    rapid.set_detector(detector)
    try:
        assert rapid.detect("东城这里突然停电了")["item_code"] == "rr10"
    finally:
        rapid.set_detector(None)
