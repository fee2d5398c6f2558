"""Lots, slots and the search over them."""

from typing import Annotated, Final

from pydantic import AfterValidator, Field

from api_service.errors import FieldError
from api_service.models.common import Out, Query
from api_service.models.tariffs import CurrentTariff, TariffSummary
from schemas.enums import SlotKind, SlotStatus, StatusSource
from schemas.ids import Identifier
from schemas.messages import KindCounts, SlotCounts, UtcDatetime

RADIUS_MAX_M: Final = 50_000
RADIUS_DEFAULT_M: Final = 2_000
SLOT_PAGE_MAX: Final = 500


def _to_centimetres(degrees: float) -> float:
    # 7 decimals is ~1 cm; it also turns subnormal inputs (5e-324) into 0, which
    # PostgreSQL's trigonometry would otherwise refuse with an underflow.
    return round(degrees, 7) + 0.0


Latitude = Annotated[
    float, Field(ge=-90, le=90, allow_inf_nan=False), AfterValidator(_to_centimetres)
]
Longitude = Annotated[
    float, Field(ge=-180, le=180, allow_inf_nan=False), AfterValidator(_to_centimetres)
]


class LotSearch(Query):
    """`GET /lots`: near a point (nearest first), or every lot by code without one."""

    lat: Latitude | None = Field(default=None, description="Latitude in degrees.")
    lon: Longitude | None = Field(default=None, description="Longitude in degrees.")
    radius_m: float = Field(
        default=RADIUS_DEFAULT_M,
        gt=0,
        le=RADIUS_MAX_M,
        allow_inf_nan=False,
        description=f"Search radius in metres (max {RADIUS_MAX_M}).",
    )
    available: bool | None = Field(
        default=None,
        description="`true`: only lots open now with at least one free slot (of `kind`, if given).",
    )
    open_now: bool | None = Field(
        default=None,
        description="`true`: only lots open now by their opening hours; `false`: only closed ones.",
    )
    kind: SlotKind | None = Field(
        default=None,
        description="Only lots with a slot of this kind (with `available=true`: a free one).",
    )
    limit: int = Field(default=20, ge=1, le=100, description="Page size (max 100).")

    def problems(self) -> list[FieldError]:
        """Cross-field rules, each naming its field."""
        if (self.lat is None) != (self.lon is None):
            missing = "lon" if self.lon is None else "lat"
            return [FieldError(missing, "lat and lon go together; give both or neither")]
        if self.available and self.open_now is False:
            message = "available=true lists only lots open now; drop open_now=false"
            return [FieldError("open_now", message)]
        return []


class Location(Out):
    lat: float
    lon: float


# What a lot's opening hours say, in the list and the detail alike.
OpeningHours = Annotated[
    str | None,
    Field(description="OSM opening_hours expression in the lot's time zone; null: always open."),
]
OpenNow = Annotated[
    bool,
    Field(description="Open now by the opening hours; a closed lot's free slots are not offered."),
]
NextChange = Annotated[
    UtcDatetime | None,
    Field(description="When `open_now` next changes; null: not within a year, or no hours."),
]
Kinds = Annotated[
    dict[SlotKind, KindCounts],
    Field(description="Free and total slots per kind present in the lot."),
]


class LotSummary(Out):
    lot_id: Identifier = Field(description="Lot code.")
    name: str
    operator: Identifier = Field(description="Operator (tenant) code.")
    address: str
    location: Location
    timezone: str
    opening_hours: OpeningHours
    open_now: OpenNow
    next_change: NextChange
    distance_m: float | None = Field(description="Distance from the search point, metres.")
    free: int = Field(ge=0, description="Slots free now (also while the lot is closed).")
    total: int = Field(ge=0, description="Slots in service.")
    kinds: Kinds
    tariff: TariffSummary | None = Field(
        default=None, description="Prices in short (the lot's detail has the tariff)."
    )


class LotPage(Out):
    items: list[LotSummary]


class FloorLayout(Out):
    level: int
    name: str
    rows: list[str] = Field(description="Row names in layout order.")


class LotDetail(Out):
    lot_id: Identifier
    name: str
    operator: Identifier
    address: str
    location: Location
    timezone: str
    opening_hours: OpeningHours
    open_now: OpenNow
    next_change: NextChange
    counts: SlotCounts = Field(description="Slot counts by effective status.")
    kinds: Kinds
    floors: list[FloorLayout]
    tariff: CurrentTariff | None = Field(
        default=None, description="What parking costs now; null: the lot publishes no price."
    )


class SlotFilter(Query):
    """`GET /lots/{lot_id}/slots`: filters and a page."""

    floor: int | None = Field(default=None, ge=-20, le=200, description="Floor level.")
    row: str | None = Field(default=None, min_length=1, max_length=64, description="Row name.")
    status: SlotStatus | None = Field(default=None, description="Effective status.")
    kind: SlotKind | None = Field(default=None, description="Bay kind.")
    limit: int = Field(default=100, ge=1, le=SLOT_PAGE_MAX, description="Page size (max 500).")
    cursor: Identifier | None = Field(default=None, description="Last slot code of the page.")


class SlotView(Out):
    """One slot with the freshness an app needs to grey out a stale bay."""

    lot_id: Identifier
    slot_id: Identifier
    floor: int | None = Field(description="Floor level.")
    row: str | None = Field(description="Row name.")
    kind: SlotKind
    status: SlotStatus = Field(description="Effective status now.")
    since: UtcDatetime = Field(description="Since when the status holds.")
    last_confirmed_at: UtcDatetime | None = Field(description="Latest agreeing detection.")
    source: StatusSource = Field(description="Which rule decided the status.")
    confidence: float | None = Field(description="Detector confidence when detected.")


class SlotPage(Out):
    items: list[SlotView]
    next_cursor: Identifier | None = Field(description="Pass as `cursor` for the next page.")
