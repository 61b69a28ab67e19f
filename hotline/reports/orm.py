"""Tables of the reports feature.

bulletins   each published monthly 通报 (issue 18 item 5): the exact PDF and XLSX bytes, their
            SHA-256, the scoring formula version they were computed with. Append-only: a
            second publication of a month is a new numbered edition, and the ORM refuses any
            update or delete of a stored one (a published bulletin never changes).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class BulletinRow(Base):
    __tablename__ = "bulletins"
    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))              # YYYY-MM
    edition: Mapped[int] = mapped_column(Integer)              # 1, 2, ... per month
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(64))
    formula_version: Mapped[str] = mapped_column(String(32))
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx_sha256: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("month", "edition", name="uq_bulletins_month_edition"),)


class PublishedBulletinImmutable(RuntimeError):
    pass


@event.listens_for(BulletinRow, "before_update")
@event.listens_for(BulletinRow, "before_delete")
def _refuse_change(mapper, connection, target):   # issue 18 item 5: never change
    raise PublishedBulletinImmutable("已发布的通报不可修改或删除")
