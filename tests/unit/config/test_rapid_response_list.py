"""The 快速响应 list's own conflicts (issue 14, Build 3) stay fixed."""

import re

import yaml

from hotline.classify.text import CONFIG_DIR


def _load(name):
    return yaml.safe_load((CONFIG_DIR / name).read_text(encoding="utf-8"))


def test_every_item_unit_is_its_categorys_owner_and_none_is_other():
    owners = {c["code"]: c["owner"] for c in _load("categories.yaml")["categories"]}
    units = {u["code"] for u in _load("units.yaml")["units"]} | {"town"}
    for it in _load("rapid_response.yaml")["items"]:
        assert it["category"] != "other", it["code"]
        assert it["unit"] in units
        assert it["unit"] == owners[it["category"]], it["code"]


def test_named_conflicts_are_resolved():
    by = {it["code"]: it for it in _load("rapid_response.yaml")["items"]}
    assert by["rr23"]["unit"] == "dept_transport" and by["rr60"]["unit"] == "dept_transport"
    assert by["rr55"]["category"] != "other" and by["rr41"]["category"] != "other"
    assert by["rr42"]["category"] != "other"
    assert by["rr63"]["category"] != "school_fees"
    # overlaps: the specific item outranks the generic one; 消防栓没水 is only rr05's
    assert by["rr18"]["priority"] > by["rr23"].get("priority", 0)
    assert by["rr09"]["priority"] > by["rr23"].get("priority", 0)
    assert "消防栓没水" in by["rr05"]["phrases"] and "消防栓没水" not in by["rr44"]["phrases"]
    assert by["rr65"]["priority"] > by["rr64"].get("priority", 0)
    assert "狂犬疫苗断货" in by["rr65"]["phrases"]


def test_patterns_compile():
    for it in _load("rapid_response.yaml")["items"]:
        for p in it.get("patterns", []):
            re.compile(p)


def test_seed_corpus_rapid_rows_carry_their_items_category():
    from hotline.classify.seed.generate import load

    cat = {it["code"]: it["category"] for it in _load("rapid_response.yaml")["items"]}
    for r in load():
        if r["rapid_item"]:
            assert r["label"] == cat[r["rapid_item"]], r["id"]
