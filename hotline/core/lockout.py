"""Login lock-out per (username, client address) (docs/design/architecture.md §7.4).

Why per pair and not per username: a lock per username lets anyone who knows a name lock the
real user out from anywhere (a denial of service on the hotline's agents at shift change). A
lock per pair stops guessing from one address while the user logs in from their own desk.
Locks expire by themselves (`locked_until`) and an admin can clear them.

Settings (environment): HOTLINE_LOCKOUT_THRESHOLD (failures, default 5),
HOTLINE_LOCKOUT_WINDOW (seconds in which they count, default 900),
HOTLINE_LOCKOUT_SECONDS (lock duration, default 900).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from hotline.core.db import aware, utcnow
from hotline.core.runtime import Runtime
from hotline.privacy.orm import LoginLockoutRow
from hotline.workorders import views
from hotline.workorders.domain.model import DomainError


class LockedOut(DomainError):
    http_status = 429


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int = 5
    window: timedelta = timedelta(minutes=15)
    duration: timedelta = timedelta(minutes=15)

    @classmethod
    def from_env(cls) -> "LockoutPolicy":
        env = os.environ
        return cls(int(env.get("HOTLINE_LOCKOUT_THRESHOLD", 5)),
                   timedelta(seconds=int(env.get("HOTLINE_LOCKOUT_WINDOW", 900))),
                   timedelta(seconds=int(env.get("HOTLINE_LOCKOUT_SECONDS", 900))))


def _client(client: str | None) -> str:
    return (client or "unknown")[:64]


def check_not_locked(rt: Runtime, username: str, client: str | None) -> None:
    """Raise LockedOut while the pair is locked (even a right password is refused then:
    otherwise guessing would go on during the lock)."""
    now = utcnow()
    with rt.uow() as uow:
        row = uow.session.execute(select(LoginLockoutRow).where(
            LoginLockoutRow.username == username[:64],
            LoginLockoutRow.client == _client(client))).scalar_one_or_none()
        if row is not None and row.locked_until is not None and aware(row.locked_until) > now:
            minutes = max(1, int((aware(row.locked_until) - now).total_seconds() // 60) + 1)
            raise LockedOut(f"登录失败次数过多, 请 {minutes} 分钟后再试, 或联系管理员解锁")


def record_failure(rt: Runtime, username: str, client: str | None,
                   policy: LockoutPolicy | None = None) -> bool:
    """Count one failure; returns True when this failure locked the pair."""
    policy = policy or LockoutPolicy.from_env()
    for _ in range(3):   # two first failures may race on the unique pair: retry
        now = utcnow()
        try:
            with rt.uow() as uow:
                q = select(LoginLockoutRow).where(LoginLockoutRow.username == username[:64],
                                                  LoginLockoutRow.client == _client(client))
                if rt.engine.dialect.name == "postgresql":
                    q = q.with_for_update()
                row = uow.session.execute(q).scalar_one_or_none()
                if row is None:
                    row = LoginLockoutRow(username=username[:64], client=_client(client),
                                          failures=0, first_failure_at=now,
                                          last_failure_at=now)
                    uow.session.add(row)
                elif aware(row.first_failure_at) < now - policy.window or (
                        row.locked_until is not None and aware(row.locked_until) <= now):
                    # the window passed or the lock expired: start counting afresh
                    row.failures, row.first_failure_at, row.locked_until = 0, now, None
                row.failures += 1
                row.last_failure_at = now
                locked = row.failures >= policy.threshold
                if locked:
                    row.locked_until = now + policy.duration
                uow.commit()
                return locked
        except IntegrityError:
            continue
    return False


def record_success(rt: Runtime, username: str, client: str | None) -> None:
    with rt.uow() as uow:
        uow.session.execute(delete(LoginLockoutRow).where(
            LoginLockoutRow.username == username[:64],
            LoginLockoutRow.client == _client(client)))
        uow.commit()


def list_lockouts(rt: Runtime, username: str | None = None) -> list[dict]:
    now = utcnow()
    with rt.uow() as uow:
        q = select(LoginLockoutRow).order_by(LoginLockoutRow.last_failure_at.desc())
        if username:
            q = q.where(LoginLockoutRow.username == username)
        rows = uow.session.execute(q.limit(500)).scalars()
        return [{"username": r.username, "client": r.client, "failures": r.failures,
                 "last_failure_at": views.iso(r.last_failure_at),
                 "locked_until": views.iso(r.locked_until),
                 "locked": r.locked_until is not None and aware(r.locked_until) > now}
                for r in rows]


def clear_lockouts(rt: Runtime, username: str, client: str | None = None) -> int:
    """Admin unlock: every pair of the user, or one (username, client)."""
    with rt.uow() as uow:
        q = delete(LoginLockoutRow).where(LoginLockoutRow.username == username)
        if client:
            q = q.where(LoginLockoutRow.client == client)
        n = uow.session.execute(q).rowcount
        uow.commit()
        return n or 0


# ------------------------------------------------------------------ units (admin)

def list_units_admin(rt: Runtime) -> list[dict]:
    from hotline.core.orm import UnitRow
    with rt.uow() as uow:
        rows = uow.session.execute(select(UnitRow).order_by(UnitRow.kind, UnitRow.code))
        return [{"code": u.code, "name": u.name, "kind": u.kind, "level": u.level,
                 "active": u.active, "webhook_url": u.webhook_url} for u in rows.scalars()]


def update_unit(rt: Runtime, code: str, data: dict) -> dict:
    """Admin: rename or (de)activate a unit. Codes and kinds come from config/units.yaml
    (`hotline db upgrade` syncs them), so they are not edited here."""
    from hotline.core.orm import UnitRow
    from hotline.workorders.commands import NotFound
    with rt.uow() as uow:
        u = uow.session.get(UnitRow, code)
        if u is None:
            raise NotFound("单位不存在")
        if "name" in data:
            u.name = data["name"]
        if "active" in data:
            u.active = bool(data["active"])
        uow.commit()
        return {"code": u.code, "name": u.name, "kind": u.kind, "level": u.level,
                "active": u.active, "webhook_url": u.webhook_url}
