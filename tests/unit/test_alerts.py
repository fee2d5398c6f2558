"""Alert rules: parameters per kind, and when an alert fires and resolves (hold times)."""

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from schemas.alerts import (
    Action,
    AlertKind,
    Step,
    parse_params,
    rate_per_min,
    step,
    stored_params,
)

T0 = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
HOLD = timedelta(seconds=60)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# (breaching, firing, pending_since, now) -> expected step, with a 60 s hold.
STEPS = [
    # quiet: nothing pending, nothing to do
    (False, False, None, at(0), Step(None, None)),
    # a breach starts the wait ...
    (True, False, None, at(0), Step(None, at(0))),
    # ... which goes on while the breach holds ...
    (True, False, at(0), at(59), Step(None, at(0))),
    # ... and fires once it held the whole hold time
    (True, False, at(0), at(60), Step(Action.FIRE, None)),
    # a breach that clears before the hold ends never fires, and the wait starts over
    (False, False, at(0), at(30), Step(None, None)),
    # firing and still breaching: nothing to do
    (True, True, None, at(90), Step(None, None)),
    # firing and clear: the wait to resolve starts ...
    (False, True, None, at(100), Step(None, at(100))),
    (False, True, at(100), at(159), Step(None, at(100))),
    # ... a new breach in between cancels it (no flapping) ...
    (True, True, at(100), at(120), Step(None, None)),
    # ... and it resolves once clear for the hold time
    (False, True, at(100), at(160), Step(Action.RESOLVE, None)),
    # a pending time in the future (clock set back) counts from now
    (True, False, at(500), at(100), Step(None, at(100))),
]


@pytest.mark.parametrize(("breaching", "firing", "since", "now", "expected"), STEPS)
def test_step(
    breaching: bool, firing: bool, since: datetime | None, now: datetime, expected: Step
) -> None:
    assert step(breaching=breaching, firing=firing, pending_since=since, now=now, hold=HOLD) == (
        expected
    )


@pytest.mark.parametrize(
    ("breaching", "firing", "expected"),
    [(True, False, Action.FIRE), (False, True, Action.RESOLVE), (True, True, None)],
)
def test_without_a_hold_the_step_is_immediate(
    breaching: bool, firing: bool, expected: Action | None
) -> None:
    decided = step(
        breaching=breaching, firing=firing, pending_since=None, now=T0, hold=timedelta(0)
    )
    assert decided == Step(expected, None)


def test_a_condition_fires_once_and_resolves_once_over_a_timeline() -> None:
    # breach from 0 s to 200 s with a 20 s blip at 100 s, sampled every 15 s
    firing, since, actions = False, None, []
    for second in range(0, 400, 15):
        breaching = second < 200 and not 100 <= second < 120
        decided = step(
            breaching=breaching, firing=firing, pending_since=since, now=at(second), hold=HOLD
        )
        since = decided.pending_since
        if decided.action is not None:
            actions.append((decided.action, second))
            firing = decided.action is Action.FIRE
    # first clear sample at 210 s, resolved 60 s later; the blip at 105 s resolved nothing
    assert actions == [(Action.FIRE, 60), (Action.RESOLVE, 270)]


# kind, value, params, breached
BREACHES = [
    (AlertKind.LOT_FULL, 0, {}, True),
    (AlertKind.LOT_FULL, 1, {}, False),
    (AlertKind.LOT_FREE_BELOW, 4, {"free_below": 5}, True),
    (AlertKind.LOT_FREE_BELOW, 5, {"free_below": 5}, False),
    (AlertKind.NODE_OFFLINE, 120, {"after_s": 120}, True),
    (AlertKind.NODE_OFFLINE, 0, {"after_s": 120}, False),
    (AlertKind.CAMERA_NOT_OK, 1, {}, True),
    (AlertKind.CAMERA_NOT_OK, 0, {}, False),
    (AlertKind.OVERRIDE_EXPIRING, 300, {"within_s": 600}, True),
    (AlertKind.OVERRIDE_EXPIRING, 601, {"within_s": 600}, False),
    (AlertKind.DEAD_LETTER_RATE, 10.5, {"per_min": 10}, True),
    (AlertKind.DEAD_LETTER_RATE, 10, {"per_min": 10}, False),
    (AlertKind.INGEST_LAG, 31, {"max_lag_s": 30}, True),
    (AlertKind.INGEST_LAG, 30, {"max_lag_s": 30}, False),
]


@pytest.mark.parametrize(("kind", "value", "params", "breached"), BREACHES)
def test_breaches_per_kind(
    kind: AlertKind, value: float, params: dict[str, object], breached: bool
) -> None:
    assert parse_params(kind, params).breached(value) is breached


@pytest.mark.parametrize(
    ("kind", "params", "field"),
    [
        (AlertKind.LOT_FREE_BELOW, {}, "free_below"),
        (AlertKind.LOT_FREE_BELOW, {"free_below": 0}, "free_below"),
        (AlertKind.NODE_OFFLINE, {"after_s": -1}, "after_s"),
        (AlertKind.LOT_FULL, {"free_below": 3}, "free_below"),  # unknown for this kind
        (AlertKind.INGEST_LAG, {"max_lag_s": "soon"}, "max_lag_s"),
    ],
)
def test_bad_params_are_refused_naming_the_field(
    kind: AlertKind, params: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_params(kind, params)
    assert any(field in error["loc"] for error in caught.value.errors())


def test_stored_params_leave_the_kind_out() -> None:
    assert stored_params(parse_params(AlertKind.NODE_OFFLINE, {"after_s": 90})) == {"after_s": 90}


@pytest.mark.parametrize(
    ("previous", "previous_at", "total", "now", "rate"),
    [
        (None, None, 50, at(60), 0.0),  # first reading: no rate yet
        (10, at(0), 40, at(60), 30.0),
        (10, at(0), 40, at(120), 15.0),
        (10, at(0), 4, at(60), 0.0),  # counter went down: rows deleted
        (10, at(60), 40, at(60), 0.0),  # no time between the readings
    ],
)
def test_rate_per_minute(
    previous: int | None, previous_at: datetime | None, total: int, now: datetime, rate: float
) -> None:
    assert rate_per_min(previous, previous_at, total, now) == rate


def test_an_ingest_lag_threshold_must_be_one_the_observed_window_can_exceed() -> None:
    # The observer looks at events observed within the last hour: a lag of an hour or more
    # could never be seen, so such a rule would never fire.
    with pytest.raises(ValidationError, match="max_lag_s"):
        parse_params(AlertKind.INGEST_LAG, {"max_lag_s": 3600})
    assert parse_params(AlertKind.INGEST_LAG, {"max_lag_s": 3599}).breached(3599.5)
