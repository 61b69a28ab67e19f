"""`hotline kb ...`: import articles into the database (or validate them), export them, judge a file of queries, measure the search.

Heavy imports (numpy, scipy, jieba) stay inside the command bodies so `hotline --help` stays
fast. `kb search` uses the very engine the service uses (KnowledgeIndex), issue 16 build 8.
"""
from __future__ import annotations

import csv
import sys
from collections import Counter
from datetime import date

import click


def _as_of(value: str | None) -> date:
    if not value:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"不是 YYYY-MM-DD 日期: {value!r}", param_hint="--as-of")


def _articles(path):
    from .domain.article import ArticleError, parse_csv

    try:
        res = parse_csv(path)
    except ArticleError as exc:
        raise click.UsageError(f"{path}: {exc.field}: {exc.reason}")
    return res


@click.group(help="知识库 (knowledge base): import, search, evaluate.")
def kb():
    pass


@kb.command("import", help="Import a knowledge-base CSV (taipei-faq columns) into the database: "
                           "every row becomes a published article of the unit in its dept/unit "
                           "column (a unit code or a unit's name). A file with a bad row is "
                           "refused whole. --dry-run only validates; --export writes the parsed "
                           "articles back as CSV.")
@click.option("--data", "data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as-of", "as_of", default=None, help="date for the servable count (default today)")
@click.option("--dry-run", is_flag=True, help="validate and summarise; write nothing")
@click.option("--demo", is_flag=True, help="mark the articles as demo content")
@click.option("--export", "export", default=None, type=click.Path(dir_okay=False),
              help="write the parsed articles to this CSV (the export format)")
def kb_import(data, as_of, dry_run, demo, export):
    from .domain.article import export_csv

    day = _as_of(as_of)
    res = _articles(data)
    arts = res.articles
    click.echo(f"articles: {len(arts)}  rejected rows: {len(res.errors)}")
    for e in res.errors[:20]:
        click.echo(f"  row {e.row}: {e.field}: {e.reason}", err=True)
    status = Counter(a.status.value for a in arts)
    click.echo("status: " + ", ".join(f"{k} {v}" for k, v in sorted(status.items())))
    servable = sum(a.servable(day) for a in arts)
    expired = sum(1 for a in arts if a.end_date and a.end_date < day)
    click.echo(f"servable on {day.isoformat()}: {servable}  past end date: {expired}  "
               f"units: {len({a.unit for a in arts})}")
    if export:
        export_csv(arts, export)
        click.echo(f"exported {len(arts)} articles to {export}")
    if res.errors:
        click.echo("nothing written: fix the rejected rows first", err=True)
        sys.exit(1)
    if dry_run:
        click.echo("dry run: nothing written to the database")
        return
    from hotline.cli import _runtime

    from .service import import_articles
    n = import_articles(_runtime(), arts, author="cli-import", demo=demo)
    click.echo(f"stored: {n['created']} new, {n['updated']} changed (new version), "
               f"{n['unchanged']} unchanged")


@kb.command("export", help="Write the stored articles (latest version of each, or only the "
                           "published one) as CSV in the import format.")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
@click.option("--published-only", is_flag=True)
def kb_export(out, published_only):
    from hotline.cli import _runtime

    from .domain.article import export_csv
    from .service import export_articles
    arts = export_articles(_runtime(), published_only=published_only)
    export_csv(arts, out)
    click.echo(f"exported {len(arts)} articles to {out}")


@kb.command("search", help="Answer every query of a CSV; writes id, article_id, score, top5.")
@click.option("--articles", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--id-column", default="id", show_default=True)
@click.option("--text-column", default="text", show_default=True)
@click.option("--as-of", "as_of", required=True, help="YYYY-MM-DD: only articles valid then")
@click.option("--out", required=True, type=click.Path(dir_okay=False))
def kb_search(articles, data, id_column, text_column, as_of, out):
    from .domain.index import KnowledgeIndex

    day = _as_of(as_of)
    res = _articles(articles)
    if res.errors:
        e = res.errors[0]
        raise click.UsageError(f"{articles}: row {e.row}: {e.field}: {e.reason}")
    csv.field_size_limit(sys.maxsize)
    with open(data, encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        cols = reader.fieldnames or []
        for c in (id_column, text_column):
            if c not in cols:
                raise click.UsageError(f"column {c!r} not in {data} (have: {', '.join(cols)})")
        rows = list(reader)
    index = KnowledgeIndex(res.articles)
    answered = 0
    with open(out, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "article_id", "score", "top5"])
        for r in rows:
            result = index.search(r[text_column], day)
            best = result.top[0].score if result.top else 0.0
            answered += not result.abstained
            w.writerow([r[id_column], result.answer.article_id if result.answer else "",
                        f"{best:.4f}", ";".join(h.article_id for h in result.top[:5])])
    click.echo(f"{len(rows)} queries, {answered} answered, {len(rows) - answered} abstained "
               f"-> {out}")


@kb.command("evaluate", help="Measure the search on labelled queries (qid, query, id, "
                             "also_ok): right first, top 5, NONE abstained, and a "
                             "cross-validated estimate of the tuned abstain threshold.")
@click.option("--articles", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--as-of", "as_of", required=True)
@click.option("--repeats", default=20, show_default=True)
def kb_evaluate(articles, data, as_of, repeats):
    from .domain import evaluate as E
    from .domain.index import KnowledgeIndex

    day = _as_of(as_of)
    index = KnowledgeIndex(_articles(articles).articles)
    outcomes = E.run(index, E.load_queries(data), day)
    m = E.metrics(outcomes)
    click.echo(f"queries: answerable {m['answerable']}, NONE {m['none']}, "
               f"all targets outside validity {m['out_of_window']}")
    click.echo(f"configured threshold: right first {m['right_first']:.3f}  top5 {m['top5']:.3f}  "
               f"NONE abstained {m['abstained_none']:.3f}  violations {m['violations']}")
    ms, sl, mm = E.tune(outcomes)
    t = E.metrics(outcomes, E.decide(outcomes, ms, sl, mm))
    click.echo(f"tuned in-sample (min_score {ms}, length_slope {sl}, min_margin {mm}): "
               f"right first "
               f"{t['right_first']:.3f}  top5 {t['top5']:.3f}  NONE abstained "
               f"{t['abstained_none']:.3f}")
    cv = E.cross_validate(outcomes, repeats=repeats)
    click.echo(f"cross-validated ({cv['folds']}-fold x {cv['repeats']}): right first "
               f"{cv['right_first']:.3f}±{cv['right_first_sd']:.3f}  top5 {cv['top5']:.3f}  "
               f"NONE abstained {cv['abstained_none']:.3f}±{cv['abstained_none_sd']:.3f}")
