"""Clients for the tracking services' tracker APIs (EasyPost, Shippo) and the activities that
create and poll a shipment's tracker with them."""
