"""Change notifications from PostgreSQL, shared by every request of a process.

One background thread per process LISTENs on `parking_lot_changed` (fed by the triggers of
migration 0003 on slots, reservations, nodes, floors, rows and lots) and bumps a version
per lot. The availability cache compares versions instead of querying, and SSE streams
block on `wait` instead of polling: N clients cost one connection and no loop each.
"""

import logging
import threading
from dataclasses import dataclass
from typing import Final

import psycopg
from sqlalchemy.engine import make_url

CHANNEL: Final = "parking_lot_changed"
_POLL_S: Final = 0.25  # how often the idle thread checks for shutdown
_RETRY_MAX_S: Final = 10.0

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Stamp:
    """A point in the change stream: the connection epoch and a lot's version in it."""

    epoch: int
    version: int


def libpq_url(database_url: str) -> str:
    """The SQLAlchemy URL as a libpq connection string."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


class LiveHub:
    """Per-lot change versions from LISTEN/NOTIFY; started lazily (after a gunicorn fork)."""

    def __init__(self, database_url: str) -> None:
        self._dsn = libpq_url(database_url)
        self._cond = threading.Condition()
        self._versions: dict[int, int] = {}
        self._epoch = 0
        self._connected = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the listener thread once."""
        with self._cond:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="lot-listener", daemon=True)
                self._thread.start()

    def stop(self) -> None:
        """Stop the listener (tests and shutdown); streams waiting on it end too."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=_POLL_S * 5)

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def stamp(self, lot_id: int) -> Stamp | None:
        """The lot's current stamp, or None while not listening (callers must then re-read)."""
        with self._cond:
            if not self._connected:
                return None
            return Stamp(self._epoch, self._versions.get(lot_id, 0))

    def wait(self, lot_id: int, seen: Stamp | None, timeout: float) -> bool:
        """Block until the lot's stamp differs from `seen` or `timeout` passes; True if changed."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self._stop.is_set() or self._current(lot_id) != seen, timeout=timeout
            )

    def wait_connected(self, timeout: float) -> bool:
        """Block until the listener is connected (tests, and the first stream)."""
        with self._cond:
            return self._cond.wait_for(lambda: self._connected, timeout=timeout)

    def _current(self, lot_id: int) -> Stamp | None:
        if not self._connected:
            return None
        return Stamp(self._epoch, self._versions.get(lot_id, 0))

    def _run(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            try:
                self._listen()
                delay = 0.5
            except psycopg.Error as exc:
                log.warning("change listener lost its connection: %s", exc)
            self._set_connected(connected=False)
            self._stop.wait(delay)
            delay = min(delay * 2, _RETRY_MAX_S)

    def _listen(self) -> None:
        with psycopg.connect(self._dsn, autocommit=True) as connection:
            connection.execute(f"LISTEN {CHANNEL}")
            self._set_connected(connected=True)
            while not self._stop.is_set():
                for notify in connection.notifies(timeout=_POLL_S, stop_after=256):
                    self._bump(notify.payload)

    def _bump(self, payload: str) -> None:
        try:
            lot_id = int(payload)
        except ValueError:
            log.warning("ignoring notification %r", payload)
            return
        with self._cond:
            self._versions[lot_id] = self._versions.get(lot_id, 0) + 1
            self._cond.notify_all()

    def _set_connected(self, *, connected: bool) -> None:
        with self._cond:
            if connected != self._connected:
                # A new epoch invalidates everything cached before: notifications may be lost.
                self._epoch += 1
                self._versions.clear()
                self._connected = connected
                self._cond.notify_all()
