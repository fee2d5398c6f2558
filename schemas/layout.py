"""The lot layout file (`parkctl lots import`, `PUT /admin/lots/{lot_id}/layout`).

Validation is strict and every problem names its place in the file, e.g.
`floors[1].rows[0].slots[3].code: duplicate slot code 'L1-A-004' (also at floors[0]...)`.
"""

import zoneinfo
from collections.abc import Iterator
from typing import Annotated, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from schemas.enums import SlotKind
from schemas.errors import ContractError
from schemas.ids import Identifier
from schemas.opening_hours import check_expression
from schemas.tariff import Tariff

MAX_SLOTS_PER_LOT = 20_000

K = TypeVar("K", int, str)

Name = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")]


class LayoutError(ContractError):
    """A layout that cannot be imported; `problems` name each bad place."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "invalid layout: " + "; ".join(self.problems)


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class SlotSpec(_Strict):
    code: Identifier = Field(description="Slot code, unique within the lot (e.g. L0-A-001).")
    kind: SlotKind = Field(default=SlotKind.STANDARD, description="What the bay is for.")


class RowSpec(_Strict):
    name: Name = Field(description="Row name, unique within its floor.")
    slots: list[SlotSpec] = Field(min_length=1, max_length=1000)


class FloorSpec(_Strict):
    level: int = Field(ge=-20, le=200, description="0 is ground level; negative below.")
    name: Name
    rows: list[RowSpec] = Field(min_length=1, max_length=500)


class Location(_Strict):
    lat: float = Field(ge=-90, le=90, allow_inf_nan=False)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False)


class LotLayout(_Strict):
    """A whole lot: identity, owner, place, and floors → rows → slots."""

    code: Identifier = Field(description="The lot id used in topics and URLs.")
    name: Annotated[str, Field(min_length=1, max_length=200)]
    operator: Identifier = Field(description="Code of the operator (tenant) that runs the lot.")
    address: Annotated[str, Field(min_length=1, max_length=500)]
    location: Location
    timezone: str = Field(description="IANA time zone, e.g. Europe/Amsterdam.")
    opening_hours: str | None = Field(
        default=None,
        description="OSM opening_hours expression in the lot's time zone, e.g. "
        "'Mo-Fr 07:00-22:00; Sa 08:00-18:00; PH off'; null: always open; omitted: a new lot "
        "is always open, an existing one keeps its hours.",
    )
    floors: list[FloorSpec] = Field(min_length=1, max_length=220)
    tariff: Tariff | None = Field(
        default=None,
        description="What parking costs (schemas/tariff.py); a different one than the lot's "
        "newest becomes its next version, valid from the import; omitted: unchanged.",
    )

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("opening_hours")
    @classmethod
    def _valid_opening_hours(cls, value: str | None) -> str | None:
        return None if value is None else check_expression(value)

    @model_validator(mode="after")
    def _unique_names(self) -> Self:
        problems = list(self._duplicates())
        if problems:
            raise ValueError("; ".join(problems))
        if (count := self.slot_count()) > MAX_SLOTS_PER_LOT:
            raise ValueError(f"{count} slots exceeds the limit of {MAX_SLOTS_PER_LOT} per lot")
        return self

    def _duplicates(self) -> Iterator[str]:
        """Floor levels, row names per floor and slot codes per lot must be unique."""
        levels: dict[int, str] = {}
        codes: dict[str, str] = {}
        for f, floor in enumerate(self.floors):
            yield from _first_or_problem(levels, floor.level, f"floors[{f}].level", "floor level")
            row_names: dict[str, str] = {}
            for r, row in enumerate(floor.rows):
                place = f"floors[{f}].rows[{r}]"
                yield from _first_or_problem(row_names, row.name, f"{place}.name", "row name")
                for s, slot in enumerate(row.slots):
                    slot_place = f"{place}.slots[{s}].code"
                    yield from _first_or_problem(codes, slot.code, slot_place, "slot code")

    def slot_count(self) -> int:
        return sum(len(row.slots) for floor in self.floors for row in floor.rows)


def _first_or_problem(seen: dict[K, str], key: K, place: str, what: str) -> Iterator[str]:
    if key in seen:
        yield f"{place}: duplicate {what} {key!r} (also at {seen[key]})"
    else:
        seen[key] = place


def parse_layout(raw: bytes | str) -> LotLayout:
    """Validate a layout document (JSON text), or raise `LayoutError` naming each problem."""
    try:
        return LotLayout.model_validate_json(raw)
    except ValidationError as exc:
        raise LayoutError([_describe(error) for error in exc.errors(include_url=False)]) from exc


def _describe(error: ErrorDetails) -> str:
    message = error["msg"].removeprefix("Value error, ")
    if not error["loc"]:
        return message
    place = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"])
    return f"{place.lstrip('.')}: {message}"
