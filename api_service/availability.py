"""Serving availability: a per-process cache kept exact by change notifications, and SSE.

A cached document is reused only while the listener is connected, no change was notified
for its lot since it was computed, and no expiry has passed; otherwise it is recomputed.
So a reservation or override that runs out changes the answer at once, with no job.
"""

import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from time import monotonic
from typing import Final

from sqlalchemy.orm import Session, sessionmaker

from api_service.live import LiveHub, Stamp
from api_service.services.availability import compute_availability

_MAX_ENTRIES: Final = 10_000
# Sent first on every stream: how long EventSource waits before it reconnects once the
# server ends the stream (its lifetime is bounded; a restart).
RETRY_MS: Final = 3000


@dataclass(frozen=True, slots=True)
class Snapshot:
    """One availability document as served: bytes, strong ETag and validity."""

    lot_id: int
    body: bytes
    etag: str
    valid_until: datetime | None
    stamp: Stamp | None

    def fresh(self, stamp: Stamp | None, now: datetime) -> bool:
        """Whether this snapshot still describes the lot."""
        unexpired = self.valid_until is None or now < self.valid_until
        return self.stamp is not None and stamp == self.stamp and unexpired


def strong_etag(body: bytes) -> str:
    """A strong validator: the same bytes, the same tag."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


class AvailabilityService:
    """Availability documents by lot code, cached per process."""

    def __init__(self, sessions: sessionmaker[Session], hub: LiveHub | None) -> None:
        self._sessions = sessions
        self._hub = hub
        self._entries: dict[str, Snapshot] = {}
        self._lot_ids: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def hub(self) -> LiveHub | None:
        return self._hub

    def _stamp(self, lot_id: int | None) -> Stamp | None:
        if self._hub is None or lot_id is None:
            return None
        self._hub.start()
        return self._hub.stamp(lot_id)

    def get(self, code: str, now: datetime | None = None) -> Snapshot | None:
        """The current document for lot `code`, or None if there is no such lot."""
        now = now or datetime.now(UTC)
        known_id = self._lot_ids.get(code)
        stamp = self._stamp(known_id)
        entry = self._entries.get(code)
        if entry is not None and entry.fresh(stamp, now):
            return entry
        with self._sessions() as session:
            computed = compute_availability(session, code, now)
        if computed is None:
            self._forget(code)
            return None
        body = computed.document.model_dump_json().encode()
        usable = stamp if computed.lot_id == known_id else None
        snapshot = Snapshot(computed.lot_id, body, strong_etag(body), computed.valid_until, usable)
        with self._lock:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            self._entries[code] = snapshot
            self._lot_ids[code] = computed.lot_id
        return snapshot

    def _forget(self, code: str) -> None:
        with self._lock:
            self._entries.pop(code, None)
            self._lot_ids.pop(code, None)

    def stream(self, first: Snapshot, code: str, keepalive_s: float, max_s: float) -> Iterator[str]:
        """SSE frames: the document now, then again whenever it changes, for `max_s` at most;
        comments keep the connection alive."""
        hub = self._hub
        assert hub is not None  # noqa: S101 - streams exist only with live updates on
        deadline = monotonic() + max_s
        yield f"retry: {RETRY_MS}\n\n"
        current: Snapshot | None = first
        sent = ""
        while current is not None and monotonic() < deadline:
            if current.etag != sent:
                yield _event(current)
                sent = current.etag
            timeout = min(keepalive_s, max(0.0, deadline - monotonic()))
            if current.valid_until is not None:
                until = (current.valid_until - datetime.now(UTC)).total_seconds()
                timeout = min(timeout, max(0.0, until) + 0.001)
            changed = hub.wait(current.lot_id, current.stamp, timeout)
            if hub.stopped or monotonic() >= deadline:
                return  # shutting down (no new database work), or the lifetime is over
            if not changed:
                yield ": keepalive\n\n"
            current = self.get(code)


def _event(snapshot: Snapshot) -> str:
    event_id = snapshot.etag.strip('"')
    return f"event: availability\nid: {event_id}\ndata: {snapshot.body.decode()}\n\n"
