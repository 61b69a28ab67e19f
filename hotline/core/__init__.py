"""Shared kernel of the features: typed events (pure, every layer may import them), the
handler table and bootstrap, unit of work and mapper, runtime and configuration, outbox,
worker, access, SMS port."""
