"""Payload encryption and the codec server: customers' personal data never reaches Temporal's
history in the clear, and support staff still read it in the Temporal UI."""
