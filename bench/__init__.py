"""Benchmarks: ``bench/api.py`` (the local-software interface under load)."""
