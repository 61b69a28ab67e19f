"""SLA engine (pure): working-day calendar, policy from config/, clocks derived from history.

Import from the submodules: ``hotline.sla.calendar``, ``hotline.sla.policy``,
``hotline.sla.clocks``; the CLI group is ``hotline.sla.cli:sla``.
"""
