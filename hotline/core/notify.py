"""In-app notifications, written by outbox handlers with a dedupe key, so running a handler
twice cannot notify twice (docs/design/architecture.md §5.1)."""
from __future__ import annotations

from sqlalchemy import select

from hotline.core.db import utcnow
from hotline.core.orm import NotificationRow, WorkOrderRow


def notify(uow, key: str, unit: str | None, order_id: int | None, kind: str, message: str,
           username: str | None = None) -> None:
    exists = uow.session.execute(select(NotificationRow.id)
                                 .where(NotificationRow.dedupe_key == key)).first()
    if exists:
        return
    uow.session.add(NotificationRow(dedupe_key=key, unit=unit, username=username,
                                    order_id=order_id, kind=kind, message=message,
                                    created_at=utcnow()))


def order_brief(uow, order_id):
    """The three columns a notification needs, not the whole ORM row (every dispatched order
    runs this in the worker)."""
    return uow.session.execute(select(WorkOrderRow.id, WorkOrderRow.number, WorkOrderRow.unit)
                               .where(WorkOrderRow.id == order_id)).first()


# issue 17 (cases): alerts for every active user of some centre roles (热点预警 to dispatchers
# and supervisors, hard-case proposals to supervisors)
def notify_roles(uow, key: str, roles, order_id: int | None, kind: str, message: str) -> None:
    from hotline.core.orm import UserRow
    users = uow.session.execute(select(UserRow.username).where(
        UserRow.role.in_([str(r) for r in roles]), UserRow.active.is_(True))).scalars().all()
    for username in users:
        notify(uow, f"{key}-{username}", None, order_id, kind, message, username=username)
