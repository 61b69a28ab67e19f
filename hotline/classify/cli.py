"""`hotline classify ...` commands. Heavy imports (sklearn, jieba) stay inside the command
bodies so that `hotline --help` does not import scikit-learn."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click


def _read_csv(path, text_column: str, label_column: str | None = None):
    csv.field_size_limit(sys.maxsize)
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and text_column not in rows[0]:
        raise click.UsageError(f"column {text_column!r} not in {path} (have: {', '.join(rows[0])})")
    if label_column and rows and label_column not in rows[0]:
        raise click.UsageError(f"column {label_column!r} not in {path} (have: {', '.join(rows[0])})")
    return rows


def seed_training_data() -> tuple[list[str], list[str]]:
    """(texts, category labels) of the shipped seed corpus."""
    from .seed.generate import load

    rows = load()
    return [r["text"] for r in rows], [r["label"] for r in rows]


def train_to_store(store_root, texts, labels, extra=None, publish: bool = True, progress=None, **kw):
    """Train (texts + extra corrections), save a new version into the ModelStore, publish it.

    extra: iterable of (text, label) learning-loop corrections. Returns (version, card).
    """
    from .store import ModelStore
    from .training import train

    model, card = train(texts, labels, extra_examples=list(extra or []), progress=progress, **kw)
    store = ModelStore(store_root)
    version = store.save(model, card)
    if publish:
        store.publish(version)
    return version, card


def _print_report(cv: dict) -> None:
    click.echo(f"folds: {cv['folds']}  n: {cv['n']}")
    click.echo(f"accuracy: {cv['accuracy']:.4f}")
    click.echo(f"macro-F1: {cv['macro_f1']:.4f}")
    click.echo("per-class F1:")
    for lab, f in cv["per_class_f1"].items():
        click.echo(f"  {lab}\t{f:.4f}")
    click.echo("confusion matrix (rows = true, columns = predicted):")
    labels = cv["labels"]
    click.echo("\t" + "\t".join(str(i) for i in range(len(labels))))
    for i, (lab, row) in enumerate(zip(labels, cv["confusion_matrix"])):
        click.echo(f"{i} {lab}\t" + "\t".join(str(v) for v in row))
    click.echo(f"auto-dispatch threshold (target precision {cv['target_precision']}): {cv['threshold']:.4f}"
               f"  precision {cv['threshold_precision']:.4f}  coverage {cv['threshold_coverage']:.4f}")
    click.echo("coverage/precision curve of the abstain threshold:")
    click.echo("  threshold\tcoverage\tprecision")
    for p in cv["curve"]:
        click.echo(f"  {p['threshold']:.2f}\t{p['coverage']:.4f}\t{p['precision']:.4f}")


@click.group(name="classify")
def classify():
    """Appeal classifier: train, evaluate, predict."""


@classify.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="CSV with text and label columns.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--out", type=click.Path(file_okay=False), help="Model directory to write.")
@click.option("--seed", "use_seed", is_flag=True, help="Train on the shipped seed corpus (default without --data).")
@click.option("--store", type=click.Path(file_okay=False), help="Also save+publish into this model store root.")
@click.option("--folds", default=5, show_default=True, help="CV folds for the threshold (0 = fixed 0.5).")
def train(data, text_column, label_column, out, use_seed, store, folds):
    """Train on a CSV (any label set) and write a model directory."""
    from .predictor import Predictor
    from .training import train as do_train

    if data and not use_seed:
        rows = _read_csv(data, text_column, label_column)
        texts = [r[text_column] or "" for r in rows]
        labels = [r[label_column] for r in rows]
    else:
        texts, labels = seed_training_data()
    if not out and not store:
        raise click.UsageError("give --out DIR and/or --store ROOT")
    model, card = do_train(texts, labels, folds=folds,
                           progress=lambda i, k: click.echo(f"cv fold {i}/{k}", err=True))
    if out:
        Predictor.save(model, card, out)
        click.echo(f"model {card['model_version']} written to {out}")
    if store:
        from .store import ModelStore

        s = ModelStore(store)
        v = s.save(model, card)
        s.publish(v)
        click.echo(f"published {v} in {store}")
    cv = card.get("cv")
    if cv:
        click.echo(f"cv macro-F1 {cv['macro_f1']:.4f}  threshold {card['threshold']:.4f}  "
                   f"precision {cv['threshold_precision']:.4f}  coverage {cv['threshold_coverage']:.4f}")
    click.echo(f"train seconds: {card['train_seconds']}")


@classify.command()
@click.option("--data", type=click.Path(exists=True, dir_okay=False), help="CSV (default: seed corpus).")
@click.option("--text-column", default="text", show_default=True)
@click.option("--label-column", default="label", show_default=True)
@click.option("--folds", default=5, show_default=True)
@click.option("--json-out", type=click.Path(dir_okay=False), help="Also write the metrics as JSON.")
def evaluate(data, text_column, label_column, folds, json_out):
    """Stratified k-fold CV: accuracy, macro-F1, per-class F1, confusion matrix, threshold curve."""
    from .training import cross_validate, json_ready

    if data:
        rows = _read_csv(data, text_column, label_column)
        texts = [r[text_column] or "" for r in rows]
        labels = [r[label_column] for r in rows]
    else:
        texts, labels = seed_training_data()
    cv = cross_validate(texts, labels, folds=folds)
    cv = json_ready(cv)
    _print_report(cv)
    if json_out:
        Path(json_out).write_text(json.dumps(cv, ensure_ascii=False, indent=2), encoding="utf-8")


@classify.command()
@click.option("--model", "model_dir", required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--text-column", default="text", show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--id-column", default="id", show_default=True)
def predict(model_dir, data, text_column, out, id_column):
    """Write id,label,score,auto,label2,score2,label3,score3 for every row of --data."""
    from .predictor import Predictor

    p = Predictor.load(model_dir)
    rows = _read_csv(data, text_column)
    texts = [r[text_column] or "" for r in rows]
    results = []
    for start in range(0, len(texts), 2000):
        results.extend(p.predict_many(texts[start:start + 2000], k=3))
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "label", "score", "auto", "label2", "score2", "label3", "score3"])
        for i, (row, res) in enumerate(zip(rows, results)):
            s = res["suggestions"] + [{"label": "", "score": ""}] * 3
            rid = row.get(id_column, "") or str(i)
            w.writerow([rid, s[0]["label"], s[0]["score"], "true" if res["auto"] else "false",
                        s[1]["label"], s[1]["score"], s[2]["label"], s[2]["score"]])
    n_auto = sum(r["auto"] for r in results)
    click.echo(f"{len(results)} rows -> {out} ({n_auto} auto, threshold {p.threshold:.4f}, model {p.model_version})")


TRIAGE_COLUMNS = ["id", "appeal_type", "appeal_type_score", "rapid", "rapid_item", "rapid_name", "emergency",
                  "emergency_line", "vague", "category", "unit", "auto"]


def published_model_dir():
    """Directory of the model `make run` publishes (`hotline classify ensure-model`), or None."""
    from hotline.core.config import var_dir

    from .store import ModelStore

    # the same store `hotline classify ensure-model` publishes to (hotline/learning/cli.py)
    store = ModelStore(var_dir() / "models")
    v = store.current_version()
    return store.root / v if v else None


def triage_rows(rows, text_column: str, id_column: str | None, predictor=None, town_column: str | None = None):
    """One output row (TRIAGE_COLUMNS) per input row."""
    from .triage import triage

    for i, row in enumerate(rows):
        t = triage(row.get(text_column) or "", town=(row.get(town_column) if town_column else None),
                   predictor=predictor)
        rid = (row.get(id_column) if id_column else None) or str(i + 1)
        yield {"id": rid, **t.as_row()}


@classify.command("triage")
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False), help="CSV of appeals.")
@click.option("--text-column", default="text", show_default=True)
@click.option("--id-column", default="id", show_default=True, help="Row id column (1-based row number if absent).")
@click.option("--town-column", default=None, help="Optional column with the appeal's 镇街 (code or name).")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False),
              help="Category model directory (default: the published model of `hotline classify ensure-model`).")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def triage_cmd(data, text_column, id_column, town_column, model_dir, out):
    """Intake triage of every row: appeal type, rapid response, emergency line, vague, routing, auto."""
    from .predictor import Predictor

    rows = _read_csv(data, text_column)
    if model_dir is None:
        model_dir = published_model_dir()
        if model_dir is None:
            raise click.UsageError("no published model: run `hotline classify ensure-model` or give --model DIR")
    predictor = Predictor.load(model_dir)
    has_id = bool(rows) and id_column in rows[0]
    has_town = bool(town_column) and bool(rows) and town_column in rows[0]
    n = {"rapid": 0, "emergency": 0, "vague": 0, "auto": 0}
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=TRIAGE_COLUMNS)
        w.writeheader()
        for r in triage_rows(rows, text_column, id_column if has_id else None, predictor,
                             town_column if has_town else None):
            w.writerow(r)
            for k in n:
                n[k] += int(r[k])
    click.echo(f"{len(rows)} rows -> {out} (rapid {n['rapid']}, emergency {n['emergency']}, vague {n['vague']}, "
               f"auto {n['auto']}; model {predictor.model_version})")



@classify.command("triage-score")
@click.option("--pred", required=True, type=click.Path(exists=True, dir_okay=False), help="Output of `triage`.")
@click.option("--gold", required=True, type=click.Path(exists=True, dir_okay=False),
              help="Labelled CSV: id, appeal_type, rapid, emergency, emergency_line, vague.")
def triage_score(pred, gold):
    """The issue-14 acceptance figures of a triage output against a labelled file."""
    from .triage_eval import report, score

    with open(pred, encoding="utf-8-sig", newline="") as f:
        p = list(csv.DictReader(f))
    with open(gold, encoding="utf-8-sig", newline="") as f:
        g = list(csv.DictReader(f))
    missing = {r["id"] for r in g} - {r["id"] for r in p}
    if missing:
        raise click.UsageError(f"{len(missing)} labelled ids missing from --pred (e.g. {sorted(missing)[0]})")
    click.echo(report(score(p, g)))


if __name__ == "__main__":
    classify()
