from hotline.knowledge.domain import evaluate as E
from hotline.knowledge.domain.evaluate import Outcome, Query


def _o(i, kind, right, s1, n=3):
    targets = frozenset({"T"}) if kind != "none" else frozenset()
    top = ("T" if right else "W", "X")
    return Outcome(Query(f"q{i}", "", targets), kind, top, s1, s1 * 0.5, None, n)


def test_metrics_count_out_of_window_in_neither_figure_and_flag_violations():
    outs = [_o(1, "answerable", True, 0.9), _o(2, "none", False, 0.1),
            Outcome(Query("q3", "", frozenset({"T"})), "out_of_window", ("T",), 0.9, 0.1, "T")]
    m = E.metrics(outs, [True, False, True])
    assert (m["answerable"], m["none"], m["out_of_window"]) == (1, 1, 1)
    assert m["right_first"] == 1.0 and m["abstained_none"] == 1.0
    assert m["violations"] == 2   # answered with, and listed, an article outside its window


def test_tune_separates_and_cv_reports_out_of_fold_rates():
    outs = [_o(i, "answerable", True, 0.6 + i * 0.01) for i in range(20)]
    outs += [_o(100 + i, "none", False, 0.2 + i * 0.01) for i in range(10)]
    ms, sl, mm = E.tune(outs)
    ans = E.decide(outs, ms, sl, mm)
    m = E.metrics(outs, ans)
    assert m["right_first"] == 1.0 and m["abstained_none"] == 1.0
    cv = E.cross_validate(outs, folds=5, repeats=2)
    assert cv["right_first"] > 0.8 and cv["abstained_none"] > 0.8
