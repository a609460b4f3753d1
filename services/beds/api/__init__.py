"""HTTP for beds: thin controllers over the service layer, request schemas, URL constants."""
