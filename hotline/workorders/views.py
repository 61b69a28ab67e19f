"""Plain-dict views of orders, with what each role may see (个人信息保护法: departments see
masked phone numbers, and nothing of a confidential caller's identity)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hotline.core.db import aware
from hotline.workorders.domain.workflow import ACTION_LABELS, STATUS_LABELS, Role

TZ = ZoneInfo("Asia/Shanghai")


def to_local(dt: datetime | None) -> datetime | None:
    return aware(dt).astimezone(TZ) if dt is not None else None


def iso(dt: datetime | None) -> str | None:
    return to_local(dt).isoformat() if dt is not None else None


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = phone.strip()
    if len(digits) >= 7:
        return digits[:3] + "****" + digits[-4:]
    return "****"


def caller_view(d: dict, actor) -> dict:
    caller = {"name": d["caller_name"], "phone": d["caller_phone"],
              "anonymous": d["caller_anonymous"], "confidential": d["caller_confidential"]}
    if actor.role == Role.DEPARTMENT:
        if d["caller_confidential"]:
            return {"name": None, "phone": None, "anonymous": d["caller_anonymous"],
                    "confidential": True}
        caller["phone"] = mask_phone(caller["phone"])
    return caller


def order_view(rt, d: dict, actor, brief: bool = False) -> dict:
    units = rt.city.units
    out = {
        "id": d["id"], "number": d["number"], "status": d["status"],
        "status_label": STATUS_LABELS.get(d["status"], d["status"]),
        "title": d["title"], "content": d["content"], "channel": d["channel"],
        "appeal_type": d["appeal_type"], "urgency": d["urgency"],
        "town": d["town"], "address": d["address"], "category": d["category"],
        "unit": d["unit"], "unit_name": units[d["unit"]].name if d["unit"] in units else None,
        "first_unit": d["first_unit"], "assist_units": d["assist_units"] or [],
        "handler": d["handler"], "rapid_item": d["rapid_item"], "master_id": d["master_id"],
        "received_at": iso(d["received_at"]), "created_by": d["created_by"],
        "caller": caller_view(d, actor), "version": d["version"],
        # 二级派单 (issue 17): the village the owning town passed it to, if any
        "village": d.get("village"),
        "village_name": units[d["village"]].name if d.get("village") in units else None,
    }
    if not brief:
        out.update({"model_version": d["model_version"], "model_score": d["model_score"],
                    "suggestions": d["suggestions"], "next_check_at": iso(d["next_check_at"])})
        if actor.role != Role.DEPARTMENT:
            out["query_code"] = d["query_code"]
    return out


def transition_view(t) -> dict:
    return {"seq": t.seq, "action": t.action, "action_label": ACTION_LABELS.get(t.action),
            "at": iso(t.at), "actor": t.actor, "role": t.role, "unit": t.unit,
            "from": t.from_status, "to": t.to_status, "reason": t.reason, "data": t.data or {}}


def note_view(n) -> dict:
    return {"id": n.id, "kind": n.kind, "author": n.author, "unit": n.unit, "body": n.body,
            "at": iso(n.at)}
