"""parkctl: the operators' command line (database migrations, lots, nodes, users)."""
