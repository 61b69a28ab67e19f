"""服务体验官 rules (issue 18 item 7; docs/design/domain.md §1.7: no public definition was found,
so these are ours). Pure: no framework, no I/O.

An officer is enrolled for a period (start and end dates). A task asks for one experience:
call the hotline about a matter, file through the web page, or check a unit's follow-up of an
order. The evaluation scores speed, attitude, accuracy and result from 1 to 5 with free text;
it counts for the unit evaluated and the channel tried, in the quarter it was submitted.
An officer's own appeals (orders whose caller phone is an officer's during the period) are
tested service, not ordinary appeals: their return visits are excluded from scoring, so the
unit is not scored twice for one experience.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

KINDS = {"call": "拨打热线反映", "web": "网上自助提交", "followup": "核查单位办理情况"}
# the channel a kind tests
CHANNEL_OF = {"call": "phone", "web": "web", "followup": "followup"}
CHANNEL_LABELS = {"phone": "电话", "web": "网上自助", "followup": "办理回访核查"}
SCORES = {"speed": "办理速度", "attitude": "服务态度", "accuracy": "答复准确", "result": "办理结果"}
ASSIGNED, EVALUATED = "assigned", "evaluated"
TASK_LABELS = {ASSIGNED: "待体验", EVALUATED: "已评价"}
PHONE = re.compile(r"^1[3-9]\d{9}$")


class ExperienceError(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass(frozen=True)
class Evaluation:
    speed: int
    attitude: int
    accuracy: int
    result: int
    comment: str | None

    @property
    def overall(self) -> float:
        return (self.speed + self.attitude + self.accuracy + self.result) / 4


def evaluation(body: dict) -> Evaluation:
    """Validate the four 1-5 scores and the free text."""
    vals = {}
    for k, label in SCORES.items():
        v = body.get(k)
        if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
            raise ExperienceError(k, f"{label}须为 1 至 5 分")
        vals[k] = v
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ExperienceError("comment", "须为文本")
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise ExperienceError("comment", "不超过 2000 字")
    return Evaluation(**vals, comment=comment or None)


def check_enrolment(name: str, phone: str, start: date, end: date) -> None:
    if not 1 <= len((name or "").strip()) <= 64:
        raise ExperienceError("name", "姓名须为 1 至 64 个字")
    if not PHONE.match(phone or ""):
        raise ExperienceError("phone", "手机号应为 11 位数字")
    if end < start:
        raise ExperienceError("period_end", "结束日期不能早于开始日期")


def quarter_of(d: date) -> str:
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"


def quarter_range(q: str) -> tuple[date, date]:
    """'2026Q4' -> (2026-10-01, 2026-12-31)."""
    m = re.fullmatch(r"(20\d\d)Q([1-4])", q or "")
    if not m:
        raise ExperienceError("quarter", "季度格式须为 YYYYQn, 如 2026Q4")
    y, n = int(m.group(1)), int(m.group(2))
    start = date(y, 3 * n - 2, 1)
    end = date(y + (n == 4), 1 if n == 4 else 3 * n + 1, 1)
    from datetime import timedelta
    return start, end - timedelta(days=1)


def averages(evals: list[Evaluation]) -> dict:
    """Mean of each score and of the overall, rounded to 0.01; None without evaluations."""
    n = len(evals)
    out = {"evaluations": n}
    for k in list(SCORES) + ["overall"]:
        out[k] = round(sum(getattr(e, k) for e in evals) / n, 2) if n else None
    return out
