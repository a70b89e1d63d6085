"""Entry points for people and shop backends: the `waypost` command and client helpers."""
