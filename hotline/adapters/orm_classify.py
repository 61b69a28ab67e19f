"""Tables of the classifier's learning loop (training runs with progress)."""
from __future__ import annotations

from .orm import Base  # noqa: F401
