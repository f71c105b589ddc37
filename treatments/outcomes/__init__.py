"""Outcome measures: NRS pain, Oswestry and Neck Disability scores, and their trends."""
