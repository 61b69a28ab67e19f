"""Tables of the classifier's learning loop (training runs with progress)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.core.orm import Base


class TrainingRunRow(Base):
    __tablename__ = "training_runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16))          # queued|running|done|failed
    progress: Mapped[int] = mapped_column(Integer, default=0)  # 0..100
    message: Mapped[str | None] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(64))
    examples: Mapped[int | None]
    corrections: Mapped[int | None]
    model_version: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
