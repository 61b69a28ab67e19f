"""In-transaction hooks run after an order is saved: the SLA engine's next check time, the
scoring facts, the two-15% evaluation. The modules that register them are listed here and
imported on first use (they import this module, so not at its import time)."""
from __future__ import annotations

import importlib

AFTER_SAVE: list = []   # fn(rt, uow, order: WorkOrder, row: WorkOrderRow)
_MODULES = ("hotline.services.sla_service", "hotline.services.reports_facts",
            "hotline.services.rules", "hotline.knowledge.service")
_loaded = False


def is_new(row) -> bool:
    """The row was added in this transaction and not flushed yet (intake writes a new order
    in one INSERT): nothing of it is stored, so a hook has nothing to read back or replace
    and sets the row's columns directly instead of issuing UPDATEs."""
    from sqlalchemy import inspect
    return row is not None and inspect(row).pending


def after_save(rt, uow, order, row) -> None:
    global _loaded
    if not _loaded:
        for mod in _MODULES:
            importlib.import_module(mod)
        _loaded = True
    for fn in AFTER_SAVE:
        fn(rt, uow, order, row)
