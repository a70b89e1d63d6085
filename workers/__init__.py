"""The worker process that runs shipment workflows and their activities."""
