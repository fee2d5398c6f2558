"""The operations job runs on one worker at a time, and another takes over when it stops."""

from datetime import UTC, datetime, timedelta

from prometheus_client import CollectorRegistry

from ingest_service.operations import OperationsJob, OpsContext, Task


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
        first.stop()  # closes its connection: the lock goes with it
        assert second.run_once() is True
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
