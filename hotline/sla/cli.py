"""`hotline sla ...` commands that need no database (the sweep lives in the service layer).

    hotline sla due --received 2025-09-30T10:00:00+08:00 --appeal-type complaint [--item CODE]
                    [--urgency urgent] [--dispatched ISO]
    hotline sla calendar-check [--today 2026-11-27] [--strict]

Config is found through $HOTLINE_CONFIG or the repository's config/ next to the package.
"""
from __future__ import annotations

import datetime as dt
import json
import sys

import click

from hotline.sla.domain.calendar import TZ, as_local
from hotline.sla.domain.policy import URGENCIES, ConfigError, load_policy

CLI_CLOCKS = ("sign", "contact", "onsite", "reply")


def _engine():
    from hotline.sla.domain.clocks import SlaEngine
    try:
        return SlaEngine(load_policy())
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


def _aware(value: str, name: str) -> dt.datetime:
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"not an ISO-8601 time: {value!r}", param_hint=name) from None
    if t.tzinfo is None:   # documented: a time without offset is Beijing time
        t = t.replace(tzinfo=TZ)
    return as_local(t)


@click.group(name="sla")
def sla():
    """SLA clocks, deadlines and the working-day calendar."""


@sla.command("due")
@click.option("--received", required=True, help="receipt time, ISO-8601 (offset; default +08:00)")
@click.option("--appeal-type", required=True, help="appeal type code (appeal_types.yaml)")
@click.option("--item", "item", default=None, help="rapid-response item code")
@click.option("--urgency", type=click.Choice(URGENCIES), default="normal")
@click.option("--dispatched", default=None, help="dispatch time (default: the receipt time)")
def due(received, appeal_type, item, urgency, dispatched):
    """Print the deadlines of a new order as JSON (no database needed)."""
    from hotline.sla.domain.clocks import OrderFacts, Transition
    eng = _engine()
    if appeal_type not in eng.policy.reply_days:
        raise click.BadParameter(f"unknown appeal type {appeal_type!r}; one of "
                                 f"{sorted(eng.policy.reply_days)}", param_hint="--appeal-type")
    if item and item not in eng.policy.rapid_items:
        raise click.BadParameter(f"unknown rapid-response item {item!r}", param_hint="--item")
    rec = _aware(received, "--received")
    disp = _aware(dispatched, "--dispatched") if dispatched else rec
    unit = eng.policy.rapid_items[item].unit if item else None
    order = OrderFacts(rec, appeal_type, urgency, item)
    history = [Transition("dispatch", disp, {"unit": unit}, "dispatched")]
    out = []
    for d in eng.deadlines(order, history):
        if d.clock not in CLI_CLOCKS:
            continue
        reason = d.reason + ("（暂定：所跨年份尚无放假安排数据）" if d.provisional else "")
        out.append({"clock": d.clock, "target": d.target, "due": d.due.isoformat(),
                    "reason": reason})
    click.echo(json.dumps({"deadlines": out}, ensure_ascii=False))


@sla.command("calendar-check")
@click.option("--today", default=None, help="YYYY-MM-DD (default: today in Asia/Shanghai)")
@click.option("--strict", is_flag=True, help="exit 1 instead of 0 when the coming year is missing")
def calendar_check(today, strict):
    """Warn when the coming year has no holiday data (exit 0 with a WARNING line on stderr)."""
    eng = _engine()
    day = dt.date.fromisoformat(today) if today else dt.datetime.now(TZ).date()
    missing = []
    for year in (day.year, day.year + 1):
        src = ("override" if year in eng.calendar.overrides else "chinese_calendar") \
            if eng.calendar.has_data(year) else None
        click.echo(f"{year}: {src or 'MISSING'}")
        if src is None:
            missing.append(year)
    for year in missing:
        click.echo(f"WARNING: no working-day calendar for {year}: deadlines reaching into it "
                   f"are provisional (Monday-Friday). Add config/calendar/{year}.yaml from the "
                   f"State Council notice, or upgrade chinesecalendar.", err=True)
    sys.exit(1 if (missing and strict) else 0)


if __name__ == "__main__":
    sla()
