"""Waypost's data: pydantic values shared by workflows, activities and clients; the ledger schema.

Submodules are imported explicitly; this package imports nothing heavy so that workflow
code can load the pydantic models without pulling SQLAlchemy into the sandbox.
"""
