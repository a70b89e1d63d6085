"""Benchmarks: Waypost measured beside the simplest design on the same server, in one run."""
