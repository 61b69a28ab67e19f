"""Periodic jobs, listed in one place (redash's habit). The embedded drainer runs them
in-process; production runs them from `hotline worker`'s relay thread (or system cron for
the sweep). Every job is idempotent, so overlapping runs are harmless."""
from __future__ import annotations

from hotline.core.sms import retry_due as sms_retry_due
from hotline.privacy.retention import retention_tick
from hotline.rating.service import tick as rating_tick  # issue 18 (callcentre helper)
from hotline.sla.sweep import sweep_tick
from hotline.survey.service import tick as survey_tick
from hotline.webhooks.service import retry_due


def periodic_jobs(rt) -> list:
    """[(every_seconds, fn(rt))]; intervals from the runtime's configuration."""
    return [
        (60, sweep_tick),                                      # SLA warnings and escalation
        (60, survey_tick),                                     # delayed survey SMS, expiries
        (5, retry_due),                                        # webhook retries with backoff
        (5, sms_retry_due),                                    # SMS after quiet hours, retries
        (rt.config.privacy["every_seconds"], retention_tick),  # anonymise old callers
        # issue 18 (callcentre helper): one 好差评 reminder SMS per unanswered rating link
        (60, rating_tick),
    ]
