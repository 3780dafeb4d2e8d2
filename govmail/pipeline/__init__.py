"""The one path every message takes: accept() and its stages, from any door to the store."""
