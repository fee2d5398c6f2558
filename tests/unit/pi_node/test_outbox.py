"""The durable offline buffer: order, bounded size, counters that survive a restart."""

import logging
from pathlib import Path

import pytest

from pi_node.outbox import Outbox


def payload(seq: int) -> bytes:
    return f"event {seq}".encode()


def test_seq_and_bdseq_survive_reopening(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 100)
    assert [outbox.append(payload) for _ in range(3)] == [1, 2, 3]
    assert outbox.next_bdseq() == 1
    outbox.close()
    again = Outbox(tmp_path / "o.sqlite3", 100)
    assert again.append(payload) == 4
    assert again.next_bdseq() == 2
    assert len(again) == 4
    assert [p.payload for p in again.pending(0, 10)] == [payload(s) for s in (1, 2, 3, 4)]


def test_pending_pages_in_order_and_remove_forgets(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 100)
    for _ in range(5):
        outbox.append(payload)
    first = outbox.pending(0, 2)
    assert [p.seq for p in first] == [1, 2]
    assert [p.seq for p in outbox.pending(first[-1].row_id, 10)] == [3, 4, 5]
    outbox.remove([first[0].row_id, first[1].row_id, 999])
    assert len(outbox) == 3
    assert [p.seq for p in outbox.pending(0, 10)] == [3, 4, 5]


def test_full_buffer_drops_the_oldest_and_says_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 3)
    with caplog.at_level(logging.ERROR, logger="pi_node.outbox"):
        for _ in range(5):
            outbox.append(payload)
    assert [p.seq for p in outbox.pending(0, 10)] == [3, 4, 5]
    assert len(outbox) == 3
    assert outbox.last_seq() == 5
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("offline buffer full (3 events): dropped the oldest 1 event(s)")
    assert "seq 1..1" in messages[0]
    assert "seq 2..2" in messages[1]


def test_a_failing_build_assigns_no_seq(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 10)

    def broken(_seq: int) -> bytes:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        outbox.append(broken)
    assert outbox.append(payload) == 1
    assert len(outbox) == 1


def test_a_receipt_forgets_what_it_covers_and_no_more(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 100)
    for _ in range(5):
        outbox.append(payload)
    assert outbox.oldest_seq() == 1
    assert outbox.confirm(3) == 3
    assert [p.seq for p in outbox.pending(0, 10)] == [4, 5]
    assert (len(outbox), outbox.confirmed, outbox.oldest_seq()) == (2, 3, 4)
    assert outbox.confirm(2) == 0  # an older receipt, redelivered: nothing more goes
    assert outbox.confirmed == 3
    outbox.confirm(5)
    assert (len(outbox), outbox.oldest_seq()) == (0, 6)  # holds none: the next seq


def test_dropped_events_are_counted_across_restarts(tmp_path: Path) -> None:
    outbox = Outbox(tmp_path / "o.sqlite3", 3)
    for _ in range(5):
        outbox.append(payload)
    assert (outbox.dropped(), outbox.oldest_seq()) == (2, 3)
    outbox.close()
    assert Outbox(tmp_path / "o.sqlite3", 3).dropped() == 2
