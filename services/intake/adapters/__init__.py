"""Adapters of intake: database tables, unit of work, consumers."""
