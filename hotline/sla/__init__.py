"""SLA: the pure engine in domain/ (working-day calendar, policy from config/, clocks
derived from history), and around it the service, sweep, handlers, tables and API.

Import from the submodules: ``hotline.sla.domain.calendar``, ``hotline.sla.domain.policy``,
``hotline.sla.domain.clocks``; the CLI group is ``hotline.sla.cli:sla``.
"""
