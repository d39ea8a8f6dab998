"""Screens of the guided self-assessment."""
