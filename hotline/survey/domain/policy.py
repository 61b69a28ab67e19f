"""Who is surveyed when, and the answer scale (docs/design/domain.md §8.1). Pure: no I/O here;
config/survey.yaml is read by `load_survey_policy` from a mapping the caller passes in."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# The 3-grade answer most 12345 回访 use (docs/design/domain.md §8.2): code -> 中文.
SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "dissatisfied": "不满意"}
RESOLVED = {"resolved": "已解决", "partial": "部分解决", "unresolved": "未解决"}
# The national 5-grade 好差评 scale (★5..★1); mapped onto the 3 grades by config.
GRADE5 = {"very_satisfied": "非常满意", "satisfied": "满意", "basic": "基本满意",
          "dissatisfied": "不满意", "very_dissatisfied": "非常不满意"}
DEFAULT_GRADE5_MAP = {"very_satisfied": "satisfied", "satisfied": "satisfied",
                      "basic": "basic", "dissatisfied": "dissatisfied",
                      "very_dissatisfied": "dissatisfied"}

# Outcomes of one return visit (docs/design/domain.md §8.3).
PENDING, ANSWERED, UNREACHABLE, EXPIRED, NOT_REQUIRED = (
    "pending", "answered", "unreachable", "expired", "not_required")
OUTCOME_LABELS = {PENDING: "待回访", ANSWERED: "已评价", UNREACHABLE: "无法联系",
                  EXPIRED: "逾期未评价", NOT_REQUIRED: "无需回访"}


class AnswerError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class SurveyPolicy:
    delay_minutes: int = 0          # wait after 审核通过 before the SMS goes out
    sampling_rate: float = 1.0      # share of closures surveyed (1.0 = every one)
    expiry_days: int = 10           # 南充: 10 days to rate (docs/design/domain.md §8.3)
    unreachable_attempts: int = 3   # unreachable after 3 attempts ...
    unreachable_days: int = 2       # ... on 2 different days (docs/design/domain.md §8.3)
    grade5_map: dict = field(default_factory=lambda: dict(DEFAULT_GRADE5_MAP))
    base_url: str = "http://127.0.0.1:8000"
    sms_template: str = "【东莞12345】您反映的工单{number}已办理答复，请点击链接评价：{link}"

    def sampled(self, order_id: int, closure_seq: int) -> bool:
        """Deterministic sampling: the same closure gets the same answer on every retry."""
        if self.sampling_rate >= 1:
            return True
        if self.sampling_rate <= 0:
            return False
        h = hashlib.sha256(f"{order_id}:{closure_seq}".encode()).digest()
        return int.from_bytes(h[:4], "big") / 2 ** 32 < self.sampling_rate

    def send_after(self, accepted_at: datetime) -> datetime:
        return accepted_at + timedelta(minutes=self.delay_minutes)

    def expires_at(self, accepted_at: datetime) -> datetime:
        return self.send_after(accepted_at) + timedelta(days=self.expiry_days)

    def is_unreachable(self, attempt_days: list[date]) -> bool:
        """N attempts on at least D different days (both configurable,
        docs/design/domain.md §8.3)."""
        return (len(attempt_days) >= self.unreachable_attempts
                and len(set(attempt_days)) >= self.unreachable_days)

    def normalise(self, contacted, resolved, satisfaction, comment) -> dict:
        """Validate one answer; accept codes or the Chinese labels; map the 5-grade scale."""
        if not isinstance(contacted, bool):
            raise AnswerError("contacted", "须为 true 或 false")
        res = _code(resolved, RESOLVED)
        if res is None:
            raise AnswerError("resolved", "须为 已解决 / 部分解决 / 未解决")
        grade = _code(satisfaction, GRADE5)
        if grade is None:
            raise AnswerError("satisfaction", "须为 满意 / 基本满意 / 不满意 (或五级好差评)")
        mapped = self.grade5_map.get(grade)
        if mapped not in SATISFACTION:
            raise AnswerError("satisfaction", f"五级评价 {grade} 未配置映射")
        if comment is not None and not isinstance(comment, str):
            raise AnswerError("comment", "须为文本")
        comment = (comment or "").strip()
        if len(comment) > 1000:
            raise AnswerError("comment", "不超过 1000 字")
        return {"contacted": contacted, "resolved": res, "satisfaction": mapped,
                "grade5": grade, "comment": comment or None}


def needs_review(resolved: str, satisfaction: str) -> bool:
    """Dissatisfied or unresolved goes to the supervisor queue (docs/design/domain.md §8.7)."""
    return satisfaction == "dissatisfied" or resolved == "unresolved"


def _code(value, table: dict) -> str | None:
    if not isinstance(value, str):
        return None
    if value in table:
        return value
    for code, label in table.items():
        if value == label:
            return code
    return None


def load_survey_policy(data: dict) -> SurveyPolicy:
    """Build the policy from config/survey.yaml's mapping; errors name the key. Reads only the
    keys it uses (no copy of the mapping), so the strict reader rejects any other key."""
    d = data if data is not None else {}
    kw = {}
    for key in ("delay_minutes", "expiry_days", "unreachable_attempts", "unreachable_days"):
        if key in d:
            if not isinstance(d[key], int) or d[key] < 0:
                raise ValueError(f"survey.yaml: {key}: 须为非负整数")
            kw[key] = d[key]
    if "sampling_rate" in d:
        r = d["sampling_rate"]
        if not isinstance(r, (int, float)) or not 0 <= r <= 1:
            raise ValueError("survey.yaml: sampling_rate: 须在 0 与 1 之间")
        kw["sampling_rate"] = float(r)
    if "grade5_map" in d:
        m = d["grade5_map"]
        bad = [k for k, v in (m or {}).items() if k not in GRADE5 or v not in SATISFACTION]
        if bad or set(m) != set(GRADE5):
            raise ValueError(f"survey.yaml: grade5_map: 须为五级到三级的完整映射 ({bad})")
        kw["grade5_map"] = dict(m)
    for key in ("base_url", "sms_template"):
        if d.get(key):
            kw[key] = str(d[key])
    return SurveyPolicy(**kw)
