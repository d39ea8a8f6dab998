"""Appraisal of what units submitted: the review queue and its decisions."""
