import csv

from click.testing import CliRunner

from hotline.classify.cli import classify


def _write(path, rows, cols):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)


def test_train_predict_roundtrip_any_label_set(tmp_path, seed_rows):
    # a small CSV with a label set that is neither categories nor units
    keep = {"water_supply": "水", "power_supply": "电", "school_admission": "学"}
    rows = [{"id": r["id"], "text": r["text"], "label": keep[r["label"]]} for r in seed_rows if r["label"] in keep]
    train_csv, test_csv, out_csv = tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "pred.csv"
    _write(train_csv, rows, ["id", "text", "label"])
    _write(test_csv, [{"id": "q1", "content": "孩子今年要上一年级，积分入学怎么申请"},
                      {"id": "q2", "content": "这个月电费突然高了很多，怀疑电表不准"}], ["id", "content"])
    runner = CliRunner()
    res = runner.invoke(classify, ["train", "--data", str(train_csv), "--text-column", "text",
                                   "--label-column", "label", "--out", str(tmp_path / "model"), "--folds", "3"])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "model" / "model.pickle.gz").exists() and (tmp_path / "model" / "model_card.json").exists()
    res = runner.invoke(classify, ["predict", "--model", str(tmp_path / "model"), "--data", str(test_csv),
                                   "--text-column", "content", "--out", str(out_csv)])
    assert res.exit_code == 0, res.output
    with open(out_csv, encoding="utf-8") as f:
        got = list(csv.DictReader(f))
    assert list(got[0].keys()) == ["id", "label", "score", "auto", "label2", "score2", "label3", "score3"]
    assert [g["id"] for g in got] == ["q1", "q2"]
    assert got[0]["label"] == "学" and got[1]["label"] == "电"
    assert all(g["auto"] in ("true", "false") for g in got)
    assert float(got[0]["score"]) >= float(got[0]["score2"]) >= float(got[0]["score3"])


def test_evaluate_prints_report(tmp_path, seed_rows):
    rows = [r for r in seed_rows if r["label"] in ("tax", "taxi", "food_safety")]
    p = tmp_path / "d.csv"
    _write(p, [{"text": r["text"], "label": r["label"]} for r in rows], ["text", "label"])
    res = CliRunner().invoke(classify, ["evaluate", "--data", str(p), "--text-column", "text",
                                        "--label-column", "label", "--folds", "3"])
    assert res.exit_code == 0, res.output
    for word in ("accuracy", "macro-F1", "per-class F1", "confusion matrix", "coverage/precision", "threshold"):
        assert word in res.output


def test_missing_column_is_a_usage_error(tmp_path):
    p = tmp_path / "d.csv"
    _write(p, [{"body": "x", "label": "a"}], ["body", "label"])
    res = CliRunner().invoke(classify, ["train", "--data", str(p), "--out", str(tmp_path / "m")])
    assert res.exit_code != 0 and "text" in res.output


def test_cli_module_does_not_import_sklearn():
    import subprocess
    import sys

    code = "import sys, hotline.classify.cli; print('sklearn' in sys.modules, 'jieba' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False False"
