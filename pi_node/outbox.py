"""The durable outbox: SQLite rows of events waiting for the cloud's receipt.

An event stays here until ingest's receipt (`parking/v1/nodes/{id}/receipt`) says it is
committed in PostgreSQL; the broker's PUBACK is not enough, since a restarted broker can
acknowledge a message and route it nowhere. Only a full outbox drops events, oldest first,
and counts them (`dropped`, reported in the heartbeat).

It also keeps the node's counters, `seq` (per event) and `bdseq` (per connect), so both
survive restarts: a seq is assigned in the same transaction that stores its event, so a
crash can neither reuse a seq nor lose an event that was given one.
"""

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

log = logging.getLogger(__name__)

_SCHEMA: Final = (
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, seq INTEGER NOT NULL, payload BLOB NOT NULL)",
    "CREATE INDEX IF NOT EXISTS events_seq ON events (seq)",
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
    "INSERT OR IGNORE INTO counters VALUES ('seq', 0), ('bdseq', 0), ('dropped', 0)",
)


@dataclass(frozen=True, slots=True)
class Pending:
    """A buffered event: its row id (replay order), seq and wire payload."""

    row_id: int
    seq: int
    payload: bytes


class Outbox:
    """Thread-safe: the detection thread appends, the MQTT thread reads and removes."""

    def __init__(self, path: Path, max_events: int, *, durable: bool = True) -> None:
        if max_events < 1:
            raise ValueError(f"max_events must be at least 1, got {max_events}")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.max_events = max_events
        self.confirmed = 0  # the highest receipt seen by this process
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # FULL survives power loss (a Pi's usual way to stop); NORMAL only process crashes.
        self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        with self._lock, self._db:
            for statement in _SCHEMA:
                self._db.execute(statement)
        (self._count,) = self._db.execute("SELECT count(*) FROM events").fetchone()

    def __len__(self) -> int:
        return int(self._count)

    def last_seq(self) -> int:
        """The last seq handed out (0 before the first event)."""
        return self._counter("seq")

    def dropped(self) -> int:
        """Events dropped, oldest first, because the outbox was full (since the first start)."""
        return self._counter("dropped")

    def oldest_seq(self) -> int:
        """The oldest seq still held, or the next seq when none is: nothing below it will be
        sent again, so a receipt may cover everything below."""
        with self._lock:
            (oldest,) = self._db.execute("SELECT min(seq) FROM events").fetchone()
            if oldest is not None:
                return int(oldest)
            (last,) = self._db.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
        return int(last) + 1

    def _counter(self, name: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT value FROM counters WHERE name = ?", (name,)).fetchone()
        return int(row[0])

    def next_bdseq(self) -> int:
        """Raise and return the connection counter (once per connect)."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            (value,) = self._db.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'bdseq' RETURNING value"
            ).fetchone()
        return int(value)

    def append(self, build: Callable[[int], bytes]) -> int:
        """Assign the next seq, store `build(seq)` and return the seq; one transaction."""
        with self._lock, self._db:
            self._db.execute("BEGIN IMMEDIATE")
            (seq,) = self._db.execute(
                "UPDATE counters SET value = value + 1 WHERE name = 'seq' RETURNING value"
            ).fetchone()
            payload = build(seq)
            self._db.execute("INSERT INTO events (seq, payload) VALUES (?, ?)", (seq, payload))
            self._count += 1
            if self._count > self.max_events:
                self._drop_oldest(self._count - self.max_events)
        return int(seq)

    def _drop_oldest(self, how_many: int) -> None:
        """Make room; called inside `append`'s transaction."""
        dropped = self._db.execute(
            "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?)"
            " RETURNING seq",
            (how_many,),
        ).fetchall()
        self._count -= len(dropped)
        self._db.execute(
            "UPDATE counters SET value = value + ? WHERE name = 'dropped'", (len(dropped),)
        )
        seqs = sorted(seq for (seq,) in dropped)
        log.error(
            "offline buffer full (%d events): dropped the oldest %d event(s), seq %s..%s;"
            " the cloud will see the gap (the heartbeat's oldest_seq) and ask for a resync",
            self.max_events,
            len(seqs),
            seqs[0],
            seqs[-1],
        )

    def pending(self, after_row: int, limit: int) -> list[Pending]:
        """Up to `limit` buffered events after row `after_row`, oldest first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT id, seq, payload FROM events WHERE id > ? ORDER BY id LIMIT ?",
                (after_row, limit),
            ).fetchall()
        return [Pending(row_id, seq, bytes(payload)) for row_id, seq, payload in rows]

    def confirm(self, seq: int) -> int:
        """Forget every event the cloud's receipt covers (seq <= `seq`); how many."""
        with self._lock, self._db:
            removed = self._db.execute("DELETE FROM events WHERE seq <= ?", (seq,))
            self._count -= removed.rowcount
            self.confirmed = max(self.confirmed, seq)
        return int(removed.rowcount)

    def remove(self, row_ids: list[int]) -> None:
        """Give up events the broker refused for good (ids already gone are ignored)."""
        if not row_ids:
            return
        with self._lock, self._db:
            ids = [(row_id,) for row_id in row_ids]
            removed = self._db.executemany("DELETE FROM events WHERE id = ?", ids)
            self._count -= removed.rowcount

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
