"""The pusher's API side: read the board, format values, build aliased mutations, talk HTTP with one
retry policy, pace on the complexity budget, and run claim -> push -> mark (see docs/pusher.md)."""
