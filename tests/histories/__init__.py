"""Saved workflow histories, replayed by `tests/test_replay.py`; `record` makes them."""
