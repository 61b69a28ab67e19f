"""Issue 18 items 1-3 on hand-made histories: 响应率 as the citizen confirms it, 协办 on time,
deductions as rates, the minimum sample and ranking with a tie (expected values by hand)."""
from datetime import datetime, timedelta, timezone

import pytest

from hotline.survey.domain.facts import UnitFacts, derive
from hotline.survey.domain.scoring import Formula, aggregate, load_formula, main_faults, rank, rates

T0 = datetime(2026, 11, 2, 9, tzinfo=timezone.utc)
AS_OF = T0 + timedelta(days=30)
H = timedelta(hours=1)


def fact(i, unit="u", **kw):
    base = dict(order_id=i, unit=unit, assigned_at=T0, sign_due_at=T0 + 24 * H,
                signed_at=T0 + H, contact_req=True, contact_due_at=T0 + 24 * H,
                contacted_at=T0 + 2 * H, reply_due_at=T0 + 240 * H, replied_at=T0 + 48 * H,
                replies=1, closed=True, visits=1, answers=1, res_yes=1, sat_yes=1)
    base.update(kw)
    return UnitFacts(**base)


def test_response_rate_takes_the_citizens_answer_where_the_visit_asked():
    facts = [
        fact(1, visit_contacted=1),                         # unit contacted, citizen agrees
        fact(2, visit_not_contacted=1),                     # unit logged contact, citizen denies
        fact(3, contacted_at=None, visit_contacted=1),      # unit logged nothing, citizen: yes
        fact(4),                                            # not asked: the unit's own contact
        fact(5, contacted_at=T0 + 30 * H),                  # not asked: late own contact
    ]
    r = rates(aggregate(facts, AS_OF), Formula())
    # asked: #1 yes, #2 no, #3 yes -> 2 of 3; not asked: #4 on time, #5 late -> 1 of 2
    assert r["response_rate"] == pytest.approx(3 / 5)
    s = aggregate(facts, AS_OF)
    assert (s["resp_asked"], s["resp_n"], s["resp_ok"]) == (3, 5, 3)
    # the unit's own record alone would say 4 of 5 (#3 none, #5 late)
    assert s["contact_ok"] == 3 and s["contact_req"] == 5


def test_deductions_are_rates_so_a_busy_unit_loses_the_same():
    # 虎门 with 200 orders and 洪梅 with 20, both 10 % 不当退单 and 10 % overdue
    def unit(n):
        return [fact(i, returns_req=int(i % 10 == 0), returns_bad=int(i % 10 == 0),
                     replied_at=T0 + 300 * H if i % 10 == 1 else T0 + 48 * H)
                for i in range(n)]
    big, small = (rates(aggregate(unit(n), AS_OF), Formula()) for n in (200, 20))
    assert big["return_bad_rate"] == small["return_bad_rate"] == pytest.approx(0.1)
    assert big["deduction"] == small["deduction"] == pytest.approx(2.0)   # 20 × 10 %
    assert big["score"] == small["score"]


def test_assist_on_time_rate_and_its_weight():
    hist = [T("dispatch", T0, {"unit": "lead", "assist": [
                {"unit": "helper", "task": "查明管线", "due": (T0 + 24 * H).isoformat()},
                {"unit": "late", "task": "核实", "due": (T0 + 24 * H).isoformat()}]}),
            T("add_assist", T0 + H, {"unit": "silent", "task": "配合",
                                     "due": (T0 + 24 * H).isoformat()}),
            T("assist_input", T0 + 5 * H, {"input": "已查明"}, unit="helper"),
            T("assist_input", T0 + 30 * H, {"input": "已核实"}, unit="late"),
            T("assist_input", T0 + 31 * H, {"input": "again"}, unit="helper")]
    facts = {f.unit: f for f in derive(Ord, hist)}
    assert facts["helper"].assist_only and facts["helper"].assist_done_at == T0 + 5 * H
    assert facts["late"].assist_done_at == T0 + 30 * H
    assert facts["silent"].assist_done_at is None
    assert not facts["lead"].assist_only
    # an assisting unit is never assigned nor in the population
    s = aggregate([facts["helper"]], AS_OF)
    assert (s["assigned"], s["population"], s["assist_due"], s["assist_ok"]) == (0, 0, 1, 1)
    # helper on time, late late, silent past due at AS_OF -> 1 of 3
    r = rates(aggregate([facts["helper"], facts["late"], facts["silent"]], AS_OF), Formula())
    assert r["assist_rate"] == pytest.approx(1 / 3)
    # silent's task is not due yet at T0 + 2 h: not counted
    s2 = aggregate([facts["silent"]], T0 + 2 * H)
    assert s2["assist_due"] == 0
    # only the assist rate has data: score = 100 × 1/3, weight normalised
    assert r["score"] == pytest.approx(33.33, abs=0.01)


def test_derive_counts_contacted_answers_of_valid_ratings_only():
    hist = [T("dispatch", T0, {"unit": "a"}), T("sign", T0 + H), T("reply", T0 + 2 * H),
            T("accept_reply", T0 + 3 * H)]
    [f] = derive(Ord, hist, (), [
        {"unit": "a", "status": "answered", "contacted": True, "resolved": "resolved",
         "satisfaction": "satisfied", "excluded": False},
        {"unit": "a", "status": "answered", "contacted": False, "resolved": "resolved",
         "satisfaction": "satisfied", "excluded": False},
        {"unit": "a", "status": "answered", "contacted": False, "resolved": "unresolved",
         "satisfaction": "dissatisfied", "excluded": True},     # overturned: not counted
        {"unit": "a", "status": "unreachable"}])
    assert (f.visit_contacted, f.visit_not_contacted) == (1, 1)


def _item(unit, n, score_facts):
    r = rates(aggregate(score_facts(n), AS_OF), Formula(min_sample=10))
    return {"unit": unit, **r}


def test_min_sample_and_a_tie():
    def good(n):
        return [fact(i) for i in range(n)]

    def worse(n):
        return [fact(i, sat_yes=0, sat_no=1) if i == 0 else fact(i) for i in range(n)]
    items = [_item("town_a", 12, good), _item("town_b", 12, good),       # tie at the top
             _item("town_c", 12, worse), _item("town_d", 9, good),        # 9 < 10: unranked
             _item("town_e", 10, worse)]
    out = rank(items)
    got = [(i["unit"], i["rank"]) for i in out]
    # a and b tie at 100 (并列第 1); no 协办 data, so Σ w = 0.95:
    # c = 100 − 100 × 0.25 × (1/12) / 0.95 = 97.81; e = 100 − 100 × 0.25 × 0.1 / 0.95 = 97.37;
    # d has the best score but only 9 scored orders: listed last, unranked
    assert got == [("town_a", 1), ("town_b", 1), ("town_c", 3), ("town_e", 4), ("town_d", None)]
    assert out[0]["score"] == out[1]["score"] == 100.0
    assert out[2]["score"] == pytest.approx(97.81, abs=0.005)
    assert out[3]["score"] == pytest.approx(97.37, abs=0.005)
    assert out[4]["score"] == 100.0 and out[4]["sample"] == 9 and not out[4]["ranked"]


def test_min_sample_exactly_at_the_line_is_ranked():
    r = rates(aggregate([fact(i) for i in range(10)], AS_OF), Formula(min_sample=10))
    assert r["ranked"] is True
    r = rates(aggregate([fact(i) for i in range(10)], AS_OF), Formula(min_sample=11))
    assert r["ranked"] is False


def test_main_faults_name_the_rates_that_cost_most():
    facts = [fact(i, sat_yes=0, sat_no=1, replied_at=T0 + 300 * H) if i < 4 else fact(i)
             for i in range(10)]
    r = rates(aggregate(facts, AS_OF), Formula())
    # 满意率 0.6 costs 25 × 0.4 = 10 points; 按时办结率 0.6 costs 10 × 0.4 = 4
    assert main_faults(r, Formula()) == ["satisfaction_rate", "ontime_rate"]


def test_formula_config_checks_min_sample_and_keys():
    f = load_formula({"version": "x", "weights": {"assist_rate": 1}, "min_sample": 3,
                      "deductions": {"reopen": 5}})
    assert f.min_sample == 3 and f.deductions == {"reopen": 5.0}
    for bad in ({"min_sample": 0}, {"min_sample": "10"}, {"min_sample": True}):
        with pytest.raises(ValueError, match="min_sample"):
            load_formula({"version": "x", "weights": {"sign_rate": 1}, **bad})


class T:
    def __init__(self, action, at, data=None, to_status=None, unit=None):
        self.action, self.at, self.data, self.to_status, self.unit = \
            action, at, data or {}, to_status, unit


class Ord:
    id, category, town, status, caller = 7, "sanitation", "town_humen", "open", None


def test_red_and_black_lists():
    from hotline.survey.domain.scoring import red_black

    def tier(*scores):
        return [{"unit": f"u{n}", "score": s} for n, s in enumerate(scores)]
    names = lambda lst: [i["unit"] for i in lst]   # noqa: E731
    red, black = red_black(tier(99, 95, 90, 85, 70, 60, 50), 3, 80)
    assert names(red) == ["u0", "u1", "u2"] and names(black) == ["u6", "u5", "u4"]
    red, black = red_black(tier(90, 70), 3, 80)       # two units: one on each list
    assert names(red) == ["u0"] and names(black) == ["u1"]
    red, black = red_black(tier(75, 70), 3, 80)       # the best is under the pass line
    assert red == [] and names(black) == ["u1"]
    assert red_black(tier(90), 3, 80) == ([], [])     # one unit: neither
    red, black = red_black(tier(100, 100, 100, 60), 3, 80)   # ties with the top never black
    assert names(red) == ["u0", "u1"] and names(black) == ["u3"]
    assert red_black(tier(88, 88, 88, 88), 3, 80) == ([], [])
