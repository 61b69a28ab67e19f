"""Every action sla.yaml names is a real action of the transition table (a clock stopped by an
action that does not exist never stops): the critical 2-hour first-feedback clock is met by the
unit's first contact with the citizen (docs/design/domain.md §4)."""
from __future__ import annotations

import shutil

import pytest
import yaml
from sla_oracle import T
from tests_sla_paths import REPO_CONFIG

from hotline.sla.domain.clocks import OrderFacts, Transition
from hotline.sla.domain.policy import ConfigError, Policy, load_policy
from hotline.workorders.domain.workflow import ACTIONS


def _named_actions(doc: dict) -> dict[str, str]:
    """key path -> action, for every key of sla.yaml that names workflow actions."""
    out = {f"pledge.feedback_met_by[{i}]": a
           for i, a in enumerate((doc.get("pledge") or {}).get("feedback_met_by") or [])}
    for i, s in enumerate((doc.get("escalation") or {}).get("steps") or []):
        out[f"escalation.steps[{i}].action"] = s["action"]
    return out


def test_every_action_in_sla_yaml_is_in_the_transition_table():
    doc = yaml.safe_load((REPO_CONFIG / "sla.yaml").read_text(encoding="utf-8"))
    named = _named_actions(doc)
    assert any(k.startswith("pledge.feedback_met_by") for k in named)
    assert {k: a for k, a in named.items() if a not in ACTIONS} == {}


def test_policy_defaults_and_loaded_policy_name_real_actions():
    for p in (Policy(), load_policy(REPO_CONFIG)):
        assert set(p.feedback_met_by) <= set(ACTIONS), p.feedback_met_by
        assert {s.action for s in p.steps} <= set(ACTIONS)


def test_critical_feedback_clock_is_met_by_contacting_the_citizen(engine):
    order = OrderFacts(T(2025, 10, 13, 9), "help", "critical")    # a Monday
    h = [Transition("dispatch", T(2025, 10, 13, 9, 3), {"unit": "u1"}),
         Transition("sign", T(2025, 10, 13, 9, 5), {}),
         Transition("contact", T(2025, 10, 13, 9, 40), {})]
    fb = next(d for d in engine.deadlines(order, h) if d.clock == "feedback")
    assert fb.due == T(2025, 10, 13, 11) and fb.met_at == T(2025, 10, 13, 9, 40)


def test_an_unknown_action_is_a_config_error_naming_the_key(config_dir, tmp_path):
    d = tmp_path / "cfg"
    shutil.copytree(config_dir, d)
    p = d / "sla.yaml"
    p.write_text(p.read_text(encoding="utf-8").replace(
        "feedback_met_by: [contact,", "feedback_met_by: [feedback,"), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_policy(d)
    assert "pledge.feedback_met_by[0]" in str(e.value) and "feedback" in str(e.value)
