"""Pure return-visit rules: who is surveyed, facts, scoring. No framework, no ORM."""
