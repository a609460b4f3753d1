"""Use cases of beds: one handler per command or query (`messagebus.py` registers them), each
running in the unit of work it is given, asking the access table, answering a domain result."""
