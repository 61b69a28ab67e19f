"""SLA policy: limits by appeal type, pledge, urgency, rapid-response items, warnings, ladder.

Loaded from ``config/sla.yaml``, ``config/appeal_types.yaml`` and ``config/rapid_response.yaml``
(optional until it lands) and validated on load: every error is a ``ConfigError`` naming the
file and the key. Pure: stdlib + yaml.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from hotline.core.configfile import ConfigError, Doc, read_yaml, reject_unread
from hotline.sla.domain.calendar import CONVENTIONS, NO_DATA_POLICIES, TZ, WorkCalendar, as_local
from hotline.workorders.domain.workflow import ACTIONS

URGENCIES = ("normal", "urgent", "critical")
LADDER_ACTIONS = ("urge", "supervise", "escalate_leader")
TARGETS = ("legal", "pledge")


__all__ = ["ConfigError", "Policy", "RapidItem", "Step", "load_policy", "load_rapid_items"]


def config_dir() -> Path:
    """``$HOTLINE_CONFIG`` or the repository's ``config/`` next to the package."""
    env = os.environ.get("HOTLINE_CONFIG")
    if env:
        return Path(env)
    import hotline
    return Path(hotline.__file__).resolve().parent.parent / "config"


@dataclass(frozen=True)
class RapidItem:
    code: str
    name: str
    category: str | None
    unit: str | None
    contact_minutes: int
    onsite_minutes: int | None
    finish_working_days: int
    phrases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    action: str
    after_working_days: int


@dataclass(frozen=True)
class Policy:
    convention: str = "a"
    no_data_policy: str = "weekdays"
    override_dir: Path | None = None
    reply_days: dict[str, int | None] = field(default_factory=dict)
    sign_working_days: int = 1
    contact_working_days: int = 1
    reopen_reply_working_days: int = 3
    no_contact_clock: frozenset[str] = frozenset({"praise"})
    pledge_urgencies: frozenset[str] = frozenset({"urgent", "critical"})
    pledge_sign_minutes: int = 5
    pledge_contact_minutes: int = 30
    pledge_onsite_minutes: int = 60
    pledge_finish_working_days: int = 2
    feedback_met_by: tuple[str, ...] = ("contact", "onsite", "reply")
    critical_feedback_minutes: int = 120
    critical_final_reply_minutes: int = 1440
    dispatch_cutoff: dt.time = dt.time(12, 0)
    dispatch_urgent_minutes: int = 5
    warn_fractions: tuple[float, ...] = (0.75,)
    warn_lead_minutes: tuple[int, ...] = (120,)
    escalation_targets: frozenset[str] = frozenset(TARGETS)
    steps: tuple[Step, ...] = (Step("urge", 0), Step("supervise", 1), Step("escalate_leader", 5))
    quiet_start: dt.time | None = dt.time(22, 0)
    quiet_end: dt.time | None = dt.time(8, 0)
    rapid_quiet_hours: bool = False
    max_extensions: int = 3
    max_extension_days: int = 3
    rapid_items: dict[str, RapidItem] = field(default_factory=dict)
    # 二级派单: the village's clocks, inside the town's (docs/design/domain.md §6.8)
    village_sign_working_days: int = 1
    village_report_working_days: int = 3
    village_reserve_working_days: int = 1
    # 协办: each assisting unit's task has its own ladder (docs/design/domain.md §4.9)
    assist_steps: tuple[Step, ...] = (Step("urge", 0), Step("supervise", 1))

    def calendar(self) -> WorkCalendar:
        return WorkCalendar.from_dir(self.override_dir, no_data_policy=self.no_data_policy,
                                     convention=self.convention)

    def on_pledge(self, urgency: str | None, rapid_item: str | None) -> bool:
        return bool(rapid_item) or (urgency or "normal") in self.pledge_urgencies

    def quiet_applies(self, urgency: str | None, rapid_item: str | None) -> bool:
        return self.quiet_start is not None and (
            self.rapid_quiet_hours or not self.on_pledge(urgency, rapid_item))

    def deliver_at(self, t: dt.datetime, urgency: str | None = None,
                   rapid_item: str | None = None) -> dt.datetime:
        """When a notification created at ``t`` may be sent (quiet hours for normal orders)."""
        t = as_local(t)
        if not self.quiet_applies(urgency, rapid_item):
            return t
        s, e, now = self.quiet_start, self.quiet_end, t.timetz().replace(tzinfo=None)
        quiet = (s <= now or now < e) if s > e else (s <= now < e)
        if not quiet:
            return t
        day = t.date() if now < e else t.date() + dt.timedelta(days=1)
        return dt.datetime.combine(day, e, tzinfo=TZ)

    def extension_allowed(self, previous_days: list[int], days: int) -> tuple[bool, str]:
        """Extensions: at most ``max_extensions`` times, each at most ``max_extension_days``."""
        if days < 1 or days > self.max_extension_days:
            return False, f"每次延期 1 至 {self.max_extension_days} 个工作日"
        if len(previous_days) >= self.max_extensions:
            return False, f"最多延期 {self.max_extensions} 次"
        return True, ""


# --- loading -----------------------------------------------------------------------------
# Every key of sla.yaml and rapid_response.yaml is read below or the load fails naming it
# (hotline/core/configfile.py, docs/design/architecture.md §2.6).
def _read(path: Path, required: bool = True) -> Doc | None:
    return read_yaml(path, required)


def _int(f, key, v, lo=0, none_ok=False):
    if v is None and none_ok:
        return None
    if isinstance(v, bool) or not isinstance(v, int) or v < lo:
        raise ConfigError(f, key, f"expected an integer >= {lo}, got {v!r}")
    return v


def _time(f, key, v):
    try:
        h, m = str(v).split(":")
        return dt.time(int(h), int(m))
    except (ValueError, TypeError):
        raise ConfigError(f, key, f"expected HH:MM, got {v!r}") from None


def _map(f, key, v):
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise ConfigError(f, key, "expected a mapping")
    return v


def _list(f, key, v):
    if v is None:
        return []
    if not isinstance(v, list):
        raise ConfigError(f, key, "expected a list")
    return v


def _actions(f, key, v) -> tuple[str, ...]:
    """Action names must exist in the transition table: a clock "met by" an action that no
    one can take never stops."""
    out = tuple(_list(f, key, v))
    for i, a in enumerate(out):
        if a not in ACTIONS:
            raise ConfigError(f, f"{key}[{i}]", f"unknown action {a!r}")
    return out


def load_rapid_items(path: Path) -> dict[str, RapidItem]:
    doc = _read(path, required=False)
    if doc is None:
        return {}
    items = doc.get("items", doc.get("rapid_response")) if isinstance(doc, dict) else doc
    items = _list(path, "items", items)
    dflt = _map(path, "defaults", doc.get("defaults") if isinstance(doc, dict) else None)
    base = {"contact_minutes": 30, "onsite_minutes": 60, "finish_working_days": 2,
            **dict(dflt.items())}
    out: dict[str, RapidItem] = {}
    for i, it in enumerate(items):
        k = f"items[{i}]"
        if not isinstance(it, dict) or not it.get("code"):
            raise ConfigError(path, f"{k}.code", "each item needs a code")
        code = str(it["code"])
        if code in out:
            raise ConfigError(path, f"{k}.code", f"duplicate code {code!r}")
        phrases = _list(path, f"{k}.phrases", it.get("phrases"))
        out[code] = RapidItem(
            code, str(it.get("name") or code), it.get("category"), it.get("unit"),
            _int(path, f"{k}.contact_minutes", it.get("contact_minutes", base["contact_minutes"]), 1),
            _int(path, f"{k}.onsite_minutes", it.get("onsite_minutes", base["onsite_minutes"]), 1,
                 none_ok=True),
            _int(path, f"{k}.finish_working_days",
                 it.get("finish_working_days", base["finish_working_days"]), 1),
            tuple(str(p) for p in phrases))
        # detection fields: read by the triage's rapid detector (hotline/classify/rapid.py),
        # which owns their meaning; the SLA clocks need only the item and its limits
        for key in ("patterns", "priority", "auto_detect", "unless"):
            it.get(key)
    reject_unread(doc, path)
    return out


def _steps(f, key, raw) -> tuple[Step, ...]:
    steps = []
    for i, s in enumerate(_list(f, key, raw)):
        if not isinstance(s, dict) or s.get("action") not in LADDER_ACTIONS:
            raise ConfigError(f, f"{key}[{i}].action", f"one of {LADDER_ACTIONS}")
        steps.append(Step(s["action"], _int(f, f"{key}[{i}].after_working_days",
                                            s.get("after_working_days"), 0)))
    if [s.after_working_days for s in steps] != sorted(s.after_working_days for s in steps):
        raise ConfigError(f, key, "steps must be in increasing order")
    return tuple(steps)


def load_policy(directory: Path | str | None = None) -> Policy:
    """Load and validate the SLA policy from a config directory (default: ``config_dir()``)."""
    d = Path(directory) if directory else config_dir()
    f = d / "sla.yaml"
    doc = _map(f, "-", _read(f))
    cal = _map(f, "calendar", doc.get("calendar"))
    conv = cal.get("convention", "a")
    if conv not in CONVENTIONS:
        raise ConfigError(f, "calendar.convention", f"one of {CONVENTIONS}, got {conv!r}")
    ndp = cal.get("no_data_policy", "weekdays")
    if ndp not in NO_DATA_POLICIES:
        raise ConfigError(f, "calendar.no_data_policy", f"one of {NO_DATA_POLICIES}")
    legal = _map(f, "legal", doc.get("legal"))
    pledge = _map(f, "pledge", doc.get("pledge"))
    crit = _map(f, "critical", doc.get("critical"))
    dq = _map(f, "dispatch_queue", doc.get("dispatch_queue"))
    warn = _map(f, "warnings", doc.get("warnings"))
    esc = _map(f, "escalation", doc.get("escalation"))
    notif = _map(f, "notifications", doc.get("notifications"))
    ext = _map(f, "extensions", doc.get("extensions"))
    village = _map(f, "village", doc.get("village"))       # 二级派单 (issue 17)
    assist = _map(f, "assist", doc.get("assist"))          # 协办 clocks (issue 17)

    # appeal_types.yaml is checked key by key by hotline.core.config.load_city; only the reply
    # limits matter here
    af = d / "appeal_types.yaml"
    adoc = _map(af, "-", _read(af))
    reply_days: dict[str, int | None] = {}
    for i, a in enumerate(_list(af, "appeal_types", adoc.get("appeal_types"))):
        if not isinstance(a, dict) or "code" not in a:
            raise ConfigError(af, f"appeal_types[{i}].code", "missing")
        reply_days[a["code"]] = _int(af, f"appeal_types[{i}].reply_days", a.get("reply_days"),
                                     1, none_ok=True)
    for code, v in _map(f, "legal.reply_working_days", legal.get("reply_working_days")).items():
        reply_days[code] = _int(f, f"legal.reply_working_days.{code}", v, 1, none_ok=True)

    fractions = _list(f, "warnings.fractions", warn.get("fractions", [0.75]))
    for i, x in enumerate(fractions):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not 0 < x < 1:
            raise ConfigError(f, f"warnings.fractions[{i}]", f"expected 0 < x < 1, got {x!r}")
    leads = [_int(f, f"warnings.lead_minutes[{i}]", x, 1)
             for i, x in enumerate(_list(f, "warnings.lead_minutes", warn.get("lead_minutes",
                                                                               [120])))]
    targets = _list(f, "escalation.targets", esc.get("targets", list(TARGETS)))
    for i, t in enumerate(targets):
        if t not in TARGETS:
            raise ConfigError(f, f"escalation.targets[{i}]", f"one of {TARGETS}, got {t!r}")
    steps = []
    raw_steps = esc.get("steps", [{"action": "urge", "after_working_days": 0},
                                  {"action": "supervise", "after_working_days": 1},
                                  {"action": "escalate_leader", "after_working_days": 5}])
    for i, s in enumerate(_list(f, "escalation.steps", raw_steps)):
        if not isinstance(s, dict) or s.get("action") not in LADDER_ACTIONS:
            raise ConfigError(f, f"escalation.steps[{i}].action", f"one of {LADDER_ACTIONS}")
        steps.append(Step(s["action"], _int(f, f"escalation.steps[{i}].after_working_days",
                                            s.get("after_working_days"), 0)))
    if [s.after_working_days for s in steps] != sorted(s.after_working_days for s in steps):
        raise ConfigError(f, "escalation.steps", "steps must be in increasing order")
    qh = notif.get("quiet_hours", {"start": "22:00", "end": "08:00"})
    qs = qe = None
    if qh:
        qh = _map(f, "notifications.quiet_hours", qh)
        qs = _time(f, "notifications.quiet_hours.start", qh.get("start"))
        qe = _time(f, "notifications.quiet_hours.end", qh.get("end"))
    urg = _list(f, "pledge.urgencies", pledge.get("urgencies", ["urgent", "critical"]))
    for i, u in enumerate(urg):
        if u not in URGENCIES:
            raise ConfigError(f, f"pledge.urgencies[{i}]", f"one of {URGENCIES}, got {u!r}")
    od = cal.get("override_dir", "calendar")
    policy = Policy(
        convention=conv, no_data_policy=ndp, override_dir=(d / od) if od else None,
        reply_days=reply_days,
        sign_working_days=_int(f, "legal.sign_working_days", legal.get("sign_working_days", 1), 1),
        contact_working_days=_int(f, "legal.contact_working_days",
                                  legal.get("contact_working_days", 1), 1),
        reopen_reply_working_days=_int(f, "legal.reopen_reply_working_days",
                                       legal.get("reopen_reply_working_days", 3), 1),
        no_contact_clock=frozenset(_list(f, "legal.no_contact_clock",
                                         legal.get("no_contact_clock", ["praise"]))),
        pledge_urgencies=frozenset(urg),
        pledge_sign_minutes=_int(f, "pledge.sign_minutes", pledge.get("sign_minutes", 5), 1),
        pledge_contact_minutes=_int(f, "pledge.contact_minutes",
                                    pledge.get("contact_minutes", 30), 1),
        pledge_onsite_minutes=_int(f, "pledge.onsite_minutes", pledge.get("onsite_minutes", 60),
                                   1),
        pledge_finish_working_days=_int(f, "pledge.finish_working_days",
                                        pledge.get("finish_working_days", 2), 1),
        feedback_met_by=_actions(f, "pledge.feedback_met_by",
                                 pledge.get("feedback_met_by",
                                            ["contact", "onsite", "reply"])),
        critical_feedback_minutes=_int(f, "critical.feedback_minutes",
                                       crit.get("feedback_minutes", 120), 1),
        critical_final_reply_minutes=_int(f, "critical.final_reply_minutes",
                                          crit.get("final_reply_minutes", 1440), 1),
        dispatch_cutoff=_time(f, "dispatch_queue.cutoff", dq.get("cutoff", "12:00")),
        dispatch_urgent_minutes=_int(f, "dispatch_queue.urgent_minutes",
                                     dq.get("urgent_minutes", 5), 1),
        warn_fractions=tuple(float(x) for x in fractions), warn_lead_minutes=tuple(leads),
        escalation_targets=frozenset(targets), steps=tuple(steps),
        quiet_start=qs, quiet_end=qe,
        rapid_quiet_hours=bool(notif.get("rapid_quiet_hours", False)),
        max_extensions=_int(f, "extensions.max_count", ext.get("max_count", 3), 0),
        max_extension_days=_int(f, "extensions.max_working_days",
                                ext.get("max_working_days", 3), 1),
        rapid_items=load_rapid_items(d / "rapid_response.yaml"),
        village_sign_working_days=_int(f, "village.sign_working_days",
                                       village.get("sign_working_days", 1), 1),
        village_report_working_days=_int(f, "village.report_working_days",
                                         village.get("report_working_days", 3), 1),
        village_reserve_working_days=_int(f, "village.reserve_working_days",
                                          village.get("reserve_working_days", 1), 0),
        assist_steps=_steps(f, "assist.escalation", assist.get(
            "escalation", [{"action": "urge", "after_working_days": 0},
                           {"action": "supervise", "after_working_days": 1}])),
    )
    reject_unread(doc, f)
    return policy
