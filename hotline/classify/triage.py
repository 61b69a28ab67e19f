"""Intake triage (issue 14): every decision the front door makes about one appeal, in one call.

    from hotline.classify.triage import triage
    t = triage(text, town="虎门镇", predictor=store.current())
    t.emergency_line   # "110"/"119"/"120"/"122" or None: transfer at once, never queue
    t.rapid            # RapidHit (the 快速响应 item, its own unit and pledge clocks) or None
    t.vague            # Vague (reason) or None
    t.appeal_type      # AppealType(code, name, score, scores)
    t.category, t.unit # routing (the rapid item's own category/unit when it is a rapid hit)
    t.auto, t.reasons  # auto-dispatch decision; Chinese reasons for the dispatcher queue

Order of decisions: an emergency leaves the 12345 workflow (no rapid, no vague, auto False); a
rapid hit dispatches to the item's own unit (`town` = the town of the place); a vague appeal goes
to the dispatcher queue; otherwise the category model must clear a floor that does not depend on
the training corpus (its CV threshold can only raise it) and a margin over the runner-up, and
"other" never auto-dispatches (Build 1). Pure: no framework, no I/O beyond config/ and the shipped
corpus.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

from . import appeal_type as AT
from . import cues, emergency, vague
from . import text as T
from . import triage_model as TM


# ---------------------------------------------------------------- rapid rules ----------
@dataclass(frozen=True)
class RapidHit:
    code: str
    name: str
    category: str
    unit: str                  # units.yaml code, or "town" (属地) before resolution
    phrase: str                # the words that matched
    contact_minutes: int
    onsite_minutes: int
    finish_working_days: int


class RapidRules:
    """Trigger phrases and colloquial patterns of config/rapid_response.yaml, read the way the
    caller meant them: a negated trigger ("没有停水"), an event that is over or fixed ("前天停电的
    时候…", "已经修好了") and a question about the topic ("停水通知在哪里查", "拖欠工资怎么申请仲裁")
    do not count. Items with auto_detect: false are casework the agent picks, never flagged here."""

    def __init__(self, items: list[dict]):
        self.items = {it["code"]: it for it in items}
        self.rules: list[tuple[str, int, re.Pattern]] = []
        # an item's `unless` rules it out for the whole text (config/rapid_response.yaml)
        self.unless = {it["code"]: re.compile(it["unless"]) for it in items if it.get("unless")}
        for it in items:
            if it.get("auto_detect", True) is False:
                continue
            alts = [re.escape(cues.plain(p)) for p in it.get("phrases", [])] + list(it.get("patterns", []))
            self.rules.append((it["code"], int(it.get("priority", 0)), re.compile("|".join(alts))))

    @classmethod
    def from_config(cls, path=None) -> "RapidRules":
        from .rapid import load_items

        return cls(load_items(path))

    def candidates(self, s: str) -> list[tuple[int, int, str, str]]:
        """(priority, position, code, phrase) of every non-negated match, best first."""
        out = []
        for code, prio, rx in self.rules:
            if code in self.unless and self.unless[code].search(s):
                continue
            for m in rx.finditer(s):
                if (m.group(0) and not cues.negated(s, m.start(), m.group(0))
                        and not cues.clause_is_past(s, m.start(), m.end())):
                    out.append((prio, m.start(), code, m.group(0)))
                    break  # the first match that counts; a negated or past one lets a later one count
        out.sort(key=lambda c: (-c[0], c[1]))
        return out

    def detect(self, text: str) -> RapidHit | None:
        s = cues.plain(text)
        cands = self.candidates(s)
        if (not cands or cues.is_inquiry(s) or cues.is_past(s) or cues.is_chronic(s) or cues.is_suggestion(s)
                or cues.PRAISE.search(s)):
            return None
        _, _, code, phrase = cands[0]
        it = self.items[code]
        return RapidHit(code, it["name"], it["category"], it["unit"], phrase, int(it["contact_minutes"]),
                        int(it["onsite_minutes"]), int(it["finish_working_days"]))


# ---------------------------------------------------------------- towns ----------------
class Towns:
    """Town names of config/units.yaml (kind: town), in full and without 镇/街道/园区 suffix."""

    def __init__(self, units: list[dict]):
        self.by_name: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for u in units:
            if u.get("kind") != "town":
                continue
            name = u["name"]
            self.names[u["code"]] = name
            self.by_name[name] = u["code"]
            short = re.sub(r"(街道|镇|园区|新区)$", "", name)
            if len(short) >= 2:
                self.by_name.setdefault(short, u["code"])
        self._rx = re.compile("|".join(sorted(map(re.escape, self.by_name), key=len, reverse=True)))

    @classmethod
    def from_config(cls, config_dir=None) -> "Towns":
        import yaml

        cdir = Path(config_dir) if config_dir else T.CONFIG_DIR
        return cls(yaml.safe_load((cdir / "units.yaml").read_text(encoding="utf-8"))["units"])

    def resolve(self, town: str | None) -> str | None:
        if not town:
            return None
        if town in self.names:
            return town
        return self.by_name.get(town.strip())

    def find(self, text: str) -> str | None:
        m = self._rx.search(cues.plain(text))
        return self.by_name[m.group(0)] if m else None


# ---------------------------------------------------------------- auto policy ----------
@dataclass(frozen=True)
class AutoPolicy:
    """Build 1: auto-dispatch needs score >= max(min_score, the model's CV threshold) and a margin
    of min_margin over the runner-up; "other" and vague readings never auto-dispatch."""
    min_score: float = 0.4
    min_margin: float = 0.15
    never_auto: tuple[str, ...] = ("other",)
    # the learned fallback (hotline.classify.triage_model; config/classify.yaml triage_model): it adds a
    # rapid or emergency reading the rules missed above *_min; a P(emergency) of emergency_hold or
    # more keeps any appeal from automatic dispatch (a missed emergency must not be queued unseen)
    model: bool = True
    rapid_min: float = 0.6
    emergency_min: float = 0.6
    emergency_hold: float = 0.3

    @classmethod
    def from_settings(cls, cfg: dict | None = None) -> "AutoPolicy":
        from . import settings

        cfg = cfg or settings.load()
        a = cfg["auto_dispatch"]
        m = cfg.get("triage_model") or settings.DEFAULTS["triage_model"]
        return cls(float(a.get("min_score", cls.min_score)), float(a.get("min_margin", cls.min_margin)),
                   model=bool(m["enabled"]), rapid_min=float(m["rapid_min"]),
                   emergency_min=float(m["emergency_min"]), emergency_hold=float(m["emergency_hold"]))


# ---------------------------------------------------------------- result ---------------
@dataclass
class Triage:
    appeal_type: AT.AppealType
    emergency: emergency.Emergency | None = None
    rapid: RapidHit | None = None
    vague: vague.Vague | None = None
    category: str | None = None
    category_score: float | None = None
    unit: str | None = None          # resolved units.yaml code (never "town"); None = undecided
    town: str | None = None          # the town unit code used for 属地 matters, if known
    auto: bool = False
    reasons: list[str] = field(default_factory=list)   # Chinese, for the dispatcher queue

    @property
    def emergency_line(self) -> str | None:
        return self.emergency.line if self.emergency else None

    def as_row(self) -> dict:
        """The columns of `hotline classify triage` (issue 14, Build 5)."""
        return {
            "appeal_type": self.appeal_type.code, "appeal_type_score": f"{self.appeal_type.score:.4f}",
            "rapid": int(self.rapid is not None), "rapid_item": self.rapid.code if self.rapid else "",
            "rapid_name": self.rapid.name if self.rapid else "",
            "emergency": int(self.emergency is not None), "emergency_line": self.emergency_line or "",
            "vague": int(self.vague is not None), "category": self.category or "", "unit": self.unit or "",
            "auto": int(self.auto),
        }


# ---------------------------------------------------------------- defaults -------------
_lock = threading.Lock()
_cache: dict[str, object] = {}


def _default(key: str, build):
    if key not in _cache:
        with _lock:
            if key not in _cache:
                _cache[key] = build()
    return _cache[key]


def default_rules() -> RapidRules:
    return _default("rules", RapidRules.from_config)


def default_towns() -> Towns:
    return _default("towns", Towns.from_config)


def default_policy() -> AutoPolicy:
    return _default("policy", _build_policy)


def _build_policy() -> AutoPolicy:
    """The shipped policy; with the learned fallback on, its two models are trained here, once,
    so that the web server's preload (which asks for the default policy before forking) shares
    them and no appeal waits for a training run."""
    policy = AutoPolicy.from_settings()
    if policy.model:
        from . import rapid

        TM.default_model()
        rapid.default_detector()
    return policy


def _category_owner(category: str, predictor) -> str | None:
    if predictor is not None:
        return predictor.label_units.get(category)
    from .predictor import category_units

    return _default("owners", category_units).get(category)


# ---------------------------------------------------------------- triage ---------------
def triage(text: str, *, town: str | None = None, predictor=None, appeal_model: AT.AppealTypeModel | None = None,
           rapid_rules: RapidRules | None = None, towns: Towns | None = None,
           policy: AutoPolicy | None = None) -> Triage:
    """All intake decisions for one appeal. `town` (code or name) is the order's 镇街; when absent
    the town named in the text, if any, is used for 属地 (`town`) units, else the unit stays None
    and the appeal is not auto-dispatched. `predictor` is the published category model
    (hotline.classify.predictor.Predictor); without it only a rapid hit can route."""
    rapid_rules = rapid_rules or default_rules()
    towns = towns or default_towns()
    policy = policy or default_policy()
    em = emergency.detect(text)
    reading = TM.default_model().read(text) if policy.model else None
    if em is None and reading is not None and reading.emergency >= policy.emergency_min:
        em = _learned_emergency(text, reading)
    hit = None if em is not None else rapid_rules.detect(text)
    if hit is None and em is None and reading is not None and reading.rapid >= policy.rapid_min:
        hit = _learned_rapid(text, rapid_rules)
    at = (appeal_model or AT.default_model()).predict(text, urgent=em is not None or hit is not None)
    town_code = towns.resolve(town) or towns.find(text or "")
    out = Triage(appeal_type=at, town=town_code)

    suggestions = predictor.predict(text, k=2)["suggestions"] if predictor is not None else []
    if suggestions:
        out.category, out.category_score = suggestions[0]["label"], float(suggestions[0]["score"])
    if em is not None:
        out.emergency = em
        out.reasons.append(em.reason)
        out.unit = None
        return out  # leaves the 12345 workflow: no rapid tier, no dispatch

    if hit is not None:
        out.rapid = hit
        out.category, out.category_score = hit.category, None
        out.unit = _resolve_unit(hit.unit, town_code)
        if out.unit is None:
            out.reasons.append(f"快速响应事项“{hit.name}”属地办理，但未能确定所在镇街")
        elif _held(reading, policy):
            out.reasons.append(_HOLD_REASON)
        else:
            out.auto = True
            how = f"（{hit.phrase}）" if hit.phrase else "（按全文判断）"
            out.reasons.append(f"快速响应事项“{hit.name}”{how}，派往事项承办单位")
        return out

    vg = vague.detect(text)
    if vg is not None:
        out.vague = vg
        out.reasons.append(vg.reason)
    if not suggestions:
        if vg is None:
            out.reasons.append("无分类模型，需人工分派")
        return out
    top = suggestions[0]
    second = float(suggestions[1]["score"]) if len(suggestions) > 1 else 0.0
    out.unit = _resolve_unit(_category_owner(top["label"], predictor), town_code)
    floor = max(policy.min_score, float(getattr(predictor, "threshold", 0.0)))
    if vg is not None:
        return out
    if top["label"] in policy.never_auto:
        out.reasons.append("分类结果为“其他”，需人工判断承办单位")
    elif out.category_score < floor:
        out.reasons.append(f"分类置信度{out.category_score:.2f}低于自动派单下限{floor:.2f}")
    elif out.category_score - second < policy.min_margin:
        name = _category_names().get(suggestions[1]["label"], "另一类别")
        out.reasons.append(f"分类结果与第二候选“{name}”接近（相差{out.category_score - second:.2f}），需人工确认")
    elif out.unit is None:
        out.reasons.append("属地事项，但未能确定所在镇街")
    elif _held(reading, policy):
        out.reasons.append(_HOLD_REASON)
    else:
        out.auto = True
    return out


# ---------------------------------------------------------------- learned fallback ------
_HOLD_REASON = "全文读来可能涉及人身安全，请人工确认是否需转紧急热线"


def _held(reading, policy: AutoPolicy) -> bool:
    return reading is not None and reading.emergency >= policy.emergency_hold


def _learned_emergency(text: str, reading) -> emergency.Emergency | None:
    """The model's emergency reading, kept only when the rules' vetoes do not apply to the text as
    a whole: over or fixed, a near miss or hearsay, a question about the topic, and for 119 smoke
    from a kitchen or an engine with no flame (emergency.py)."""
    s = cues.plain(text)
    if reading.line not in emergency.LINES or emergency.not_now(s):
        return None
    if reading.line == "119" and emergency.smoke_explained(s):
        return None  # kitchen fumes or exhaust with no flame (the fire rule's own veto)
    return emergency.Emergency(reading.line, "learned", "",
                               f"全文读来有人身危险，请立即核实并转{emergency.LINES[reading.line]}")


def _learned_rapid(text: str, rules: RapidRules) -> RapidHit | None:
    """The model's rapid reading, with the same vetoes as a phrase hit (a question about the topic,
    over or fixed, chronic, a suggestion, praise; RapidRules.detect). The vague rule is not asked:
    it looks for a subject word, and a confident reading of the whole text is exactly the case of a
    subject the list lacks (涵洞, 排洪渠); the model learned vague appeals as "none". The item is the
    seed-trained item model's best among the items triage may flag."""
    from . import rapid

    s = cues.plain(text)
    if (cues.is_inquiry(s) or cues.is_past(s) or cues.is_chronic(s) or cues.is_suggestion(s)
            or cues.PRAISE.search(s)):
        return None
    probs = rapid.default_detector().item_probabilities(text)
    flaggable = {code for code, _, _ in rules.rules}
    code = max((c for c in probs if c in flaggable), key=probs.get, default=None)
    if code is None:
        return None
    it = rules.items[code]
    return RapidHit(code, it["name"], it["category"], it["unit"], "", int(it["contact_minutes"]),
                    int(it["onsite_minutes"]), int(it["finish_working_days"]))


def _category_names() -> dict[str, str]:
    def build():
        import yaml

        data = yaml.safe_load((T.CONFIG_DIR / "categories.yaml").read_text(encoding="utf-8"))
        return {c["code"]: c["name"] for c in data["categories"]}
    return _default("category_names", build)


def _resolve_unit(unit: str | None, town_code: str | None) -> str | None:
    if unit == "town":
        return town_code
    return unit
