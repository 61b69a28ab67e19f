"""Every rate on hand-made facts; expected values worked out by hand in the comments."""
from datetime import datetime, timedelta, timezone

import pytest

from hotline.survey.domain.facts import UnitFacts, derive
from hotline.survey.domain.policy import SurveyPolicy
from hotline.survey.domain.scoring import Formula, aggregate, rates

T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
AS_OF = T0 + timedelta(days=30)
H = timedelta(hours=1)


def fact(i, **kw):
    base = dict(order_id=i, unit="u", assigned_at=T0, sign_due_at=T0 + 24 * H,
                signed_at=T0 + H, contact_req=True, contact_due_at=T0 + 24 * H,
                contacted_at=T0 + 2 * H, reply_due_at=T0 + 240 * H, replied_at=T0 + 48 * H,
                replies=1, closed=True, visits=1, answers=1, res_yes=1, sat_yes=1)
    base.update(kw)
    return UnitFacts(**base)


def hand_set():
    return [
        fact(1),                                                  # clean, satisfied
        fact(2, signed_at=T0 + 30 * H, res_yes=0, res_partial=1, sat_yes=0, sat_basic=1),
        fact(3, contacted_at=T0 + 30 * H, replied_at=T0 + 300 * H, send_backs=1, replies=2,
             res_yes=0, res_no=1, sat_yes=0, sat_no=1),           # late contact + late reply
        fact(4, contact_req=False, reopens=1),                    # anonymous; reopened
        fact(5, replied_at=None, replies=0, closed=False, visits=0, answers=0, res_yes=0, sat_yes=0,
             reply_due_at=T0 + 24 * H),                           # unreplied, overdue
        fact(6, returns_req=1, returns_bad=1, extensions=1, visits=1, answers=0, res_yes=0,
             sat_yes=0, unreachable=1),                           # rejected return, unreachable
        fact(7, returned_away=True, returns_req=1, returns_ok=1),  # approved return: excluded
        fact(8, unreasonable=True, sat_yes=0, sat_no=1, res_yes=0, res_no=1),  # 最终答复
    ]


def test_each_rate_by_hand():
    s = aggregate(hand_set(), AS_OF)
    r = rates(s, Formula())
    # population: 8 rows minus #7 (approved return) minus #8 (unreasonable) = 6
    assert s["assigned"] == 8 and s["population"] == 6
    # 按时签收率: #2 signed after 30 h > 24 h due -> 5 of 6
    assert r["sign_rate"] == pytest.approx(5 / 6)
    # 响应率: contact required in 1,2,3,5,6 (#4 anonymous) = 5; #3 late -> 4/5
    assert r["response_rate"] == pytest.approx(4 / 5)
    # 按时办结率: due = 1,2,3,4,6 (replied) + 5 (past due) = 6; on time: 1,2,4,6 -> 4/6
    assert r["ontime_rate"] == pytest.approx(4 / 6)
    assert r["overdue_rate"] == pytest.approx(2 / 6)
    # 退单率 over all 8 assigned: requests #6,#7 = 2/8; approved 1/8; rejected 1/8
    assert r["return_rate"] == pytest.approx(2 / 8)
    assert r["return_ok_rate"] == pytest.approx(1 / 8)
    assert r["return_bad_rate"] == pytest.approx(1 / 8)
    # 回退率: send-backs 1 / replies (1+1+2+1+0+1) = 6 -> 1/6
    assert r["sendback_rate"] == pytest.approx(1 / 6)
    # closed in population: 1,2,3,4,6 = 5; reopened: #4 -> 1/5
    assert r["reopen_rate"] == pytest.approx(1 / 5)
    # 一次办结: closed without send-back/reopen/extension: 1,2 (#3 send back, #4 reopen,
    # #6 extension) -> 2/5
    assert r["first_time_rate"] == pytest.approx(2 / 5)
    # valid answers: 1,2,3,4 = 4 (#5 none, #6 unreachable, #8 excluded as unreasonable)
    # 解决率 = (已解决 1,4 = 2 + 0.5 × 部分解决 #2) / 4 = 2.5/4
    assert r["resolution_rate"] == pytest.approx(2.5 / 4)
    # 满意率 = (满意 1,4 = 2 + 1.0 × 基本满意 #2) / 4 = 3/4
    assert r["satisfaction_rate"] == pytest.approx(3 / 4)
    # 回访核实率: closed 5, visited 1,2,3,4,6 -> 5/5
    assert r["visit_rate"] == pytest.approx(1.0)
    # 协办按时率: no 协办 task -> no data, its weight drops out (Σ w = 0.95)
    assert r["assist_rate"] is None
    # score (2026.2) = 100 × (0.20 × 0.8 + 0.25 × 0.625 + 0.25 × 0.75 + 0.05 × 5/6
    #   + 0.10 × 4/6 + 0.05 × (1 − 1/6) + 0.05 × (1 − 1/5)) / 0.95 = 69.375 / 0.95 = 73.0263
    # deduction: 20 points × 不当退单率 1/8 = 2.5 -> 70.53 (2 dp)
    assert r["deduction"] == pytest.approx(2.5)
    assert r["score"] == pytest.approx(70.53, abs=0.0051)
    assert r["formula_version"] == "2026.2"
    # 6 scored orders < min_sample 10: a score, but not ranked
    assert r["sample"] == 6 and r["ranked"] is False


def test_basic_weight_and_partial_weight_are_configurable():
    s = aggregate(hand_set(), AS_OF)
    r = rates(s, Formula(basic_satisfied_weight=0.8, partial_resolved_weight=0.0))
    assert r["satisfaction_rate"] == pytest.approx((2 + 0.8) / 4)   # 0.7
    assert r["resolution_rate"] == pytest.approx(2 / 4)


@pytest.mark.parametrize("returns,total,flag", [(149, 1000, False), (150, 1000, True),
                                                (3, 20, True), (14, 94, False)])
def test_two_fifteen_percent_edge(returns, total, flag):
    # 两个15%: 149/1000 = 14.9 % is not flagged, 150/1000 = 15 % is; 3/20 = 15 % exactly;
    # 14/94 = 14.89 % is not.
    facts = [fact(i, returns_req=1 if i < returns else 0) for i in range(total)]
    r = rates(aggregate(facts, AS_OF), Formula())
    assert r["return_flag"] is flag
    assert r["return_rate"] == pytest.approx(returns / total)


def test_no_data_is_none_and_score_reweights():
    facts = [fact(1, answers=0, res_yes=0, sat_yes=0, visits=0)]
    r = rates(aggregate(facts, AS_OF), Formula())
    assert r["satisfaction_rate"] is None and r["resolution_rate"] is None
    assert r["score"] == 100.0        # only 响应率 (1/1) has data; no deductions
    assert rates(aggregate([], AS_OF), Formula())["score"] is None


class T:
    def __init__(self, action, at, data=None, to_status=None):
        self.action, self.at, self.data, self.to_status = action, at, data or {}, to_status


class Ord:
    id, category, town, status, caller = 7, "sanitation", "town_humen", "closed", None


def test_derive_from_history_approved_return_and_survey():
    hist = [T("dispatch", T0, {"unit": "a"}), T("request_return", T0 + H),
            T("approve_return", T0 + 2 * H, {"unit": "b"}), T("sign", T0 + 3 * H),
            T("contact", T0 + 4 * H), T("reply", T0 + 5 * H), T("send_back", T0 + 6 * H),
            T("reply", T0 + 7 * H), T("accept_reply", T0 + 8 * H), T("close", T0 + 9 * H)]
    facts = {f.unit: f for f in derive(Ord, hist, (), [
        {"unit": "b", "status": "answered", "resolved": "partial", "satisfaction": "basic",
         "excluded": False},
        {"unit": "b", "status": "answered", "resolved": "unresolved",
         "satisfaction": "dissatisfied", "excluded": True}])}
    a, b = facts["a"], facts["b"]
    assert a.returned_away and a.returns_req == 1 and a.returns_ok == 1 and not a.closed
    assert not b.returned_away and b.closed and b.replies == 2 and b.send_backs == 1
    assert b.signed_at == T0 + 3 * H and b.replied_at == T0 + 5 * H
    assert (b.answers, b.res_partial, b.sat_basic, b.excluded_ratings) == (1, 1, 1, 1)


def test_policy_unreachable_sampling_and_answers():
    from datetime import date
    p = SurveyPolicy(unreachable_attempts=3, unreachable_days=2)
    d1, d2 = date(2026, 11, 2), date(2026, 11, 3)
    assert not p.is_unreachable([d1, d1, d1])
    assert not p.is_unreachable([d1, d2])
    assert p.is_unreachable([d1, d1, d2])
    half = SurveyPolicy(sampling_rate=0.5)
    picks = [half.sampled(i, 3) for i in range(2000)]
    assert picks == [half.sampled(i, 3) for i in range(2000)]      # deterministic
    assert 850 < sum(picks) < 1150
    ans = p.normalise(True, "部分解决", "非常满意", "  好 ")
    assert ans == {"contacted": True, "resolved": "partial", "satisfaction": "satisfied",
                   "grade5": "very_satisfied", "comment": "好"}
