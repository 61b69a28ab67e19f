"""The one place that wires the service layer (docs/design/architecture.md §5.2, §4.4, §5.5):
event handlers, after-save hooks and periodic jobs are handed to the runtime here, by name,
instead of modules registering themselves when some other module happens to import them.

`Runtime.build` calls `bootstrap`, so every entry point (the web app and `hotline serve`,
`hotline worker`, the rq jobs, the CLI commands, the tests) runs with the same wiring.
"""
from __future__ import annotations


def after_save_hooks() -> tuple:
    """fn(rt, uow, order, row), run in this order inside the transaction of every save of an
    order: the SLA engine's next check and stored state, the scoring facts, the 两个15%
    evaluation of an attributed return, a direct answer's reply and article check; then
    (issue 15) the units' inbox counters and SQLite's full-text rows of a new order; (issue 17)
    hard-case proposals and the hot-spot check of a new appeal."""
    from hotline.dispatch import counters as inbox_counters
    from hotline.knowledge import service as knowledge
    from hotline.reports import facts as reports_facts
    from hotline.sla import service as sla_service
    from hotline.workorders import rules
    from hotline.workorders import search as order_search
    hooks = (sla_service.after_save, reports_facts.refresh_facts, rules.after_save,
             knowledge.answer_hook, inbox_counters.after_save, order_search.index_hook)
    # issue 17 (cases): hard-case proposals after a reopen, a return or a repeat; the hot-spot
    # check of a new appeal (last: it reads other orders, so the new row is written first)
    from hotline.hardcases import service as hardcases
    from hotline.hotspots import service as hotspots
    return hooks + (hardcases.after_save, hotspots.after_save)


def bootstrap(rt):
    """Give `rt` its handler table, after-save hooks and periodic jobs; returns `rt`."""
    from hotline.core.handlers import HANDLERS
    from hotline.core.periodic import periodic_jobs
    rt.handlers = {cls: tuple(fns) for cls, fns in HANDLERS.items()}
    rt.after_save = after_save_hooks()
    rt.periodic = tuple(periodic_jobs(rt))
    rt.bulletin_sections = bulletin_sections()
    return rt


def bulletin_sections() -> dict:
    """Who fills the monthly bulletin's sections that other features own (issue 18 item 5;
    reports/bulletin.py SECTIONS): key -> fn(rt, first_day, last_day) -> table or None."""
    from hotline.callcentre import service as callcentre
    from hotline.hardcases import service as hardcases
    return {"centre_figures": callcentre.bulletin_table, "hard_cases": hardcases.bulletin_table}
