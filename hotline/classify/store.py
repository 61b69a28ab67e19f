"""Versioned model store on the filesystem.

    root/<version>/model.pickle.gz   (model.joblib in artefacts of earlier versions)
    root/<version>/model_card.json
    root/CURRENT                      (text file: the published version name)

publish() writes CURRENT atomically (temp file + os.replace), so readers see the old or the new
version, never a torn one. current() caches the loaded Predictor and re-reads the pointer at most
once per second, so running web and worker processes pick up a newly published model without a
restart.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from .predictor import CARD_FILE, MODEL_FILES, Predictor, has_model

POINTER = "CURRENT"


class NoModelError(LookupError):
    pass


class ModelStore:
    def __init__(self, root_dir, check_interval: float = 1.0, label_units: dict | None = None):
        self.root = Path(root_dir)
        self.check_interval = check_interval
        self.label_units = label_units
        self._lock = threading.Lock()
        self._cached: Predictor | None = None
        self._cached_version: str | None = None
        self._checked_at = 0.0

    # ---------------------------------------------------------------- writing --------
    def save(self, model, card: dict) -> str:
        """Write a new version directory (not yet published). Returns the version name."""
        version = card.get("model_version") or model.version
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=self.root))
        Predictor.save(model, card, tmp)
        final = self.root / version
        if final.exists():
            shutil.rmtree(tmp)
            raise FileExistsError(final)
        os.replace(tmp, final)
        return version

    def publish(self, version_or_dir) -> str:
        """Flip CURRENT to a version (name, or a directory; a directory outside root is copied in)."""
        p = Path(str(version_or_dir))
        if p.is_dir() and p.resolve().parent != self.root.resolve():
            card = json.loads((p / CARD_FILE).read_text(encoding="utf-8")) if (p / CARD_FILE).exists() else {}
            version = card.get("model_version") or p.name
            dest = self.root / version
            if not dest.exists():
                self.root.mkdir(parents=True, exist_ok=True)
                tmp = Path(tempfile.mkdtemp(prefix=f".{version}.", dir=self.root))
                for f in (*MODEL_FILES, CARD_FILE):
                    if (p / f).exists():
                        shutil.copy2(p / f, tmp / f)
                os.replace(tmp, dest)
        else:
            version = p.name
        if not has_model(self.root / version):
            raise NoModelError(f"no model {version!r} in {self.root}")
        fd, tmpname = tempfile.mkstemp(prefix=".CURRENT.", dir=self.root)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(version + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmpname, self.root / POINTER)
        return version

    # ---------------------------------------------------------------- reading --------
    def versions(self) -> list[str]:
        if not self.root.exists():
            return []
        return sorted(d.name for d in self.root.iterdir() if d.is_dir() and has_model(d))

    def current_version(self) -> str | None:
        try:
            return (self.root / POINTER).read_text(encoding="utf-8").strip() or None
        except FileNotFoundError:
            return None

    def card(self, version: str | None = None) -> dict:
        version = version or self.current_version()
        if not version:
            raise NoModelError(f"no published model in {self.root}")
        return json.loads((self.root / version / CARD_FILE).read_text(encoding="utf-8"))

    def current(self) -> Predictor:
        """The published Predictor, cached; re-checks the pointer at most once per check_interval."""
        now = time.monotonic()
        cached = self._cached
        if cached is not None and now - self._checked_at < self.check_interval:
            return cached
        with self._lock:
            self._checked_at = time.monotonic()
            version = self.current_version()
            if version is None:
                if self._cached is not None:
                    return self._cached
                raise NoModelError(f"no published model in {self.root}")
            if version != self._cached_version:
                self._cached = Predictor.load(self.root / version, label_units=self.label_units)
                self._cached_version = version
            return self._cached


_stores: dict[str, ModelStore] = {}
_stores_lock = threading.Lock()


def get_store(root_dir, **kw) -> ModelStore:
    """One shared ModelStore per root per process (so the cached Predictor is shared too)."""
    key = str(Path(root_dir).resolve())
    with _stores_lock:
        if key not in _stores:
            _stores[key] = ModelStore(root_dir, **kw)
        return _stores[key]
