"""Use cases of beds: each runs in one unit of work, loads aggregates, asks the domain, commits."""
