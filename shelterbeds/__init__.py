"""The `shelterbeds` command: start everything on one machine, or one service for production."""
