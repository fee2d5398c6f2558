"""Alert rules: the kinds, their parameters, and the pure decision of when an alert fires
and resolves.

The API validates a rule's `params` with `parse_params`; ingest's operations job measures a
value per subject (a lot, a node or a slot) and asks `step` what to do. Hold times keep an
alert from flapping: a condition must hold `hold_s` before the alert fires, and be clear for
`hold_s` before it resolves; each alert fires once and resolves once.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter


class AlertKind(StrEnum):
    """What a rule watches; the subject of its alerts is a lot, a node or a slot."""

    LOT_FULL = "lot_full"
    LOT_FREE_BELOW = "lot_free_below"
    NODE_OFFLINE = "node_offline"
    CAMERA_NOT_OK = "camera_not_ok"
    OVERRIDE_EXPIRING = "override_expiring"
    DEAD_LETTER_RATE = "dead_letter_rate"
    INGEST_LAG = "ingest_lag"


class AlertState(StrEnum):
    FIRING = "firing"
    RESOLVED = "resolved"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def breached(self, value: float) -> bool:
        raise NotImplementedError


class LotFull(_Params):
    """Value: free slots of the lot. Breached when none is free."""

    kind: Literal["lot_full"] = "lot_full"

    def breached(self, value: float) -> bool:
        return value <= 0


class LotFreeBelow(_Params):
    """Value: free slots of the lot. Breached below `free_below`."""

    kind: Literal["lot_free_below"] = "lot_free_below"
    free_below: int = Field(ge=1, le=100_000, description="Fire when fewer slots are free.")

    def breached(self, value: float) -> bool:
        return value < self.free_below


class NodeOffline(_Params):
    """Value: seconds a node that is not online has been silent (0 while online)."""

    kind: Literal["node_offline"] = "node_offline"
    after_s: float = Field(gt=0, le=604_800, description="Offline or stale this long.")

    def breached(self, value: float) -> bool:
        return value >= self.after_s


class CameraNotOk(_Params):
    """Value: 1 when an online node's heartbeat reports its camera not ok, else 0."""

    kind: Literal["camera_not_ok"] = "camera_not_ok"

    def breached(self, value: float) -> bool:
        return value >= 1


class OverrideExpiring(_Params):
    """Value: seconds until a slot's override runs out."""

    kind: Literal["override_expiring"] = "override_expiring"
    within_s: float = Field(gt=0, le=604_800, description="Fire this long before expiry.")

    def breached(self, value: float) -> bool:
        return value <= self.within_s


class DeadLetterRate(_Params):
    """Value: refused messages per minute from the lot's nodes (repeats counted)."""

    kind: Literal["dead_letter_rate"] = "dead_letter_rate"
    per_min: float = Field(ge=0, le=1_000_000, description="Fire above this rate.")

    def breached(self, value: float) -> bool:
        return value > self.per_min


# Events observed longer ago are a node's offline buffer draining, not ingest falling
# behind; the window also keeps the lag query to the newest partition.
INGEST_LAG_WINDOW_S: Final = 3600


class IngestLag(_Params):
    """Value: the largest `received_at - observed_at` of the lot's events received in the
    last minute and observed within `INGEST_LAG_WINDOW_S`, in seconds (no events: 0)."""

    kind: Literal["ingest_lag"] = "ingest_lag"
    max_lag_s: float = Field(
        gt=0, lt=INGEST_LAG_WINDOW_S, description="Fire above this lag (under an hour)."
    )

    def breached(self, value: float) -> bool:
        return value > self.max_lag_s


AlertParams = Annotated[
    LotFull
    | LotFreeBelow
    | NodeOffline
    | CameraNotOk
    | OverrideExpiring
    | DeadLetterRate
    | IngestLag,
    Field(discriminator="kind"),
]
_PARAMS: Final[TypeAdapter[AlertParams]] = TypeAdapter(AlertParams)

LOT_KINDS: Final = frozenset(
    {AlertKind.LOT_FULL, AlertKind.LOT_FREE_BELOW, AlertKind.DEAD_LETTER_RATE, AlertKind.INGEST_LAG}
)
NODE_KINDS: Final = frozenset({AlertKind.NODE_OFFLINE, AlertKind.CAMERA_NOT_OK})
SLOT_KINDS: Final = frozenset({AlertKind.OVERRIDE_EXPIRING})


def parse_params(kind: AlertKind, params: dict[str, object]) -> AlertParams:
    """The validated parameters of a rule of `kind`; raises pydantic's `ValidationError`."""
    return _PARAMS.validate_python({**params, "kind": kind.value})


def stored_params(params: AlertParams) -> dict[str, object]:
    """What `alert_rules.params` keeps: the parameters without the kind (a column of its own)."""
    return params.model_dump(mode="json", exclude={"kind"})


# Transitions ----------------------------------------------------------------------------


class Action(StrEnum):
    FIRE = "fire"
    RESOLVE = "resolve"


@dataclass(frozen=True, slots=True)
class Step:
    """What to do now, and since when the condition has differed from the alert's state
    (None: nothing is pending)."""

    action: Action | None
    pending_since: datetime | None


def step(
    *,
    breaching: bool,
    firing: bool,
    pending_since: datetime | None,
    now: datetime,
    hold: timedelta,
) -> Step:
    """The next step for one (rule, subject).

    `breaching`: the condition holds now; `firing`: an alert is open; `pending_since`: when
    the condition started to differ from `firing`, as stored by the last step.
    """
    if breaching == firing:
        return Step(None, None)  # agrees with the alert's state: any wait starts over
    since = pending_since if pending_since is not None and pending_since <= now else now
    if now - since < hold:
        return Step(None, since)
    return Step(Action.FIRE if breaching else Action.RESOLVE, None)


def rate_per_min(
    previous: int | None, previous_at: datetime | None, total: int, now: datetime
) -> float:
    """Events per minute between two readings of a growing counter (pure). No earlier
    reading, no time between them, or a counter that went down (rows deleted): 0."""
    if previous is None or previous_at is None or now <= previous_at or total < previous:
        return 0.0
    return (total - previous) / ((now - previous_at).total_seconds() / 60)
