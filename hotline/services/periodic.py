"""Periodic jobs, listed in one place (redash's habit). The embedded drainer runs them
in-process; production runs them from `hotline worker` (or system cron)."""
from __future__ import annotations

PERIODIC: list = []   # [(every_seconds, fn(rt))]

try:
    from hotline.services.sweep import sweep_tick
    PERIODIC.append((60, sweep_tick))
except ModuleNotFoundError:
    pass

try:   # privacy retention (issue 8): anonymise callers of long-closed orders
    from hotline.services.privacy import settings as _privacy_settings
    from hotline.services.retention import retention_tick
    PERIODIC.append((_privacy_settings()["every_seconds"], retention_tick))
except ModuleNotFoundError:
    pass

try:   # webhook deliveries whose next attempt is due (issue 7); the module also self-registers
    from hotline.services.webhooks import retry_due
    if all(fn is not retry_due for _, fn in PERIODIC):
        PERIODIC.append((5, retry_due))
except ModuleNotFoundError:
    pass
