"""The HTTP service: the shop API, carrier webhooks, provider callbacks and the tracking page.

Its own top-level folder because it is its own process (`waypost api`, or beside the worker in
`waypost dev`): it talks to workflows through the Temporal client and reads the ledger, and
never sends a message itself.
"""
