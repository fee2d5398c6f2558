"""Alert webhooks: the retry schedule and the signed body."""

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from ingest_service.webhooks import backoff, body, target_problem


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


def _resolves_to(*addresses: str) -> Callable[[str], list[str]]:
    return lambda _host: list(addresses)


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "::1",
     "fe80::1%eth0", "fd00::5", "0.0.0.0", "100.64.0.1"],  # noqa: S104
)  # fmt: skip
def test_a_host_resolving_to_an_internal_address_is_refused(address: str) -> None:
    problem = target_problem("https://hooks.example.net/x", _resolves_to(address))
    assert problem is not None
    assert problem.startswith("refused: hooks.example.net resolves to a non-public address")


def test_one_internal_address_among_public_ones_is_enough_to_refuse() -> None:
    resolver = _resolves_to("93.184.216.34", "10.0.0.1")
    assert target_problem("https://hooks.example.net/x", resolver) is not None


def test_a_public_host_may_be_called() -> None:
    resolver = _resolves_to("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946")
    assert target_problem("https://hooks.example.net/x", resolver) is None


def test_a_name_that_does_not_resolve_is_a_failed_attempt() -> None:
    def fails(_host: str) -> list[str]:
        raise OSError("Name or service not known")

    assert target_problem("https://nowhere.invalid/x", fails) == (
        "cannot resolve nowhere.invalid: Name or service not known"
    )
