"""The three shelterbeds services. None of them imports another."""
