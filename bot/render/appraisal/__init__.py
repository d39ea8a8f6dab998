"""Appraisers' screens and the notices their decisions send."""
