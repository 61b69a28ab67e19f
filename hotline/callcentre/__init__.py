"""The centre's own telephone figures (issue 18 item 4): 接通率, 15-second answer rate, abandon
rate and average wait per hour and day, from the switch's queue events."""
