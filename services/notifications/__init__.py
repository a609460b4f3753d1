"""notifications: teams, their channels and subscriptions, alerts and every delivery attempt."""
