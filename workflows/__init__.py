"""Workflow glue and the pure decisions it calls (lifecycle, notification plan)."""
