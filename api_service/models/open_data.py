"""The open-data feeds: NGSI-LD query parameters and the JSON documents' shapes."""

from typing import Literal

from pydantic import ConfigDict, Field, RootModel

from api_service.errors import FieldError
from api_service.models.common import Out, Query
from api_service.models.lots import SLOT_PAGE_MAX
from schemas.ids import Identifier

EntityType = Literal["OffStreetParking", "ParkingSpot"]


class NgsiLdQuery(Query):
    """`GET /open-data/ngsi-ld/entities`: entities of one type, as NGSI-LD's query does."""

    type: EntityType = Field(description="Entity type: a lot or a slot.")
    lot: Identifier | None = Field(
        default=None, description="Lot code; required for `ParkingSpot` (paged per lot)."
    )
    options: Literal["keyValues", "normalized"] | None = Field(
        default=None, description="`keyValues`: attribute values only (NGSI-LD simplified)."
    )
    limit: int = Field(default=100, ge=1, le=SLOT_PAGE_MAX, description="Spots per page.")
    cursor: Identifier | None = Field(
        default=None, description="Last slot code of the page (from the `Link: rel=next`)."
    )

    def problems(self) -> list[FieldError]:
        """Cross-field rules, each naming its field."""
        if self.type == "ParkingSpot" and self.lot is None:
            return [FieldError("lot", "required for type=ParkingSpot: spots are paged per lot")]
        if self.type == "OffStreetParking" and self.cursor is not None:
            return [FieldError("cursor", "only ParkingSpot lists page")]
        return []


class PointGeometry(Out):
    type: Literal["Point"]
    coordinates: list[float] = Field(description="[longitude, latitude] (RFC 7946).")


class LotFeatureProperties(Out):
    code: Identifier
    name: str
    address: str
    operator: Identifier
    timezone: str
    status: Literal["closed", "unknown", "full", "spacesAvailable"] = Field(
        description="The lot as a whole (docs/ARCHITECTURE.md, open data)."
    )
    total: int = Field(ge=0)
    free: int = Field(ge=0)
    occupied: int = Field(ge=0)
    reserved: int = Field(ge=0)
    unknown: int = Field(ge=0)
    closed: int = Field(ge=0)
    capacity: dict[str, int] = Field(description="Slots in service per slot kind.")
    kinds: dict[str, dict[str, int]] | None = Field(
        default=None, description="Counts per slot kind, when known."
    )
    opening_hours: str | None = Field(default=None, description="OSM opening_hours.")
    updated_at: str = Field(description="When the counts last changed (UTC).")


class LotFeature(Out):
    type: Literal["Feature"]
    id: Identifier
    geometry: PointGeometry
    properties: LotFeatureProperties


class LotFeatureCollection(Out):
    """Every lot as a GeoJSON Feature with live counts."""

    type: Literal["FeatureCollection"]
    features: list[LotFeature]


class NgsiLdEntity(Out):
    """An NGSI-LD entity (FIWARE Smart Data Models, Parking): attributes vary by type."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)

    id: str = Field(description="URN: urn:ngsi-ld:<Type>:<lot>[:<slot>].")
    type: EntityType
    context: list[str] = Field(alias="@context", description="JSON-LD @context.")


class NgsiLdEntities(RootModel[list[NgsiLdEntity]]):
    """A list of entities."""
