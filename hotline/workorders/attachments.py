"""Attachments: uploaded files (stored under var/attachments) and call-recording references
(the call centre's recording id; the audio stays in the recording system)."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy import select

from hotline.core.access import visible
from hotline.core.config import var_dir
from hotline.core.db import utcnow
from hotline.core.orm import AttachmentRow, WorkOrderRow
from hotline.core.runtime import Runtime
from hotline.workorders.commands import NotFound
from hotline.workorders.domain.model import Actor, NotPermitted, RuleViolation
from hotline.workorders.domain.workflow import Role
from hotline.workorders.views import iso

MAX_FILE = 900 * 1024          # the request body limit is 1 MB (multipart overhead included)
ALLOWED_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf",
                 "audio/mpeg", "audio/wav", "audio/x-wav", "text/plain")
_SAFE = re.compile(r"[^\w.\-\u4e00-\u9fff]+")


def _root() -> Path:
    d = var_dir() / "attachments"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _view(a: AttachmentRow) -> dict:
    return {"id": a.id, "kind": a.kind, "filename": a.filename, "content_type": a.content_type,
            "size": a.size, "recording_ref": a.recording_ref, "uploaded_by": a.uploaded_by,
            "at": iso(a.at)}


def _order(uow, actor: Actor, order_id: int) -> WorkOrderRow:
    row = uow.session.get(WorkOrderRow, order_id)
    if row is None or not visible(row, actor):
        raise NotFound("工单不存在")
    return row


def add_file(rt: Runtime, actor: Actor, order_id: int, filename: str, content_type: str,
             data: bytes) -> dict:
    if actor.role == Role.LEADER:
        raise NotPermitted("当前角色不能上传附件")
    if not data:
        raise RuleViolation("文件为空", field="file")
    if len(data) > MAX_FILE:
        raise RuleViolation("文件超过 900 KB", field="file")
    if content_type not in ALLOWED_TYPES:
        raise RuleViolation(f"不支持的文件类型 {content_type}", field="file")
    digest = hashlib.sha256(data).hexdigest()
    with rt.uow() as uow:
        _order(uow, actor, order_id)
        key = f"{order_id}/{digest[:16]}-{_SAFE.sub('_', filename or 'file')[:80]}"
        path = _root() / key
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        row = AttachmentRow(order_id=order_id, kind="file", filename=filename[:200],
                            content_type=content_type, size=len(data), storage_key=key,
                            uploaded_by=actor.username, at=utcnow())
        uow.session.add(row)
        uow.commit()
        return _view(row)


def add_recording(rt: Runtime, actor: Actor, order_id: int, recording_ref: str) -> dict:
    if actor.role not in (Role.AGENT, Role.DISPATCHER, Role.ADMIN):
        raise NotPermitted("只有话务员可以关联通话录音")
    with rt.uow() as uow:
        _order(uow, actor, order_id)
        row = AttachmentRow(order_id=order_id, kind="recording", recording_ref=recording_ref,
                            uploaded_by=actor.username, at=utcnow())
        uow.session.add(row)
        uow.commit()
        return _view(row)


def list_attachments(rt: Runtime, actor: Actor, order_id: int) -> list[dict]:
    with rt.uow() as uow:
        _order(uow, actor, order_id)
        rows = uow.session.execute(select(AttachmentRow).where(
            AttachmentRow.order_id == order_id).order_by(AttachmentRow.id)).scalars()
        return [_view(a) for a in rows]


def open_file(rt: Runtime, actor: Actor, order_id: int, attachment_id: int):
    with rt.uow() as uow:
        _order(uow, actor, order_id)
        a = uow.session.get(AttachmentRow, attachment_id)
        if a is None or a.order_id != order_id or a.kind != "file":
            raise NotFound("附件不存在")
        return _root() / a.storage_key, a.content_type, a.filename
