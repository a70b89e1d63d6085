"""Shared fixtures live in plugin modules so each part of the suite owns its own."""

pytest_plugins = ["tests.db_fixtures", "tests.temporal_fixtures", "tests.fakes.fixtures"]
