"""Pure privacy rules: masking personal data in published text."""
