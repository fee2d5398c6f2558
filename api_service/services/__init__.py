"""The service layer: what the API does (reads, writes, audit records, commits); every SQL
statement the API runs lives here, never in views."""
