"""The operations job runs on one worker at a time, and another takes over when it stops."""

import threading
import time
from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from ingest_service.operations import OperationsJob, OpsContext, Task
from tests.integration.ingest_service.support import wait_for


def _job(url: str, runs: list[str], name: str) -> OperationsJob:
    def record(ctx: OpsContext) -> None:
        # Proves the task got a working connection, not just a call.
        row = ctx.conn.execute("SELECT current_database()").fetchone()
        assert row is not None
        runs.append(name)

    return OperationsJob(
        url.replace("postgresql+psycopg://", "postgresql://", 1),
        [Task("record", timedelta(0), record)],
        lambda _messages: None,
        interval_s=60,
        registry=CollectorRegistry(),
        clock=lambda: datetime.now(UTC),
    )


def test_one_leader_runs_the_tasks_and_a_follower_takes_over(database_url: str) -> None:
    runs: list[str] = []
    first, second = _job(database_url, runs, "first"), _job(database_url, runs, "second")
    try:
        assert first.run_once() is True
        assert second.run_once() is False
        assert first.run_once() is True
        assert runs == ["first", "first"]
        first.stop()  # closes its connection: the lock goes when its backend has ended
        wait_for(second.run_once, "the follower to take the lock", timeout=10)
        assert runs == ["first", "first", "second"]
    finally:
        first.stop()
        second.stop()


def test_a_failing_task_does_not_stop_the_next(database_url: str) -> None:
    ran: list[str] = []

    def broken(_ctx: OpsContext) -> None:
        raise RuntimeError("boom")

    job = OperationsJob(
        database_url.replace("postgresql+psycopg://", "postgresql://", 1),
        [
            Task("broken", timedelta(0), broken),
            Task("ok", timedelta(0), lambda _ctx: ran.append("ok")),
        ],
        lambda _messages: None,
        interval_s=60,
        registry=(registry := CollectorRegistry()),
        clock=lambda: datetime.now(UTC),
    )
    try:
        assert job.run_once() is True
        assert ran == ["ok"]
        failed = registry.get_sample_value(
            "ingest_operations_runs_total", {"task": "broken", "outcome": "failed"}
        )
        assert failed == 1
    finally:
        job.stop()


def _tasks_job(url: str, tasks: list[Task], registry: CollectorRegistry) -> OperationsJob:
    return OperationsJob(
        url.replace("postgresql+psycopg://", "postgresql://", 1),
        tasks,
        lambda _messages: None,
        interval_s=60,
        registry=registry,
        clock=lambda: datetime.now(UTC),
    )


def test_a_leader_that_loses_its_connection_mid_round_stops_the_round(database_url: str) -> None:
    ran: list[str] = []
    killed: list[bool] = []

    def lose_connection(ctx: OpsContext) -> None:
        if not killed:
            killed.append(True)
            ctx.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")

    def record(ctx: OpsContext) -> None:
        ctx.conn.execute("SELECT 1")
        ran.append("next")

    registry = CollectorRegistry()
    tasks = [Task("lose", timedelta(0), lose_connection), Task("next", timedelta(0), record)]
    job = _tasks_job(database_url, tasks, registry)
    try:
        assert job.run_once() is False  # no longer the leader: the lock went with the backend
        assert job.leader is False
        assert ran == []  # not run on the dead connection
        assert (
            registry.get_sample_value(
                "ingest_operations_runs_total", {"task": "next", "outcome": "failed"}
            )
            is None
        )
        assert job.run_once() is True  # reconnects and takes the lock again
        assert ran == ["next"]
    finally:
        job.stop()


def test_a_task_that_leaves_a_transaction_behind_does_not_poison_the_next(
    database_url: str,
) -> None:
    ran: list[str] = []

    def aborted(ctx: OpsContext) -> None:
        ctx.conn.execute("BEGIN")
        ctx.conn.execute("SELECT 1 / 0")

    def left_open(ctx: OpsContext) -> None:
        ctx.conn.execute("BEGIN")
        ctx.conn.execute("SELECT 1")

    def record(ctx: OpsContext) -> None:
        ctx.conn.execute("SELECT 1")
        ran.append("next")

    registry = CollectorRegistry()
    job = _tasks_job(
        database_url,
        [
            Task("aborted", timedelta(0), aborted),
            Task("left_open", timedelta(0), left_open),
            Task("next", timedelta(0), record),
        ],
        registry,
    )
    try:
        assert job.run_once() is True
        assert job.run_once() is True
        assert ran == ["next", "next"]
        for task in ("aborted", "left_open"):
            assert (
                registry.get_sample_value(
                    "ingest_operations_runs_total", {"task": task, "outcome": "failed"}
                )
                == 2
            )
    finally:
        job.stop()


def test_stop_ends_the_round_after_the_running_task(database_url: str) -> None:
    entered, release = threading.Event(), threading.Event()
    ran: list[str] = []

    def slow(_ctx: OpsContext) -> None:
        entered.set()
        release.wait(10)
        ran.append("slow")

    tasks = [
        Task("slow", timedelta(0), slow),
        Task("next", timedelta(0), lambda _c: ran.append("next")),
    ]
    job = _tasks_job(database_url, tasks, CollectorRegistry())
    job.start()
    assert entered.wait(10)
    stopping = threading.Thread(target=job.stop)
    stopping.start()
    while not job._stopping.is_set():  # stop() has been called
        time.sleep(0.01)
    release.set()
    stopping.join(10)
    assert ran == ["slow"]  # the task running when stop() came finished; no other started
