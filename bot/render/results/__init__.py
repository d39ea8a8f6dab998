"""Leaders' results: rank, weakest items, charts, rankings as tables."""
