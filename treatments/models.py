"""Treatment plans and visits."""
