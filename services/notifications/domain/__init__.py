"""Pure rules of notifications (who hears what arrives with the notifications issue)."""
