"""The US Core 6.1.0 profiles shipped as data, and the checker that reads them."""
