"""Tables of the security and privacy feature (kept apart so features grow without editing orm.py)."""
from __future__ import annotations

from .orm import Base  # noqa: F401
