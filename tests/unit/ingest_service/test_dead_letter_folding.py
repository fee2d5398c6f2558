"""A batch's dead letters folded to one row per stored (topic, reason, payload), counted."""

from ingest_service.decode import Reason, Rejected
from ingest_service.transport import Inbound
from ingest_service.writer import DeadLetterRow, fold_dead_letters

TOPIC = "parking/v1/nodes/n1/occupancy"
OTHER = "parking/v1/nodes/n2/occupancy"
MAX = 8


def fold(*letters: tuple[str, bytes, Reason, str]) -> list[DeadLetterRow]:
    messages = [Inbound(topic, payload, 1) for topic, payload, _r, _d in letters]
    rejected = [Rejected(i, reason, detail) for i, (_t, _p, reason, detail) in enumerate(letters)]
    return fold_dead_letters(rejected, messages, MAX)


def summary(rows: list[DeadLetterRow]) -> list[tuple[str, bytes, str, int]]:
    return [(r.topic, r.payload, r.reason, r.occurrences) for r in rows]


def test_repeats_become_one_row_with_their_count_and_the_first_detail() -> None:
    rows = fold(
        (TOPIC, b"{", Reason.MALFORMED_JSON, "first"),
        (TOPIC, b"{", Reason.MALFORMED_JSON, "second"),
        (TOPIC, b"{", Reason.MALFORMED_JSON, "third"),
    )
    assert summary(rows) == [(TOPIC, b"{", "malformed_json", 3)]
    assert rows[0].detail == "first"


def test_another_topic_reason_or_payload_is_another_row() -> None:
    rows = fold(
        (TOPIC, b"{", Reason.MALFORMED_JSON, ""),
        (OTHER, b"{", Reason.MALFORMED_JSON, ""),
        (TOPIC, b"{", Reason.SCHEMA_VIOLATION, ""),
        (TOPIC, b"[", Reason.MALFORMED_JSON, ""),
        (OTHER, b"{", Reason.MALFORMED_JSON, ""),
    )
    # In key order, whatever the arrival order: every worker locks rows in the same order.
    assert summary(rows) == [
        (TOPIC, b"[", "malformed_json", 1),
        (TOPIC, b"{", "malformed_json", 1),
        (TOPIC, b"{", "schema_violation", 1),
        (OTHER, b"{", "malformed_json", 2),
    ]


def test_truncated_payloads_are_keyed_by_the_bytes_kept() -> None:
    rows = fold(
        (TOPIC, b"0123456789", Reason.OVERSIZE, "big"),
        (TOPIC, b"01234567xyz", Reason.OVERSIZE, "bigger"),
        (TOPIC, b"01234567", Reason.OVERSIZE, "at the limit"),
    )
    assert summary(rows) == [(TOPIC, b"01234567", "oversize", 3)]
    assert rows[0].detail == "big (payload truncated to 8 of 10 bytes)"


def test_nul_in_topic_and_detail_is_escaped_before_keying() -> None:
    rows = fold(
        (TOPIC + "\x00", b"{", Reason.BAD_TOPIC, "a\x00b"),
        (TOPIC + "\\x00", b"{", Reason.BAD_TOPIC, ""),
    )
    # Both store the same text, so they are the same dead letter, as the database sees it.
    assert summary(rows) == [(TOPIC + "\\x00", b"{", "bad_topic", 2)]
    assert rows[0].detail == "a\\x00b"
