"""`make loadtest`: the production server against a bare ceiling app, under a real load."""
