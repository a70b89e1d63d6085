"""Temporal fixtures (filled in by the workflow tests)."""
