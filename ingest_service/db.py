"""The worker's PostgreSQL connection: opened lazily, reopened after an outage."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeAlias

import psycopg

Connection: TypeAlias = psycopg.Connection[tuple[Any, ...]]

log = logging.getLogger(__name__)

# A per-connection scratch table: a batch's placed observations are COPYed here, then
# inserted into slot_events in one statement that skips the event ids already stored.
_SETUP = (
    """CREATE TEMP TABLE IF NOT EXISTS ingest_events (
        idx integer NOT NULL, event_id uuid NOT NULL, node_id text NOT NULL,
        lot_id bigint NOT NULL, slot_id bigint NOT NULL, status text NOT NULL,
        confidence double precision, observed_at timestamptz NOT NULL, seq bigint NOT NULL,
        detector text, origin text NOT NULL
    ) ON COMMIT DELETE ROWS""",
)

# Errors that say "the server or the network", not "this data": retry the same batch.
TRANSIENT_ERRORS: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.errors.DeadlockDetected,
    psycopg.errors.SerializationFailure,
    psycopg.errors.AdminShutdown,
)


class Database:
    """One connection, (re)opened on demand; a failed transaction drops it if it is broken."""

    def __init__(self, url: str, *, application_name: str = "parking-ingest") -> None:
        self._url = url
        self._application_name = application_name
        self._conn: Connection | None = None

    def _connect(self) -> Connection:
        conn = psycopg.connect(
            self._url, application_name=self._application_name, connect_timeout=5
        )
        with conn.transaction():
            for statement in _SETUP:
                conn.execute(statement)
        return conn

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection inside a transaction that commits when the block succeeds."""
        if self._conn is None or self._conn.closed:
            self._conn = self._connect()
        conn = self._conn
        try:
            with conn.transaction():
                yield conn
        except psycopg.Error:
            if conn.broken or conn.closed:
                self.close()
            raise

    def ping(self) -> bool:
        """Whether the database answers now."""
        try:
            with self.transaction() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error:
            return False
        return True

    def close(self) -> None:
        """Close the connection (a later transaction reopens it)."""
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:  # closing a dead socket may fail; it is gone either way
                log.debug("closing a broken connection failed", exc_info=True)
            self._conn = None
