"""Personal data: reveal with reason, access log, retention, redaction."""
