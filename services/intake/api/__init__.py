"""HTTP for intake."""
