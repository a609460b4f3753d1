"""Adapters of notifications: database tables, unit of work, consumers."""
