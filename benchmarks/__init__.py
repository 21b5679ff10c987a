"""Benchmarks printed by `make bench`; figures, not assertions."""
