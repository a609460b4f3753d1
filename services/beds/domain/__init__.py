"""Pure rules of beds: no database, no HTTP, no clock of its own (`now` is always passed in)."""
