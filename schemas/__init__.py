"""Contracts shared by every parking service: messages, topics, identifiers, enums, database."""
