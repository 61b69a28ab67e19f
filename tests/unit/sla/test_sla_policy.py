"""Policy loading and validation, quiet hours, extensions; the real config files load."""
from __future__ import annotations

import shutil

import pytest
from sla_oracle import T
from tests_sla_paths import REPO_CONFIG

from hotline.sla.domain.policy import ConfigError, load_policy


def test_repo_config_loads_with_defaults_from_the_brief():
    p = load_policy(REPO_CONFIG)
    assert p.reply_days["consultation"] == 2
    assert p.reply_days["help"] == p.reply_days["suggestion"] == 10
    assert p.reply_days["complaint"] == p.reply_days["report"] == 15
    assert p.reply_days["praise"] is None
    assert (p.sign_working_days, p.contact_working_days) == (1, 1)
    assert (p.pledge_sign_minutes, p.pledge_contact_minutes, p.pledge_onsite_minutes,
            p.pledge_finish_working_days) == (5, 30, 60, 2)
    assert (p.critical_feedback_minutes, p.critical_final_reply_minutes) == (120, 1440)
    assert [(s.action, s.after_working_days) for s in p.steps] == \
        [("urge", 0), ("supervise", 1), ("escalate_leader", 5)]
    assert (p.max_extensions, p.max_extension_days) == (3, 3)
    assert p.warn_fractions == (0.75,) and p.warn_lead_minutes == (120,)


def test_rapid_response_file_schema_when_present():
    if not (REPO_CONFIG / "rapid_response.yaml").exists():
        pytest.skip("config/rapid_response.yaml not written yet")
    items = load_policy(REPO_CONFIG).rapid_items
    assert len(items) == 65
    for it in items.values():
        assert it.contact_minutes >= 1 and it.finish_working_days >= 1 and it.phrases


def test_fixture_rapid_items(policy):
    assert set(policy.rapid_items) == {"t_pipe", "t_drain"}
    assert policy.rapid_items["t_drain"].onsite_minutes == 240


@pytest.mark.parametrize("patch,key", [
    ("calendar: {convention: c}", "calendar.convention"),
    ("legal: {sign_working_days: 0}", "legal.sign_working_days"),
    ("warnings: {fractions: [1.5]}", "warnings.fractions[0]"),
    ("escalation: {steps: [{action: shout, after_working_days: 0}]}",
     "escalation.steps[0].action"),
    ("escalation: {targets: [moral]}", "escalation.targets[0]"),
    ("notifications: {quiet_hours: {start: '25h', end: '08:00'}}",
     "notifications.quiet_hours.start"),
    ("pledge: {urgencies: [panic]}", "pledge.urgencies[0]"),
])
def test_invalid_config_names_file_and_key(tmp_path, config_dir, patch, key):
    for f in ("sla.yaml", "appeal_types.yaml"):
        shutil.copy(config_dir / f, tmp_path / f)
    text = (tmp_path / "sla.yaml").read_text(encoding="utf-8")
    top = patch.split(":")[0]
    # drop the original top-level section, append the broken one
    lines, out, skip = text.splitlines(), [], False
    for line in lines:
        if line and not line.startswith((" ", "#")):
            skip = line.startswith(top + ":")
        if not skip:
            out.append(line)
    (tmp_path / "sla.yaml").write_text("\n".join(out) + "\n" + patch + "\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_policy(tmp_path)
    assert e.value.key == key and e.value.file.endswith("sla.yaml")
    assert "sla.yaml" in str(e.value) and key in str(e.value)


def test_bad_rapid_item_names_file_and_key(tmp_path, config_dir):
    for f in ("sla.yaml", "appeal_types.yaml"):
        shutil.copy(config_dir / f, tmp_path / f)
    (tmp_path / "rapid_response.yaml").write_text(
        "items:\n  - {code: a, contact_minutes: 0}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_policy(tmp_path)
    assert e.value.key == "items[0].contact_minutes"
    assert e.value.file.endswith("rapid_response.yaml")


def test_quiet_hours_for_normal_orders_only(policy):
    assert policy.deliver_at(T(2025, 9, 1, 23, 30)) == T(2025, 9, 2, 8, 0)
    assert policy.deliver_at(T(2025, 9, 2, 7, 59)) == T(2025, 9, 2, 8, 0)
    assert policy.deliver_at(T(2025, 9, 2, 8, 0)) == T(2025, 9, 2, 8, 0)
    assert policy.deliver_at(T(2025, 9, 2, 21, 59)) == T(2025, 9, 2, 21, 59)
    assert policy.deliver_at(T(2025, 9, 1, 23, 30), "urgent") == T(2025, 9, 1, 23, 30)
    assert policy.deliver_at(T(2025, 9, 1, 23, 30), rapid_item="t_pipe") == T(2025, 9, 1, 23, 30)


def test_extension_limits(policy):
    assert policy.extension_allowed([], 3)[0]
    assert not policy.extension_allowed([], 4)[0]
    assert not policy.extension_allowed([3, 3, 3], 1)[0]
