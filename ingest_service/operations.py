"""The operations job: periodic housekeeping and alerting that one worker runs at a time.

Every worker starts the job; the one whose connection holds a session advisory lock
(`OPERATIONS_LOCK_CLASS`) is the leader and runs the tasks, the others retry the lock each
round. The lock goes with the leader's connection, so a dead leader is replaced within one
interval. The job has its own connection and thread: a slow task (a rollup, a webhook)
never delays ingest's batches.
"""

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import psycopg
from prometheus_client import CollectorRegistry, Counter, Gauge

from ingest_service.db import Connection
from ingest_service.publisher import republish_opened_or_closed
from ingest_service.settings import IngestSettings
from ingest_service.transport import Outbound
from schemas.db.locks import OPERATIONS_LOCK_CLASS
from schemas.db.session_fees import price_unpriced

log = logging.getLogger(__name__)

Publish = Callable[[Sequence[Outbound]], None]


@dataclass(frozen=True)
class OpsContext:
    """What a task gets: a connection (autocommit: a task opens its own transactions), the
    round's time, and the read side's MQTT publish."""

    conn: Connection
    now: datetime
    publish: Publish


@dataclass(frozen=True)
class Task:
    """A named task run at most once per `every` by the leader."""

    name: str
    every: timedelta
    run: Callable[[OpsContext], None]


class OperationsMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.runs = Counter(
            "ingest_operations_runs_total",
            "Operations task runs, by task and outcome (ok, failed).",
            ["task", "outcome"],
            registry=registry,
        )
        self.leader = Gauge(
            "ingest_operations_leader", "1 while this worker runs the operations job.",
            registry=registry,
        )  # fmt: skip


class OperationsJob:
    """Runs `tasks` while this worker holds the operations lock; `stop` ends the thread."""

    def __init__(
        self,
        url: str,
        tasks: Sequence[Task],
        publish: Publish,
        *,
        interval_s: float,
        registry: CollectorRegistry,
        clock: Callable[[], datetime],
    ) -> None:
        self._url = url
        self._tasks = tasks
        self._publish = publish
        self._interval_s = interval_s
        self._clock = clock
        self._metrics = OperationsMetrics(registry)
        self._stopping = threading.Event()
        self._conn: Connection | None = None
        self._leading = False
        self._last_run: dict[str, datetime] = {}
        self._thread = threading.Thread(target=self._loop, name="operations", daemon=True)

    @property
    def leader(self) -> bool:
        """Whether this worker held the lock at its last round."""
        return self._leading

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        else:  # never started (run_once driven by hand): the connection is ours to close
            self._drop_connection()

    def run_once(self) -> bool:
        """One round: take or keep the lock, then run the tasks that are due. True if leader."""
        try:
            conn = self._connection()
            if not self._leading:
                row = conn.execute(
                    "SELECT pg_try_advisory_lock(%s, 0)", (OPERATIONS_LOCK_CLASS,)
                ).fetchone()
                self._leading = bool(row and row[0])
        except psycopg.Error as exc:
            log.warning("operations job: database unavailable: %s", exc)
            self._drop_connection()
            return False
        self._metrics.leader.set(1 if self._leading else 0)
        if not self._leading:
            return False
        for task in self._tasks:
            if self._stopping.is_set():  # shutting down: not another task (a webhook round)
                break
            self._run_if_due(conn, task)
            if self._conn is not conn:  # lost mid-round: the lock went with it
                return False
        return True

    def _run_if_due(self, conn: Connection, task: Task) -> None:
        now = self._clock()
        last = self._last_run.get(task.name)
        if last is not None and now - last < task.every:
            return
        try:
            task.run(OpsContext(conn, now, self._publish))
            _end_left_transaction(conn, task.name)
        except Exception:  # one failing task must not stop the others or the thread
            log.exception("operations task %s failed", task.name)
            self._metrics.runs.labels(task.name, "failed").inc()
            if conn.broken or conn.closed:
                self._drop_connection()
            else:
                self._rollback(conn)
            return
        self._last_run[task.name] = now
        self._metrics.runs.labels(task.name, "ok").inc()
        if conn.closed:  # the task kept a lost connection's error to itself
            self._drop_connection()

    def _rollback(self, conn: Connection) -> None:
        """Leave the connection idle for the next task: a transaction a failed task left
        open (or aborted) would make every later statement fail while the lock is held."""
        if conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE:
            return
        try:
            conn.rollback()
        except psycopg.Error:
            log.warning("operations job: rollback failed; reconnecting", exc_info=True)
            self._drop_connection()

    def _connection(self) -> Connection:
        if self._conn is None or self._conn.closed:
            self._leading = False
            self._conn = psycopg.connect(
                self._url,
                autocommit=True,
                application_name="parking-ingest-operations",
                connect_timeout=5,
            )
        return self._conn

    def _drop_connection(self) -> None:
        self._leading = False
        self._metrics.leader.set(0)
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                log.debug("closing a broken connection failed", exc_info=True)
            self._conn = None

    def _loop(self) -> None:
        while not self._stopping.is_set():
            started = time.monotonic()
            self.run_once()
            self._stopping.wait(max(0.0, self._interval_s - (time.monotonic() - started)))
        self._drop_connection()


def _end_left_transaction(conn: Connection, task: str) -> None:
    """A task opens and ends its own transactions: one still open after it is a bug, and its
    work is not committed (raises, so the task counts as failed and the job rolls back)."""
    status = conn.info.transaction_status
    if status in (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR):
        raise RuntimeError(f"task {task} left a transaction open")


def price_closed_sessions(ctx: OpsContext) -> None:
    """Fees of the stays detection closed, off the hot path (`slots_store` only closes them);
    the API prices a driver's exit itself. Both use `schemas.db.session_fees`."""
    priced = price_unpriced(ctx.conn)
    if priced:
        log.debug("priced %d parking sessions", priced)


def default_tasks(settings: IngestSettings, registry: CollectorRegistry) -> list[Task]:
    """The tasks the ingest service runs (each module owns its schedule)."""
    # Imported here: those modules build on this module's Task and OpsContext.
    from ingest_service.alerts import alert_tasks  # noqa: PLC0415
    from ingest_service.history import history_tasks  # noqa: PLC0415

    return [
        *history_tasks(
            registry, max_event_age=settings.max_event_age, retention=settings.history_retention
        ),
        *alert_tasks(settings),
        # Every round: a lot's retained availability says `open` within one interval.
        Task("lot-opening-hours", timedelta(0), republish_opened_or_closed),
        Task("session-fees", timedelta(0), price_closed_sessions),
    ]
