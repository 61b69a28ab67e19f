"""Pure rules of the work order: the transition table and the aggregate. No framework, no ORM."""
