"""Activities: everything that touches the outside world (ledger, providers)."""
