"""`waypost report`: what the ledger says about a shop's shipments and messages over a period.

`queries` reads the ledger (SQLAlchemy Core, SQLite and PostgreSQL), `model` holds the figures and
the pure functions that compute them from the query rows, `render` turns a report into a text
table or a PNG plot. Its own package because it is its own reader of the ledger: it never writes,
and nothing on the sending path imports it (matplotlib is loaded only to draw).
"""
