"""Pure SLA engine: working-day calendar, policy, clocks from history. No framework, no ORM."""
