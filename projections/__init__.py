"""The read side: the bitemporal index kept from the log, and the queries over it."""
