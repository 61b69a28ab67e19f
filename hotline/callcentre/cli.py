"""`hotline calls import-queue-log FILE` (issue 18 item 4): read Asterisk's queue_log and
store its call events through the same use case as the JSON event API."""
from __future__ import annotations

import click

BATCH = 5000


@click.group(help="话务数据 (交换机事件)")
def calls():
    pass


@calls.command("import-queue-log")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_queue_log(path):
    """导入 Asterisk queue_log 文件 (可重复导入, 已有事件不重复计)."""
    from hotline.core.runtime import Runtime

    from . import service
    from .domain import queue_log as Q
    rt = Runtime.build()
    totals = {"received": 0, "stored": 0, "duplicates": 0, "calls": 0}
    bad, batch = 0, []

    def flush():
        r = service.ingest(rt, batch, "queue_log")
        for k in totals:
            totals[k] += r[k]
        batch.clear()
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, line in enumerate(f, 1):
            try:
                e = Q.parse_line(line)
            except Q.QueueLogError as exc:
                bad += 1
                click.echo(f"第 {n} 行: {exc.message}", err=True)
                continue
            if e is not None:
                batch.append(e)
            if len(batch) >= BATCH:
                flush()
    if batch:
        flush()
    click.echo(f"事件 {totals['received']} 条, 新增 {totals['stored']}, 重复 {totals['duplicates']}, "
               f"涉及来电 {totals['calls']}, 无法识别的行 {bad}")
