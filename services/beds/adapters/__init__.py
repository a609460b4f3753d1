"""Adapters of beds: the database mapping, repositories, the unit of work and the consumers."""
