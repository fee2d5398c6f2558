"""The query layer: every SQL statement the API runs lives here, never in views."""
