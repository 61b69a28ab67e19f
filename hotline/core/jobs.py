"""rq job functions: thin, take ids, build the runtime once per process, call one service."""
from __future__ import annotations

_RUNTIME = None


def runtime():
    global _RUNTIME
    if _RUNTIME is None:
        from hotline.core.runtime import Runtime
        _RUNTIME = Runtime.build()
    return _RUNTIME
