"""MQTT -> PostgreSQL ingest workers: validate, batch, write idempotently, publish the read side."""
