"""Outbound webhooks into units' own case systems."""
