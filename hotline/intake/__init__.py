"""Channels into intake besides the agent's: Open311 and self-service; duplicate detection."""
