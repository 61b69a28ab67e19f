"""会商 rules (issue 17, Build 3), pure: who may be consulted, what an answer must carry, what
a decision may name, and each unit's standing answer.

A consultation asks 2-4 units (config/cases.yaml `consult`) whether they lead, assist or
decline; a decline must name its legal basis, like a 退单 (依据和理由,
docs/design/domain.md §6.3). The supervisor's decision names one lead and assisting units among those consulted,
and is binding like a ruling (docs/design/domain.md §6.4)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

ANSWERS = {"lead": "同意牵头办理 (主办)", "assist": "同意协助办理 (协办)",
           "decline": "不同意 (附法律依据)"}


class ConsultError(ValueError):
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.message, self.field = message, field


def check_units(units: list[str], min_units: int, max_units: int) -> list[str]:
    """The consulted units, each once, in the order given."""
    seen = list(dict.fromkeys(u for u in units if u))
    if len(seen) != len(units):
        raise ConsultError("会商单位不能重复或为空", "units")
    if not min_units <= len(seen) <= max_units:
        raise ConsultError(f"会商单位须为 {min_units} 至 {max_units} 个", "units")
    return seen


def check_deadline(deadline: datetime, now: datetime) -> None:
    if deadline <= now:
        raise ConsultError("会商期限须晚于当前时间", "deadline")


def check_answer(answer: str, legal_basis: str | None) -> None:
    if answer not in ANSWERS:
        raise ConsultError("答复须为: " + " / ".join(ANSWERS.values()), "answer")
    if answer == "decline" and not (legal_basis or "").strip():
        raise ConsultError("不同意承办须注明法律依据 (法规、三定方案或权责清单条目)",
                           "legal_basis")


def check_decision(units: list[str], lead: str, assist: list[str]) -> list[str]:
    if lead not in units:
        raise ConsultError("主办单位须为参加会商的单位", "lead")
    assist = list(dict.fromkeys(assist))
    if lead in assist:
        raise ConsultError("主办单位不能同时为协办单位", "assist")
    stray = [u for u in assist if u not in units]
    if stray:
        raise ConsultError("协办单位须为参加会商的单位", "assist")
    return assist


@dataclass(frozen=True)
class Answer:
    unit: str
    answer: str
    legal_basis: str | None
    note: str | None
    by: str
    at: datetime


def standing(answers: list[Answer]) -> dict[str, Answer]:
    """Each unit's latest answer (an answer may be revised until the decision)."""
    out: dict[str, Answer] = {}
    for a in sorted(answers, key=lambda a: a.at):
        out[a.unit] = a
    return out
