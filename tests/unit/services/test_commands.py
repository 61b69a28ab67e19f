"""The main commands of the service layer, run against the fake unit of work (no database):
intake, dispatch from the queue, sign, 退单 inside and outside its window, reply, and the
citizen's survey answer. Each test reads the committed state of the fake database: status,
owner, the events in the outbox, the number of commits.

The same scenarios against SQLite and PostgreSQL stay in tests/integration.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.core.db import utcnow
from hotline.core.events import (
    OrderClosed,
    OrderCreated,
    OrderDispatched,
    OrderReplyAccepted,
    SurveyNeedsReview,
)
from hotline.core.orm import LabelledExampleRow, NoteRow
from hotline.dispatch.orm import AssistTaskRow, RoutingRuleRow
from hotline.intake import service as intake
from hotline.survey import service as survey
from hotline.survey.orm import SurveyAuditRow, SurveyRow, UnitFactRow
from hotline.workorders import commands as orders
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation, WindowClosed
from hotline.workorders.domain.workflow import Role, Status

from .fakes import fake_runtime

AGENT = Actor("agent1", Role.AGENT)
DISPATCHER = Actor("dispatcher1", Role.DISPATCHER)
HUMEN = Actor("humen1", Role.DEPARTMENT, "town_humen")
DALANG = Actor("dalang1", Role.DEPARTMENT, "town_dalang")
RETURN = {"legal_basis": "《东莞市镇街权责清单》第12项", "suggested_unit": "town_dongcheng",
          "reason_code": "wrong_town"}
APPEAL = "小区门口垃圾堆积多日无人清运, 气味难闻, 希望尽快处理"
# `act` commits the action, then the detail view it answers with logs the read (PIPL access
# log, privacy/service.py) in a transaction of its own
ACT_COMMITS = 2


@pytest.fixture
def rt(tmp_path):
    return fake_runtime(tmp_path / "models")


def _intake(rt, **fields) -> dict:
    req = intake.IntakeRequest(content=fields.pop("content", APPEAL), town="town_humen",
                               **fields)
    return intake.submit(rt, AGENT, req)


def _dispatched(rt, unit="town_humen") -> int:
    return _intake(rt, unit=unit)["id"]


# ------------------------------------------------------------------ intake

def test_intake_with_a_unit_named_dispatches_at_once_in_one_commit(rt):
    out = _intake(rt, unit="town_humen", caller=intake.Caller("张三", "13800138000"))
    oid = out["id"]
    order = rt.db.order(oid)
    assert order.status == Status.DISPATCHED and order.unit == "town_humen"
    assert order.first_unit == "town_humen"
    assert [t.action for t in order.history] == ["dispatch"]
    assert order.history[0].actor == AGENT.username       # the agent chose the unit
    assert rt.db.events() == [OrderDispatched(order_id=oid, seq=1, unit="town_humen"),
                              OrderCreated(order_id=oid)]
    assert rt.db.commits == 1 and rt.last_uow.committed
    assert [(s.order_id, s.status) for s in rt.db.saves] == [(oid, Status.DISPATCHED)]
    assert out["number"].startswith("DG") and out["number"].endswith(f"{oid:07d}")
    assert out["status"] == "dispatched" and out["replayed"] is False


def test_intake_without_a_model_queues_for_the_dispatcher(rt):
    out = _intake(rt)
    order = rt.db.order(out["id"])
    assert order.status == Status.PENDING_DISPATCH and order.unit is None
    assert order.history[-1].action == "queue"
    assert order.history[-1].data == {"why": "no_model", "reasons": ["无分类模型，需人工分派"]}
    assert out["classification"] is None
    # nobody is notified of a queued order: only the intake's own event
    assert rt.db.events() == [OrderCreated(order_id=out["id"])]
    assert rt.db.commits == 1


def test_intake_with_a_category_routes_by_the_responsibility_table(rt):
    """A category the agent names routes through the table (lead and assisting units),
    whatever the classifier says (docs/design/domain.md §6.6)."""
    out = _intake(rt, category="cooking_fumes", content="楼下餐馆油烟直排, 熏得开不了窗")
    order = rt.db.order(out["id"])
    assert order.status == Status.DISPATCHED
    assert (order.unit, order.assist_units) == ("dept_urban", ["dept_env"])
    assert order.history[-1].data["by"] == "category"
    tasks = rt.db.added(AssistTaskRow, order_id=out["id"])
    assert [(t.unit, t.task) for t in tasks] == [("dept_env", "协助办理")]


def test_a_saved_ruling_outranks_the_table(rt):
    rt.db.rulings.append(RoutingRuleRow(id=1, category="cooking_fumes", town="town_humen",
                                        lead="town_humen", assist=[], active=True,
                                        valid_from=(utcnow() - timedelta(days=1)).date(),
                                        valid_to=None))
    out = _intake(rt, category="cooking_fumes", content="楼下餐馆油烟直排, 熏得开不了窗")
    order = rt.db.order(out["id"])
    assert (order.unit, order.assist_units) == ("town_humen", [])


def test_intake_finds_an_open_order_of_the_same_caller_as_duplicate(rt):
    first = _intake(rt, caller=intake.Caller("李四", "13900139000"))
    second = _intake(rt, caller=intake.Caller("李四", "13900139000"))
    assert [d["id"] for d in second["duplicates"]] == [first["id"]]
    assert second["duplicates"][0]["same_caller"] is True
    assert first["duplicates"] == []


def test_intake_with_an_unknown_unit_commits_nothing(rt):
    with pytest.raises(RuleViolation) as e:
        _intake(rt, unit="dept_nowhere")
    assert e.value.field == "data.unit"
    assert rt.db.orders == {} and rt.db.outbox == [] and rt.db.commits == 0


def test_the_same_idempotency_key_logs_the_appeal_once(rt):
    a = _intake(rt, unit="town_humen", idempotency_key="k-1")
    b = _intake(rt, unit="town_humen", idempotency_key="k-1")
    assert b["id"] == a["id"] and b["replayed"] is True
    assert len(rt.db.orders) == 1 and rt.db.commits == 1


# ------------------------------------------------------------------ dispatch, sign

def test_dispatch_from_the_queue_notifies_the_unit(rt):
    oid = _intake(rt)["id"]
    out = orders.act(rt, DISPATCHER, oid, "dispatch", {"data": {"unit": "town_humen"}})
    order = rt.db.order(oid)
    assert out["status"] == "dispatched" and order.unit == "town_humen"
    assert order.history[-1].actor == DISPATCHER.username
    # the queue's dispatch raises the same event as intake's (issue 13's first bug)
    assert rt.db.events(OrderDispatched) == [
        OrderDispatched(order_id=oid, seq=order.history[-1].seq, unit="town_humen")]
    assert rt.db.commits == 1 + ACT_COMMITS
    assert rt.db.saves[-1].status == Status.DISPATCHED
    logged = [params for stmt, params in rt.db.statements
              if stmt.table.name == "personal_data_access"]
    assert [[(r["actor"], r["kind"], r["order_id"]) for r in p] for p in logged] == [
        [(DISPATCHER.username, "detail", oid)]]


def test_a_dispatcher_correcting_the_category_teaches_the_classifier(rt):
    oid = _intake(rt)["id"]
    orders.act(rt, DISPATCHER, oid, "dispatch",
               {"data": {"unit": "town_humen", "category": "street_lights"}})
    ex = rt.db.added(LabelledExampleRow, order_id=oid)
    assert [(e.label, e.source) for e in ex] == [("street_lights", "category_change")]


def test_sign_by_the_owner(rt):
    oid = _dispatched(rt)
    out = orders.act(rt, HUMEN, oid, "sign", {})
    assert out["status"] == "signed" and rt.db.order(oid).status == Status.SIGNED
    assert rt.db.order(oid).unit == "town_humen"
    assert out["version"] == 2       # one action, one version
    # signing notifies no one: the outbox holds only the intake's events
    assert [type(e) for e in rt.db.events()] == [OrderDispatched, OrderCreated]


def test_sign_with_a_stale_version_is_a_conflict(rt):
    oid = _dispatched(rt)
    with pytest.raises(orders.Conflict):
        orders.act(rt, HUMEN, oid, "sign", {"version": 7})
    assert rt.db.order(oid).status == Status.DISPATCHED and rt.db.commits == 1


# ------------------------------------------------------------------ 退单 window

def test_return_inside_the_window(rt):
    oid = _dispatched(rt)
    orders.act(rt, HUMEN, oid, "sign", {})
    out = orders.act(rt, HUMEN, oid, "request_return",
                     {"reason": "该路段属东城街道管辖", "data": dict(RETURN)})
    order = rt.db.order(oid)
    assert out["status"] == "return_requested" and order.status == Status.RETURN_REQUESTED
    assert order.unit == "town_humen"          # the owner changes only when approved
    assert order.history[-1].data["window_closes_at"]
    assert rt.db.commits == 1 + 2 * ACT_COMMITS


def test_return_outside_the_window_is_refused_and_nothing_is_saved(rt):
    oid = _dispatched(rt)
    later = utcnow() + timedelta(days=30)     # any calendar: the next working day is past
    with pytest.raises(WindowClosed) as e:
        orders.act(rt, HUMEN, oid, "request_return",
                   {"reason": "不属于本镇", "data": dict(RETURN)}, at=later)
    assert "退单窗口已于" in e.value.message
    order = rt.db.order(oid)
    assert order.status == Status.DISPATCHED and len(order.history) == 1
    assert rt.db.commits == 1 and not rt.last_uow.committed


# ------------------------------------------------------------------ reply

def _signed(rt) -> int:
    oid = _dispatched(rt)
    orders.act(rt, HUMEN, oid, "sign", {})
    return oid


def test_reply_by_the_owner_stores_the_report_and_the_citizen_reply(rt):
    oid = _signed(rt)
    out = orders.act(rt, HUMEN, oid, "reply",
                     {"data": {"reply": "已更换灯泡", "citizen_reply": "您反映的路灯已修复"}})
    assert out["status"] == "replied" and rt.db.order(oid).status == Status.REPLIED
    notes = rt.db.added(NoteRow, order_id=oid)
    assert [(n.kind, n.body) for n in notes] == [("unit_report", "已更换灯泡"),
                                                 ("citizen_reply", "您反映的路灯已修复")]
    assert [n["kind"] for n in out["notes"]] == ["unit_report", "citizen_reply"]


def test_reply_by_another_unit_is_not_found_and_changes_nothing(rt):
    oid = _signed(rt)
    with pytest.raises(orders.NotFound):
        orders.act(rt, DALANG, oid, "reply", {"data": {"reply": "已处理"}})
    assert rt.db.order(oid).status == Status.SIGNED
    assert rt.db.added(NoteRow, order_id=oid) == [] and rt.db.commits == 1 + ACT_COMMITS


def test_reply_by_an_assisting_unit_is_refused(rt):
    """An assisting unit sees the order (so not 404) but never replies (docs/design/domain.md §6.5)."""
    out = _intake(rt, category="cooking_fumes", content="楼下餐馆油烟直排, 熏得开不了窗")
    oid = out["id"]
    orders.act(rt, Actor("urban1", Role.DEPARTMENT, "dept_urban"), oid, "sign", {})
    with pytest.raises(NotPermitted):
        orders.act(rt, Actor("env1", Role.DEPARTMENT, "dept_env"), oid, "reply",
                   {"data": {"reply": "已检测"}})
    assert rt.db.order(oid).status == Status.SIGNED


# ------------------------------------------------------------------ survey answer

def _awaiting_visit(rt) -> tuple[int, int]:
    """An order in 待回访 and its pending survey (the survey row is what the outbox handler
    of OrderReplyAccepted creates)."""
    oid = _signed(rt)
    orders.act(rt, HUMEN, oid, "reply", {"data": {"reply": "已更换灯泡"}})
    orders.act(rt, DISPATCHER, oid, "accept_reply", {})
    order = rt.db.order(oid)
    assert order.status == Status.RETURN_VISIT
    assert rt.db.events(OrderReplyAccepted)
    now = utcnow()
    rt.db.surveys[1] = SurveyRow(id=1, token="tok-1", order_id=oid,
                                 closure_seq=order.history[-1].seq, caller_order_id=oid,
                                 unit="town_humen", phone="13800138000", status="pending",
                                 created_at=now, send_after=now,
                                 expires_at=now + timedelta(days=10), attempt_days=[],
                                 excluded=False)
    return oid, rt.db.commits


def test_a_satisfied_answer_closes_the_order(rt):
    oid, commits = _awaiting_visit(rt)
    out = survey.answer(rt, "tok-1", {"contacted": True, "resolved": "resolved",
                                      "satisfaction": "satisfied"})
    assert out["status"] == "answered" and out["satisfaction"] == "satisfied"
    order = rt.db.order(oid)
    assert order.status == Status.CLOSED
    assert (order.history[-1].action, order.history[-1].actor) == ("close", "system")
    assert rt.db.events(OrderClosed) == [
        OrderClosed(order_id=oid, seq=order.history[-1].seq, unit="town_humen")]
    s = rt.db.surveys[1]
    assert (s.status, s.review, s.answered_via) == ("answered", None, "sms")
    assert [a.action for a in rt.db.added(SurveyAuditRow, survey_id=1)] == ["answer"]
    assert rt.db.commits == commits + 1


def test_a_dissatisfied_answer_goes_to_review_and_keeps_the_order_open(rt):
    oid, commits = _awaiting_visit(rt)
    survey.answer(rt, "tok-1", {"contacted": True, "resolved": "unresolved",
                                "satisfaction": "dissatisfied", "comment": "灯还是不亮"})
    assert rt.db.order(oid).status == Status.RETURN_VISIT
    assert rt.db.surveys[1].review == "pending"
    assert rt.db.events(SurveyNeedsReview) == [SurveyNeedsReview(survey_id=1, order_id=oid)]
    assert rt.db.events(OrderClosed) == []
    # the scoring facts are rewritten with the answer (the 满意率 reads them)
    assert rt.db.added(UnitFactRow, order_id=oid)
    assert rt.db.commits == commits + 1


def test_a_second_answer_is_refused(rt):
    _awaiting_visit(rt)
    body = {"contacted": True, "resolved": "resolved", "satisfaction": "satisfied"}
    survey.answer(rt, "tok-1", body)
    with pytest.raises(survey.AlreadyAnswered):
        survey.answer(rt, "tok-1", body)
