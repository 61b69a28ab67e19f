"""Shared kernel of the features: pure declarations every layer may import."""
