"""HTTP for notifications."""
