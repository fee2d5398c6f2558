"""The per-node dead-letter budget."""

from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.quota import DeadLetterQuota

T = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_each_sender_gets_its_budget_per_minute() -> None:
    quota = DeadLetterQuota(per_minute=3)
    assert [quota.admit("cam-1", T) for _ in range(5)] == [True, True, True, False, False]
    assert quota.admit("cam-2", T)  # another node is not held back by cam-1
    assert quota.admit(None, T)  # nor are messages that name no node
    assert not quota.admit("cam-1", T + timedelta(seconds=59))
    assert quota.admit("cam-1", T + timedelta(seconds=60))  # a new minute


def test_a_clock_going_back_starts_a_new_window() -> None:
    quota = DeadLetterQuota(per_minute=1)
    assert quota.admit("cam-1", T)
    assert quota.admit("cam-1", T - timedelta(seconds=5))


def test_memory_stays_bounded_under_many_senders(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ingest_service.quota.MAX_TRACKED", 100)
    quota = DeadLetterQuota(per_minute=1)
    for i in range(1000):
        quota.admit(f"cam-{i}", T)
    assert len(quota._windows) <= 101
