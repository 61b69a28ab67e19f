"""The classifier's use cases: suggestions, corrections, retraining (hotline/classify stays pure)."""
