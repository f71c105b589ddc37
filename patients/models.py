"""Patients and their conditions."""
