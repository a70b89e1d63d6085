"""Database fixtures."""
