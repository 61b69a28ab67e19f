"""`hotline sla sweep`: one sweep tick, for system cron (`* * * * * hotline sla sweep`).

Safe next to the worker's own sweep and next to another cron run: claimed rows are locked and
every step is recorded once (hotline/sla/sweep.py). Prints the counters as JSON."""
from __future__ import annotations

import json
from datetime import datetime

import click


@click.command("sweep", help="执行一次时限巡检：记录到期的催办/督办/挂牌督办和预警 (cron 每分钟)")
@click.option("--now", "now", default=None, help="ISO-8601 时间 (测试/补跑用), 默认当前时间")
@click.option("--batch", default=1000, show_default=True, help="每个事务处理的工单数")
@click.option("--max-orders", default=None, type=int, help="本次最多处理的工单数")
@click.option("--pause", default=0.0, type=float, hidden=True,
              help="seconds to sleep between pages (fault tests)")
def sweep(now, batch, max_orders, pause):
    from hotline.core.runtime import Runtime
    from hotline.sla.sweep import sweep_tick
    at = None
    if now:
        at = datetime.fromisoformat(now)
        if at.tzinfo is None:
            raise click.BadParameter("须带时区, 如 2025-10-09T10:00:00+08:00", param_hint="--now")
    rt = Runtime.build()
    try:
        stats = sweep_tick(rt, now=at, batch=batch, max_orders=max_orders, pause=pause)
    finally:
        rt.engine.dispose()
    click.echo(json.dumps(stats, ensure_ascii=False))
