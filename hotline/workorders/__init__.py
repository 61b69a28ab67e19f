"""Work orders: the aggregate and its use cases (intake, act, reads)."""
