"""`hotline privacy ...`: the retention job by hand or from cron (docs/design/domain.md §10.3)."""
from __future__ import annotations

import click


@click.group(help="个人信息保护 (retention)")
def privacy():
    pass


@privacy.command("retain", help="Anonymise callers of orders closed longer than "
                 "config/privacy.yaml retention.anonymise_after_days.")
@click.option("--days", type=int, default=None, help="override the configured period")
@click.option("--dry-run", is_flag=True, help="only count the orders that are due")
def retain(days, dry_run):
    from hotline.core.runtime import Runtime
    from hotline.privacy.retention import due_orders
    from hotline.privacy.retention import retain as run
    rt = Runtime.build()
    if dry_run:
        n = len(due_orders(rt, days=days, limit=10**9))
        click.echo(f"{n} orders due for anonymisation")
        return
    n = run(rt, days=days)
    click.echo(f"anonymised callers of {n} orders")
