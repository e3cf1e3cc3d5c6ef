"""Deterministic generators: every value that reaches a response is a function of
(seed, provider, route, canonical request)."""
