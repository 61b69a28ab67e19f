"""In-transaction hooks run after an order is saved (e.g. the SLA engine storing the next
check time). Feature modules append to AFTER_SAVE at import; listed modules load lazily."""
from __future__ import annotations

AFTER_SAVE: list = []   # fn(rt, uow, order: WorkOrder, row: WorkOrderRow)
_LOADED = False


def after_save(rt, uow, order, row) -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        for mod in ("hotline.services.sla_service", "hotline.services.reports_facts"):
            try:
                __import__(mod)
            except ModuleNotFoundError as exc:
                if exc.name != mod:
                    raise
    for fn in AFTER_SAVE:
        fn(rt, uow, order, row)
