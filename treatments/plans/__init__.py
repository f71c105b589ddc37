"""Treatment plans: goals, planned items, the status machine, the home programme."""
