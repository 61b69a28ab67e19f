"""Pure rules of 好差评: when a reminder is due, what is a bad rating, the task's states."""
