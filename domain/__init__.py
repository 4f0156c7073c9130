"""The write side: entries of the log, the rules that guard them, and the event store."""
