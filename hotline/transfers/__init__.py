"""转其他平台 (issue 17, Build 8): transfers to 信访, the provincial 12345 (粤省心) or another
city's hotline. The moves are rows of the one transition table (`transfer_platform`,
`transfer_answer`, `transfer_close`); this package lists the transfers still waiting for
the receiver's answer."""
