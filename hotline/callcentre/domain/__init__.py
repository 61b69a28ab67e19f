"""Pure rules of the call-centre figures: the queue_log format and the rates."""
