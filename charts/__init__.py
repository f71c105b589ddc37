"""A visit as the clinic charts it: what treatments records of it, with billing's coding."""
