"""The customer's tracking page: a view built from the ledger and the live state, rendered as
one self-contained, server-side HTML page in the shipment's language (no scripts, no CDN).

The HTTP routes live elsewhere and call `build_view`, `render_page` and `render_error`.
"""
