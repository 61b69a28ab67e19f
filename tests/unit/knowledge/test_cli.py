import csv

from click.testing import CliRunner

from hotline.cli import main
from hotline.knowledge.domain.article import export_csv

from .conftest import ARTICLES


def _write(tmp_path):
    arts = tmp_path / "articles.csv"
    export_csv(ARTICLES, arts)
    q = tmp_path / "q.csv"
    with open(q, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["qid", "query"])
        w.writerow(["q1", "身份证丢了怎么补办"])
        w.writerow(["q2", "量子引力弦论的卡拉比丘流形"])
        w.writerow(["q3", "2016年运动会怎么报名"])
    return arts, q


def test_kb_search_writes_the_columns(tmp_path):
    arts, q = _write(tmp_path)
    out = tmp_path / "out.csv"
    r = CliRunner().invoke(main, ["kb", "search", "--articles", str(arts), "--data", str(q),
                                  "--id-column", "qid", "--text-column", "query",
                                  "--as-of", "2017-08-31", "--out", str(out)])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert list(rows[0]) == ["id", "article_id", "score", "top5"]
    by = {row["id"]: row for row in rows}
    assert by["q1"]["article_id"] == "A2"
    assert by["q2"]["article_id"] == ""                      # abstained
    assert len(by["q2"]["top5"].split(";")) == 5             # top5 filled even so
    assert "A5" not in by["q3"]["top5"].split(";") and by["q3"]["article_id"] != "A5"
    float(by["q1"]["score"])


def test_kb_search_unknown_column_is_a_usage_error(tmp_path):
    arts, q = _write(tmp_path)
    r = CliRunner().invoke(main, ["kb", "search", "--articles", str(arts), "--data", str(q),
                                  "--id-column", "nope", "--text-column", "query",
                                  "--as-of", "2017-08-31", "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2 and "nope" in r.output


def test_kb_search_bad_date(tmp_path):
    arts, q = _write(tmp_path)
    r = CliRunner().invoke(main, ["kb", "search", "--articles", str(arts), "--data", str(q),
                                  "--id-column", "qid", "--text-column", "query",
                                  "--as-of", "31.8.2017", "--out", str(tmp_path / "o.csv")])
    assert r.exit_code == 2 and "--as-of" in r.output


def test_kb_import_summary_and_export(tmp_path):
    arts, _ = _write(tmp_path)
    out = tmp_path / "exp.csv"
    r = CliRunner().invoke(main, ["kb", "import", "--data", str(arts), "--as-of", "2017-08-31",
                                  "--export", str(out), "--dry-run"])
    assert r.exit_code == 0, r.output
    assert "articles: 8" in r.output and "servable on 2017-08-31: 7" in r.output
    assert out.read_text(encoding="utf-8") == arts.read_text(encoding="utf-8")


def test_kb_import_bad_rows_exit_nonzero(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,question,answer,start_date\nX,q,a,yesterday\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["kb", "import", "--data", str(bad)])
    assert r.exit_code == 1 and "start_date" in r.output
