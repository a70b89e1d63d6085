"""The docker compose deployment: `make compose-check` (check.py) and the generated env file
example (envfile.py)."""
