"""Typed events and the one handler table (docs/design/architecture.md §5.2).

Fails when code emits an undeclared event (at run time: UnitOfWork.emit refuses it; in the
source: an emit call whose argument is not a declared event class), or when an event that must
notify (`notifies = True`) has no handler."""
from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from hotline.core import events as E
from hotline.core.db import UnitOfWork, session_factory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def uow():
    with UnitOfWork(session_factory(create_engine("sqlite://"))) as u:
        yield u


@dataclasses.dataclass(frozen=True)
class NotDeclared(E.OrderEvent):   # a subclass without its own name
    pass


@pytest.mark.parametrize("bad", ["order.dispatch", {"order_id": 1}, NotDeclared(order_id=1)],
                         ids=["name", "dict", "subclass"])
def test_emit_refuses_an_undeclared_event(uow, bad):
    with pytest.raises(E.UndeclaredEvent):
        uow.emit(bad)
    with pytest.raises(TypeError):    # the old keyword form is gone
        uow.emit("order.dispatched", order_id=1)
    assert not uow.session.new


def test_emit_writes_the_name_and_the_fields(uow):
    uow.emit(E.OrderUrged(order_id=7, seq=3, unit="town_humen", auto=True, clock="reply"))
    [row] = list(uow.session.new)
    assert row.topic == "order.urge"
    assert row.payload == {"order_id": 7, "seq": 3, "unit": "town_humen", "auto": True,
                           "clock": "reply", "target": None}
    assert E.load(row.topic, row.payload) == E.OrderUrged(7, 3, "town_humen", True, "reply")


def test_a_row_of_the_old_dispatch_name_loads_as_the_one_dispatch_event():
    assert E.load("order.dispatch", {"order_id": 1, "seq": 2, "unit": "u"}) == \
        E.OrderDispatched(1, 2, "u")
    assert E.load("order.sign", {"order_id": 1}) is None


def _emit_calls():
    for path in sorted((ROOT / "hotline").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr == "emit":
                yield path.relative_to(ROOT), node


def _called_name(node) -> str | None:
    """The class an emitted event is built from: `OrderCreated(...)`, `E.OrderCreated(...)`, or
    `EVENT_OF[action](...)` (the transition table's events: tests/unit/dispatch/test_workflow.py
    checks they are declared)."""
    if isinstance(node, ast.Call):
        f = node.func
        if isinstance(f, ast.Subscript) and isinstance(f.value, ast.Name) \
                and f.value.id == "EVENT_OF":
            return "EVENT_OF"
        return f.id if isinstance(f, ast.Name) else f.attr if isinstance(f, ast.Attribute) \
            else None
    return None


def test_every_emit_in_the_code_names_a_declared_event():
    declared = {cls.__name__ for cls in E.EVENTS.values()} | {"EVENT_OF"}
    calls = list(_emit_calls())
    assert len(calls) >= 6
    bad = [f"{p}:{n.lineno}" for p, n in calls
           if n.keywords or len(n.args) != 1 or _called_name(n.args[0]) not in declared]
    assert not bad, f"emit() must be given an instance of a declared event: {bad}"


def test_outbox_rows_are_written_only_by_the_unit_of_work():
    # a handler adding OutboxRow(topic=...) itself would bypass the declaration
    made = re.compile(r"(?<![\w.])OutboxRow\(")    # built, not declared (class OutboxRow(Base))
    writers = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "hotline").rglob("*.py")
                     if made.search(p.read_text(encoding="utf-8").replace("class OutboxRow(", "")))
    assert writers == ["hotline/core/db.py"]


def test_every_event_that_must_notify_has_a_handler():
    from hotline.core.handlers import HANDLERS
    missing = [name for name, cls in E.EVENTS.items() if cls.notifies and not HANDLERS.get(cls)]
    assert not missing, f"events that notify no one: {missing}"
    assert set(HANDLERS) <= set(E.EVENTS.values())


def test_webhooks_are_pushed_for_exactly_the_events_that_name_one():
    from hotline.core.handlers import HANDLERS
    from hotline.webhooks import service as webhooks
    for cls in E.EVENTS.values():
        assert (webhooks.push in HANDLERS.get(cls, ())) == bool(cls.webhook), cls.__name__


def test_a_built_runtime_is_wired_by_the_bootstrap(tmp_path):
    from hotline.core.config import Settings
    from hotline.core.handlers import HANDLERS
    from hotline.core.periodic import periodic_jobs
    from hotline.core.runtime import Runtime
    from hotline.reports import facts as reports_facts
    from hotline.sla import service as sla_service
    from hotline.workorders import rules
    rt = Runtime.build(Settings(f"sqlite:///{tmp_path}/x.sqlite", None, "k", True, "q"))
    assert rt.handlers == {cls: tuple(fns) for cls, fns in HANDLERS.items()}
    from hotline.dispatch import counters as inbox_counters  # issue 15
    from hotline.hardcases import service as hardcases  # issue 17
    from hotline.hotspots import service as hotspots
    from hotline.knowledge import service as knowledge
    from hotline.workorders import search as order_search
    assert rt.after_save == (sla_service.after_save, reports_facts.refresh_facts,
                             rules.after_save, knowledge.answer_hook,
                             inbox_counters.after_save, order_search.index_hook,
                             hardcases.after_save, hotspots.after_save)
    assert rt.periodic == tuple(periodic_jobs(rt))
    rt.engine.dispose()


def test_a_runtime_that_was_not_bootstrapped_refuses_to_save():
    from hotline.core import hooks
    from hotline.core.runtime import Runtime
    with pytest.raises(RuntimeError, match="bootstrap"):
        hooks.after_save(Runtime(None, None), None, None, None)
