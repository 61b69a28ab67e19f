"""Pure rules of issue 18 items 4, 6, 7 (callcentre helper): the queue_log fold, the call
rates, the 好差评 reminder and overdue rules, the 服务体验官 evaluation and quarters."""
from datetime import date, datetime, timedelta, timezone

import pytest

from hotline.callcentre.domain import figures as F
from hotline.callcentre.domain import queue_log as Q
from hotline.experience.domain import rules as X
from hotline.rating.domain import rules as R

T0 = 1764720000


def _events(*lines):
    return [e for e in (Q.parse_line(x) for x in lines) if e is not None]


def test_fold_answered_call_in_any_order():
    evs = _events(f"{T0 + 100}|c1|q|SIP/8001|COMPLETEAGENT|12|88|1",
                  f"{T0}|c1|q|NONE|ENTERQUEUE||13800138000|1",
                  f"{T0 + 5}|c1|q|SIP/8002|RINGNOANSWER|5000",
                  f"{T0 + 12}|c1|q|SIP/8001|CONNECT|12|c1x|4")
    c = Q.fold("c1", evs)
    assert (c.outcome, c.wait_seconds, c.agent, c.talk_seconds, c.rings_unanswered) == \
        ("answered", 12, "SIP/8001", 88, 1)
    assert c.entered_at == datetime.fromtimestamp(T0, tz=timezone.utc)


def test_abandon_wait_is_data3_and_timeout_is_not_answered():
    c = Q.fold("c2", _events(f"{T0}|c2|q|NONE|ENTERQUEUE||x|1", f"{T0 + 40}|c2|q|NONE|ABANDON|3|5|37"))
    assert (c.outcome, c.wait_seconds) == ("abandoned", 37)
    c = Q.fold("c3", _events(f"{T0 + 60}|c3|q|NONE|EXITWITHTIMEOUT|1|1|60"))
    assert (c.outcome, c.wait_seconds) == ("timeout", 60)
    assert c.entered_at == datetime.fromtimestamp(T0, tz=timezone.utc)   # from the wait


def test_completion_without_connect_still_counts_as_answered():
    c = Q.fold("c4", _events(f"{T0 + 90}|c4|q|SIP/8001|COMPLETECALLER|9|80|1"))
    assert (c.outcome, c.wait_seconds, c.talk_seconds) == ("answered", 9, 80)


def test_parse_skips_other_events_and_refuses_bad_lines():
    assert Q.parse_line(f"{T0}|NONE|NONE|NONE|QUEUESTART|") is None
    assert Q.parse_line(f"{T0}|c|q|SIP/1|AGENTLOGIN|SIP/1") is None
    assert Q.parse_line("") is None
    with pytest.raises(Q.QueueLogError) as e:
        Q.parse_line("abc|c|q|NONE|CONNECT|1")
    assert e.value.field == "epoch"
    with pytest.raises(Q.QueueLogError):
        Q.parse_line("1|2|3")


def test_dedupe_key_per_call_and_event_but_each_ring():
    a, b = _events(f"{T0}|c|q|SIP/1|RINGNOANSWER|1", f"{T0 + 9}|c|q|SIP/2|RINGNOANSWER|1")
    assert a.dedupe_key() != b.dedupe_key()
    c, d = _events(f"{T0}|c|q|SIP/1|CONNECT|1", f"{T0 + 9}|c|q|SIP/1|CONNECT|1")
    assert c.dedupe_key() == d.dedupe_key() == "c|CONNECT"


def test_rates_have_no_data_without_calls():
    r = F.rates({})
    assert (r["answer_rate"], r["abandon_rate"], r["avg_wait_seconds"]) == (None, None, None)
    r = F.rates({"offered": 4, "answered": 3, "answered_within": 2, "abandoned": 1,
                 "wait_total": 40, "wait_n": 4})
    assert (r["answer_rate"], r["service_level"], r["abandon_rate"], r["avg_wait_seconds"]) == \
        (0.75, 0.5, 0.25, 10.0)


def test_reminder_due_and_overdue():
    sent = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    exp = sent + timedelta(days=10)
    assert not R.reminder_due(sent, exp, sent + timedelta(hours=23), 24)
    assert R.reminder_due(sent, exp, sent + timedelta(hours=24), 24)
    assert not R.reminder_due(sent, exp, exp, 24)                 # link expired
    assert not R.reminder_due(None, exp, sent + timedelta(days=2), 24)   # never sent
    due = sent + timedelta(days=5)
    assert R.overdue("open", due, None, due + timedelta(seconds=1))
    assert not R.overdue("open", due, None, due)
    assert R.overdue("accepted", due, due + timedelta(hours=1), due)   # feedback came late
    assert not R.overdue("open", due, due - timedelta(hours=1), due + timedelta(days=3))
    assert R.is_bad("dissatisfied") and not R.is_bad("basic")


def test_evaluation_scale_and_quarters():
    ev = X.evaluation({"speed": 5, "attitude": 4, "accuracy": 3, "result": 2, "comment": " 好 "})
    assert ev.overall == 3.5 and ev.comment == "好"
    with pytest.raises(X.ExperienceError) as e:
        X.evaluation({"speed": 0, "attitude": 4, "accuracy": 3, "result": 2})
    assert e.value.field == "speed"
    with pytest.raises(X.ExperienceError):
        X.evaluation({"speed": True, "attitude": 4, "accuracy": 3, "result": 2})
    assert X.quarter_of(date(2026, 12, 31)) == "2026Q4" and X.quarter_of(date(2026, 1, 1)) == \
        "2026Q1"
    assert X.quarter_range("2026Q4") == (date(2026, 10, 1), date(2026, 12, 31))
    assert X.quarter_range("2026Q1") == (date(2026, 1, 1), date(2026, 3, 31))
    assert X.averages([]) == {"evaluations": 0, "speed": None, "attitude": None,
                              "accuracy": None, "result": None, "overall": None}
