"""Scores, rank, weakest items, what-if and published index values."""
