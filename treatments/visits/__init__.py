"""Visits: findings, performed items, signing and amendments."""
