"""Pure rules of dispatch: the responsibility table and the two-15% arithmetic. No framework, no ORM."""
