"""The worker loop: receive, validate, batch, commit, then acknowledge; publish; sweep.

Guarantees, and where they live:
1. acknowledge after commit: `_handle` acks only once `write_batch` has committed, over a
   persistent session (transport) with a stable client id;
2. deduplication by event_id: `writer._INSERT_EVENTS` (ON CONFLICT DO NOTHING);
3. newest-wins: `slots_store._APPLY_NEWEST` (guarded UPDATE), rows locked in id order;
4. dead letters: `decode` and the SQL resolution in `writer`, isolated per message by
   `_write_one_by_one` when a batch fails on its data;
5. back-pressure: `_write` retries the same batch while PostgreSQL is down, without acking;
   the broker stops at `receive_maximum` unacknowledged messages, so memory stays bounded;
6. durable receipts: the writer records every handled seq, `_receipts_due` advances each
   node's receipt over them (`receipts`) and publishes it retained; only then does the node
   forget its events, so an event the broker acknowledged but lost is sent again.

Retiring (`retire`): a removed worker's session is resumed under its client id with the
transport unsubscribing instead of subscribing; the messages the broker had queued for it go
through the same `_handle`, and the broker forgets the session once it is quiet.

Ready (`/readyz`) only while the broker has granted every subscription (transport checks
each SUBACK reason code, and subscribes again on every connection), and PostgreSQL answered.
Messages are validated on the network thread as they arrive (`deliver`), so validation runs
while the loop waits on PostgreSQL; the loop takes them a batch at a time (`intake`).
"""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Final, TypeAlias

import psycopg

from ingest_service.coalesce import Coalesced
from ingest_service.db import TRANSIENT_ERRORS, Database
from ingest_service.decode import Context, Event, Item, Reason, Rejected, at_index, decode
from ingest_service.intake import Intake
from ingest_service.metrics import Metrics
from ingest_service.publisher import lots_with_pending, publish_lot, resync_commands
from ingest_service.quota import DeadLetterQuota
from ingest_service.receipts import advance, receipt_messages
from ingest_service.settings import IngestSettings
from ingest_service.sweep import sweep_expiries, sweep_nodes
from ingest_service.transport import Inbound, MessageSource, PublishError
from ingest_service.writer import BatchOutcome, write_batch

log = logging.getLogger(__name__)

Received: TypeAlias = tuple[Inbound, Item]
"""A message and what validation made of it (its index is set when it joins a batch)."""

# Heartbeats are QoS 0, outside the broker's receive-maximum window: room for a burst.
QOS0_SLACK: Final = 1000
LIVENESS_S: Final = 60.0
RETIRE_CONNECT_S: Final = 30.0


class RetireError(Exception):
    """Retiring stopped short; the broker keeps the session and what was not acknowledged."""


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)


def quiet_since(since: float, now: float, *, wrote: bool, unsubscribed: bool) -> float:
    """Start of a retiring session's quiet: it restarts when we acknowledge a batch (the
    broker answers with the next queued messages) and while the broker has not confirmed
    the unsubscribe (until then it may route new messages to us)."""
    return now if wrote or not unsubscribed else since


class Worker:
    """One ingest worker; `run` blocks until `stop` is called (SIGTERM) and drains first."""

    def __init__(
        self,
        settings: IngestSettings,
        source: MessageSource,
        database: Database,
        metrics: Metrics | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._settings = settings
        self._source = source
        self._db = database
        self.metrics = metrics or Metrics()
        self._clock = clock
        self._intake: Intake[Received] = Intake(settings.receive_maximum + QOS0_SLACK)
        self._tolerance = timedelta(seconds=settings.future_tolerance_s)
        self._max_age = timedelta(seconds=settings.max_event_age_s)
        self._quota = DeadLetterQuota(settings.dead_letter_quota_per_min)
        self._stopping = threading.Event()
        self._db_ok = False
        self._last_tick = time.monotonic()
        # Lots whose read side changed, and nodes whose events were committed since their
        # last receipt: each published at most once per interval, not once per batch.
        self._unpublished: Coalesced[int] = Coalesced(settings.publish_interval_ms / 1000)
        self._unreceipted: Coalesced[str] = Coalesced(settings.receipt_interval_ms / 1000)

    # Intake (network thread) --------------------------------------------------------------

    def deliver(self, message: Inbound) -> None:
        """Validate a received message and queue it; only QoS 0 may be dropped (by contract).

        Validation runs here, on the network thread, while the loop waits on PostgreSQL.
        """
        try:
            item: Item = decode(0, message.topic, message.payload, self._context())
        except Exception as exc:  # a bug in validation must not stop the network thread
            log.exception("validating a message on %r failed", message.topic)
            item = Rejected(0, Reason.INTERNAL_ERROR, f"validation failed: {exc!r}")
        # QoS 1 cannot overflow: the broker sends at most receive_maximum unacknowledged.
        if not self._intake.put((message, item), block=message.qos > 0):
            self.metrics.dropped_qos0.inc()

    def _context(self) -> Context:
        return Context(self._clock(), self._tolerance, self._max_age)

    # Probes --------------------------------------------------------------------------------

    def alive(self) -> bool:
        """The loop is turning."""
        return time.monotonic() - self._last_tick < LIVENESS_S

    def ready(self) -> bool:
        """Broker connected, every subscription granted, the database answered last time."""
        return self._source.connected and self._source.subscribed and self._db_ok

    # Loop ---------------------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the loop to finish its batch, acknowledge, and disconnect."""
        self._stopping.set()

    def run(self) -> None:
        """Consume until stopped."""
        self._source.start(self.deliver)
        next_sweep = time.monotonic()
        try:
            while not self._stopping.is_set():
                self._last_tick = time.monotonic()
                wake = min(next_sweep, self._unpublished.wake_at(), self._unreceipted.wake_at())
                batch = self._collect(max(0.0, min(0.5, wake - time.monotonic())))
                if batch:
                    self._handle(batch)
                if time.monotonic() >= next_sweep:
                    self._sweep()
                    next_sweep = time.monotonic() + self._settings.sweep_interval_s
                self._publish_due()
                self._receipts_due()
            self._drain()
            self._publish_due(force=True)
            self._receipts_due(force=True)
        finally:
            self._source.stop()
            self._db.close()

    def retire(self) -> int:
        """Drain a removed worker's session (the source must be retiring), then let the broker
        forget it; the number of messages handled.

        Raises RetireError, leaving the session and anything unacknowledged in it on the
        broker, if PostgreSQL or the broker is unreachable or retire_max_s passes first.
        """
        self._check_database()
        give_up = threading.Timer(self._settings.retire_max_s, self.stop)
        give_up.daemon = True
        give_up.start()
        self._source.start(self.deliver)
        handled, drained = 0, False
        try:
            handled = self._drain_session()
            drained = True
        finally:
            give_up.cancel()
            self._publish_due(force=True)
            self._receipts_due(force=True)
            self._source.stop(forget_session=drained)
            self._db.close()
        return handled

    def _check_database(self) -> None:
        """Before taking anything from the broker: messages must not wait for PostgreSQL."""
        try:
            with self._db.transaction() as conn:
                conn.execute("SELECT 1")
        except psycopg.Error as exc:
            self._db.close()
            raise RetireError(
                f"PostgreSQL is unreachable, nothing was taken from the broker: {exc}"
            ) from exc
        self._db_ok = True

    def _drain_session(self) -> int:
        """Handle messages until the broker has had nothing more to send for retire_quiet_s."""
        s = self._settings
        deadline = time.monotonic() + RETIRE_CONNECT_S
        while not self._source.connected:
            if time.monotonic() > deadline or self._stopping.wait(0.05):
                raise RetireError(
                    f"the broker at {s.broker.host}:{s.broker.port} is unreachable or refused "
                    "the connection: nothing was taken from it"
                )
        handled = 0
        since = time.monotonic()
        while not self._stopping.is_set():
            batch = self._collect(min(0.1, s.retire_quiet_s))
            if batch and not self._handle(batch):
                break
            handled += len(batch)
            now = time.monotonic()
            since = quiet_since(
                since, now, wrote=bool(batch), unsubscribed=self._source.unsubscribed
            )
            if now - since >= s.retire_quiet_s:
                break
            self._publish_due()
            self._receipts_due()
        handled += self._drain()
        if self._stopping.is_set():  # also while the last batches waited for PostgreSQL
            raise RetireError(f"stopped after {handled} messages: {self._retire_blocker()}")
        return handled

    def _retire_blocker(self) -> str:
        if not self._db_ok:
            return "PostgreSQL is unreachable"
        if not self._source.unsubscribed:
            return "the broker did not confirm the unsubscribe"
        return f"interrupted, or the session was not drained within {self._settings.retire_max_s} s"

    def _collect(self, wait: float) -> list[Received]:
        """Up to batch_size messages, flushed batch_delay_ms after the first one arrived."""
        if not self._intake.wait_for(1, wait):
            return []
        self._intake.wait_for(self._settings.batch_size, self._settings.batch_delay_ms / 1000)
        return self._intake.take(self._settings.batch_size)

    def _drain(self) -> int:
        """On shutdown: write and acknowledge what was already received; how many."""
        handled = 0
        while batch := self._collect(0):
            if not self._handle(batch):
                break
            handled += len(batch)
        return handled

    # One batch -----------------------------------------------------------------------------

    def _handle(self, received: Sequence[Received]) -> bool:
        started = time.perf_counter()
        batch = [message for message, _ in received]
        items = [at_index(item, i) for i, (_, item) in enumerate(received)]
        outcome = self._write(batch, items)
        if outcome is None:
            return False  # stopping while the database is down: the broker redelivers
        self._source.ack(batch)
        self._record(batch, outcome, time.perf_counter() - started)
        self._unpublished.add(outcome.changed_lots)
        self._unreceipted.add(outcome.receipts)
        self._publish(set(), outcome.resync)
        return True

    def _write(
        self, batch: Sequence[Inbound], items: Sequence[Item], *, isolate: bool = True
    ) -> BatchOutcome | None:
        """Commit the batch, retrying while the database is unreachable (no acks meanwhile)."""
        delay = 0.1
        while True:
            try:
                with self._db.transaction() as conn:
                    outcome = write_batch(
                        conn,
                        items,
                        batch,
                        self._clock(),
                        self._settings.dead_letter_max_bytes,
                        clock_skew=self._tolerance,
                        admit=lambda r: self._quota.admit(r.node_id, self._clock()),
                    )
            except TRANSIENT_ERRORS as exc:
                self._db_failed(exc, len(batch))
            except psycopg.Error as exc:
                if not isolate:
                    return self._internal_error(batch[0], items[0], exc)
                log.exception("batch failed on its data; writing its messages one by one")
                return self._write_one_by_one(batch)
            else:
                self._db_ok = True
                return outcome
            if self._stopping.wait(delay):
                return None
            delay = min(delay * 2, self._settings.db_retry_max_s)

    def _db_failed(self, exc: Exception, size: int) -> None:
        self.metrics.db_errors.inc()
        if self._db_ok:
            log.warning("database unavailable, holding %d messages unacknowledged: %s", size, exc)
        self._db_ok = False

    def _write_one_by_one(self, batch: Sequence[Inbound]) -> BatchOutcome | None:
        """Isolate the message a batch failed on: it becomes an `internal_error` dead letter."""
        total = BatchOutcome()
        ctx = self._context()
        for message in batch:
            item = decode(0, message.topic, message.payload, ctx)
            outcome = self._write([message], [item], isolate=False)
            if outcome is None:
                return None
            total.dead_letters += outcome.dead_letters
            total.events_written += outcome.events_written
            total.duplicates += outcome.duplicates
            total.observed += outcome.observed
            total.changed_lots |= outcome.changed_lots
            total.resync += outcome.resync
            total.receipts |= outcome.receipts
            total.suppressed += outcome.suppressed
        return total

    def _internal_error(self, message: Inbound, item: Item, exc: Exception) -> BatchOutcome | None:
        """Dead-letter a message the database refused, so the stream goes on."""
        if isinstance(item, Rejected) and item.reason is Reason.INTERNAL_ERROR:
            # Even the dead letter was refused: the log is the last place left for it.
            log.error("dropping %r: %s (payload %s)", message.topic, exc, message.payload.hex())
            return BatchOutcome()
        # An event keeps its node and seq: handled, so the node's receipt may cover it.
        node, seq = (item.node_id, item.event.seq) if isinstance(item, Event) else (None, None)
        rejected = Rejected(0, Reason.INTERNAL_ERROR, f"{type(exc).__name__}: {exc}", node, seq)
        return self._write([message], [rejected], isolate=False)

    def _record(self, batch: Sequence[Inbound], outcome: BatchOutcome, seconds: float) -> None:
        m = self.metrics
        kinds = Counter(message.topic.rsplit("/", 1)[-1][:16] for message in batch)
        for kind, n in kinds.items():
            m.messages_in.labels(kind).inc(n)
        m.events_written.inc(outcome.events_written)
        m.duplicates.inc(outcome.duplicates)
        for reason, n in outcome.dead_letters.items():
            m.dead_letters.labels(reason).inc(n)
        for reason, n in outcome.suppressed.items():
            m.dead_letters_suppressed.labels(reason).inc(n)
        m.batch_size.observe(len(batch))
        m.batch_seconds.observe(seconds)
        committed = self._clock()
        for observed in outcome.observed:
            m.lag_seconds.observe(max(0.0, (committed - observed).total_seconds()))
        log.info(
            "batch committed",
            extra={
                "size": len(batch),
                "written": outcome.events_written,
                "duplicates": outcome.duplicates,
                "dead_letters": dict(outcome.dead_letters),
                "lots_changed": len(outcome.changed_lots),
                "ms": round(seconds * 1000, 2),
            },
        )

    # Read side and sweep -------------------------------------------------------------------

    def _publish_due(self, *, force: bool = False) -> None:
        if lots := self._unpublished.take(time.monotonic(), force=force):
            self._publish(lots, ())

    def _receipts_due(self, *, force: bool = False) -> None:
        """Advance and publish the receipts of the nodes whose events were committed."""
        nodes = self._unreceipted.take(time.monotonic(), force=force)
        if not nodes:
            return
        try:
            with self._db.transaction() as conn:
                receipts = advance(conn, nodes)
            self._source.publish(receipt_messages(receipts, self._clock()), timeout=10)
        except (PublishError, psycopg.Error) as exc:
            # Kept for the next round: until then the nodes hold (and in time re-send) them.
            self._unreceipted.add(nodes)
            self.metrics.publish_errors.inc()
            log.warning("receipts for %d nodes deferred: %s", len(nodes), exc)
            return
        self.metrics.receipts.inc(len(receipts))

    def _publish(self, lots: set[int], resync: Sequence[str]) -> None:
        for lot_id in sorted(lots):
            try:
                with self._db.transaction() as conn:
                    published = publish_lot(conn, self._source, lot_id, self._clock())
            except (PublishError, psycopg.Error) as exc:
                # Left in the outbox: the next sweep publishes it.
                self.metrics.publish_errors.inc()
                log.warning("read-side publish for lot %d deferred: %s", lot_id, exc)
                continue
            self.metrics.published.labels("slot_state").inc(published.slot_states)
            self.metrics.published.labels("availability").inc(published.availability)
        if resync:
            try:
                self._source.publish(resync_commands(resync), timeout=10)
            except PublishError as exc:
                log.warning("resync to %s not sent: %s", list(resync), exc)
                return
            self.metrics.resyncs.inc(len(resync))
            log.info("resync requested", extra={"nodes": list(resync)})

    def _sweep(self) -> None:
        s = self._settings
        try:
            with self._db.transaction() as conn:
                outcome = sweep_nodes(
                    conn,
                    self._clock(),
                    timedelta(seconds=s.stale_after_s),
                    timedelta(seconds=s.reorder_window_s),
                )
            with self._db.transaction() as conn:
                outcome.changed_lots |= sweep_expiries(conn, self._clock())
            with self._db.transaction() as conn:
                pending = set(lots_with_pending(conn))
        except TRANSIENT_ERRORS as exc:
            self._db_failed(exc, 0)
            return
        self._db_ok = True
        if outcome.stale:
            self.metrics.stale_nodes.inc(len(outcome.stale))
            log.info("nodes stale", extra={"nodes": outcome.stale})
        self._unpublished.add(outcome.changed_lots | pending)
        self._publish(set(), outcome.resync)
