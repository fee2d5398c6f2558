"""Alert webhooks: the retry schedule and the signed body."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.webhooks import backoff, body


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [
        (0, 30),
        (1, 30),
        (2, 60),
        (3, 120),
        (4, 240),
        (7, 1920),
        (8, 3600),
        (50, 3600),
        (10**6, 3600),
    ],
)
def test_backoff_doubles_up_to_the_cap(attempts: int, seconds: float) -> None:
    assert backoff(attempts, base_s=30, max_s=3600) == timedelta(seconds=seconds)


def test_body_names_the_event_and_the_alert() -> None:
    fired = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    document = json.loads(
        body(
            {
                "id": 7,
                "event": "fired",
                "alert_id": 3,
                "rule_id": 2,
                "rule_name": "Harbour full",
                "kind": "lot_full",
                "lot_code": "harbour-surface",
                "subject": "harbour-surface",
                "state": "firing",
                "fired_at": fired,
                "resolved_at": None,
                "value": 0.0,
                "details": {"free": 0},
            }
        )
    )
    assert document == {
        "id": "7",
        "event": "fired",
        "alert": {
            "id": 3,
            "rule_id": 2,
            "rule": "Harbour full",
            "kind": "lot_full",
            "lot_id": "harbour-surface",
            "subject": "harbour-surface",
            "state": "firing",
            "fired_at": "2026-12-02T12:00:00Z",
            "resolved_at": None,
            "value": 0.0,
            "details": {"free": 0},
        },
    }
