"""`hotline classify triage`: one row per input, the issue's columns and encodings (issue 14)."""

import csv

from click.testing import CliRunner

from hotline.classify.cli import TRIAGE_COLUMNS, classify
from hotline.classify.predictor import Predictor


def test_triage_command_writes_the_columns(tmp_path, seed_model):
    model, card = seed_model
    mdir = Predictor.save(model, card, tmp_path / "model")
    data = tmp_path / "in.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerow(["a1", "长安镇振兴路那一段的路灯全灭了，晚上好黑"])
        w.writerow(["a2", "我家楼下的商铺着火了，火很大，烟都冲上来了"])
        w.writerow(["a3", "上次那个问题还没解决"])
        w.writerow(["a4", "请问居住证续签要带什么材料？"])
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(classify, ["triage", "--data", str(data), "--text-column", "text",
                                        "--id-column", "id", "--model", str(mdir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert list(rows[0]) == TRIAGE_COLUMNS == [
        "id", "appeal_type", "appeal_type_score", "rapid", "rapid_item", "rapid_name", "emergency",
        "emergency_line", "vague", "category", "unit", "auto"]
    by = {r["id"]: r for r in rows}
    assert len(rows) == 4
    assert by["a1"]["rapid"] == "1" and by["a1"]["rapid_item"] == "rr19" and by["a1"]["rapid_name"] == "路灯不亮"
    assert by["a1"]["unit"] == "dept_urban" and by["a1"]["auto"] == "1"
    assert by["a2"]["emergency"] == "1" and by["a2"]["emergency_line"] == "119" and by["a2"]["auto"] == "0"
    assert by["a3"]["vague"] == "1" and by["a3"]["auto"] == "0"
    assert by["a4"]["appeal_type"] == "consultation" and by["a4"]["emergency_line"] == ""
    for r in rows:
        assert {r["rapid"], r["emergency"], r["vague"], r["auto"]} <= {"0", "1"}
        assert r["appeal_type"] in {"consultation", "help", "complaint", "report", "suggestion", "praise"}
        assert 0 < float(r["appeal_type_score"]) <= 1


def test_triage_command_without_id_column_numbers_rows(tmp_path, seed_model):
    model, card = seed_model
    mdir = Predictor.save(model, card, tmp_path / "model")
    data = tmp_path / "in.csv"
    data.write_text("text\n请问公积金怎么提取\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(classify, ["triage", "--data", str(data), "--model", str(mdir), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert [r["id"] for r in csv.DictReader(open(out, encoding="utf-8"))] == ["1"]


def test_triage_command_unknown_text_column_is_a_usage_error(tmp_path, seed_model):
    model, card = seed_model
    mdir = Predictor.save(model, card, tmp_path / "model")
    data = tmp_path / "in.csv"
    data.write_text("body\nx\n", encoding="utf-8")
    res = CliRunner().invoke(classify, ["triage", "--data", str(data), "--model", str(mdir),
                                        "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "text" in res.output


def test_triage_without_model_and_nothing_published_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_VAR", str(tmp_path / "var"))
    data = tmp_path / "in.csv"
    data.write_text("id,text\n1,请问公积金怎么提取\n", encoding="utf-8")
    res = CliRunner().invoke(classify, ["triage", "--data", str(data), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2 and "ensure-model" in res.output


def test_triage_score_reports_the_acceptance_figures(tmp_path):
    pred = tmp_path / "pred.csv"
    gold = tmp_path / "gold.csv"
    cols = ",".join(TRIAGE_COLUMNS)
    pred.write_text(cols + "\n"
                    "a,help,0.9,1,rr19,路灯不亮,0,,0,street_lights,dept_urban,1\n"
                    "b,help,0.8,0,,,1,119,0,,,0\n"
                    "c,consultation,0.7,0,,,0,,0,gov_service,dept_data,1\n", encoding="utf-8")
    gold.write_text("id,text,appeal_type,rapid,emergency,emergency_line,vague\n"
                    "a,x,求助,1,0,,0\nb,y,求助,0,1,119,0\nc,z,投诉,0,0,,0\n", encoding="utf-8")
    res = CliRunner().invoke(classify, ["triage-score", "--pred", str(pred), "--gold", str(gold)])
    assert res.exit_code == 0, res.output
    assert "rapid: recall 1.000 (1/1)" in res.output
    assert "emergency: recall 1.000 (1/1)" in res.output and "auto on emergencies 0" in res.output
    assert "plain: auto 1 on 1.000 (1/1)" in res.output
