"""Administrators' screens and spreadsheets."""
