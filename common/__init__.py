"""Plumbing every shelterbeds service shares: settings, the clock, logging, metrics, the
database, the outbox relay, the consumer base, auth, problem details and the app factory.
Services import from here and from `contracts`, never from each other."""
