"""Test support, installed with the project so the benchmarks can use it too: local servers that
speak Twilio's and SendGrid's documented formats (the network edge, faked), TCP and TLS proxies a
test can cut, the providers' signing schemes, and builders of shipments and carrier events."""
