"""The `hotline` command. Imports are lazy so `hotline --help` never loads scikit-learn."""
from __future__ import annotations

import importlib
import sys

import click

LAZY_GROUPS = {"classify": "hotline.classify.cli:classify", "sla": "hotline.sla.cli:sla",
               "privacy": "hotline.privacy.cli:privacy", "kb": "hotline.knowledge.cli:kb",
               "reports": "hotline.reports.cli:reports"}
# issue 18 (callcentre helper): the switch's call events
LAZY_GROUPS["calls"] = "hotline.callcentre.cli:calls"


class LazyGroup(click.Group):
    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | set(LAZY_GROUPS))

    def get_command(self, ctx, name):
        if name in LAZY_GROUPS:
            mod, attr = LAZY_GROUPS[name].split(":")
            group = getattr(importlib.import_module(mod), attr)
            _extend_group(name, group)
            return group
        return super().get_command(ctx, name)


def _extend_group(name, group):
    """Service-layer commands that live next to a pure package's own CLI."""
    if name == "sla" and "sweep" not in group.commands:
        from hotline.sla.sweep_cli import sweep
        group.add_command(sweep)
    if name == "classify":
        from hotline.learning.cli import extend
        extend(group)


@click.group(cls=LazyGroup, help="东莞 12345 政务服务便民热线 工单服务")
def main():
    pass


def _runtime():
    from hotline.core.runtime import Runtime
    return Runtime.build()


@main.group(help="数据库")
def db():
    pass


@db.command("upgrade", help="Apply Alembic migrations up to head, then sync units from config.")
def db_upgrade():
    from hotline.core.migrate import upgrade
    from hotline.workorders.seed import sync_units
    rt = _runtime()
    upgrade(rt.engine)
    n = sync_units(rt)
    click.echo(f"database at head; {n} units in sync with config/units.yaml")


@main.command("seed-demo", help="Demo users (one per unit), a few hundred demo orders and the "
                                "previous calendar month of a centre (ranked in every tier).")
@click.option("--orders", "count", default=300, show_default=True)
def seed_demo(count):
    from hotline.workorders.seed import (
        seed_demo_knowledge,
        seed_demo_month,
        seed_demo_orders,
        seed_users,
    )
    rt = _runtime()
    created = seed_users(rt)
    made = seed_demo_orders(rt, count)
    # the previous calendar month of a real centre (issue 18), once, with the first seeding
    month = seed_demo_month(rt) if made else {"orders": 0, "visits": 0, "calls": 0}
    articles = seed_demo_knowledge(rt)
    click.echo(f"seeded {len(created)} users, {made} demo orders (+{month['orders']} in the "
               f"previous month, {month['visits']} return visits, {month['calls']} calls), "
               f"{articles} knowledge articles")
    click.echo("Demo logins (password: %s): agent, dispatcher, supervisor, leader, admin, "
               "and one per unit, e.g. dept_housing, town_humen" % rt.city.demo_password)


@main.command(help="Run the web service (gunicorn).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=None, type=int,
              help="web processes (default: 1 embedded, 2 with PostgreSQL+Redis)")
def serve(host, port, workers):
    from hotline.web.server import serve as run
    run(host, port, workers)


@main.command(help="Run an rq worker (production path: REDIS_URL set) with the outbox relay.")
@click.option("--burst", is_flag=True, help="exit when the queue is empty")
@click.option("--no-relay", is_flag=True, help="do not run the outbox relay in this process")
def worker(burst, no_relay):
    import logging
    import os

    from hotline.core.worker import run_worker
    logging.basicConfig(level=os.environ.get("HOTLINE_LOG_LEVEL", "INFO"),
                        format="%(asctime)s [%(process)d] %(levelname)s %(name)s: %(message)s")
    sys.exit(run_worker(_runtime(), burst=burst, relay=not no_relay))


@main.group(help="用户管理")
def users():
    pass


@users.command("add")
@click.argument("username")
@click.option("--role", required=True,
              type=click.Choice(["agent", "dispatcher", "department", "supervisor", "leader",
                                 "admin"]))
@click.option("--unit", default=None, help="unit code (department users)")
@click.option("--name", default="")
@click.password_option()
def users_add(username, role, unit, name, password):
    from hotline.core.auth import add_user
    from hotline.workorders.domain.model import DomainError
    try:
        add_user(_runtime(), username, password, role, unit, name)
    except DomainError as exc:   # a refused password (core/passwords.py) or a missing unit
        raise click.ClickException(exc.message) from exc
    click.echo(f"user {username} added")


if __name__ == "__main__":
    main()
