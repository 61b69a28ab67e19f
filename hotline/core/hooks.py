"""In-transaction hooks run after an order is saved: the SLA engine's next check time, the
scoring facts, the two-15% evaluation. Which hooks, in which order, is wired once in
core/bootstrap.py (docs/design/architecture.md §4.4)."""
from __future__ import annotations


def is_new(row) -> bool:
    """The row was added in this transaction and not flushed yet (intake writes a new order
    in one INSERT): nothing of it is stored, so a hook has nothing to read back or replace
    and sets the row's columns directly instead of issuing UPDATEs."""
    from sqlalchemy import inspect
    return row is not None and inspect(row).pending


def after_save(rt, uow, order, row) -> None:
    if rt.after_save is None:
        # a runtime made without Runtime.build would skip the derived rows silently
        raise RuntimeError("runtime not bootstrapped (core/bootstrap.py)")
    for fn in rt.after_save:
        fn(rt, uow, order, row)
