"""Shapes several resources share: strict bodies, lax query strings, pages, problems."""

from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, Field

from schemas.ids import Identifier

PAGE_MAX: Final = 100
Cursor = Annotated[str, Field(pattern=r"^[0-9]{1,18}$", description="Opaque page cursor.")]
Limit = Annotated[int, Field(ge=1, le=PAGE_MAX, description=f"Page size (max {PAGE_MAX}).")]


class Body(BaseModel):
    """A JSON request body: closed to unknown fields, no type coercion."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Query(BaseModel):
    """Query-string parameters: strings converted to the declared types, nothing unknown."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Out(BaseModel):
    """A response document."""

    model_config = ConfigDict(frozen=True)


class LotPath(Query):
    lot_id: Identifier = Field(description="Lot code.")


class SlotPath(LotPath):
    slot_id: Identifier = Field(description="Slot code, unique within the lot.")


class IdPath(Query):
    id: int = Field(ge=1, le=2**63 - 1, description="Resource id.")


class PageQuery(Query):
    limit: Limit = 20
    cursor: Cursor | None = None


class FieldProblem(Out):
    field: str = Field(description="The offending parameter or body field (dotted path).")
    message: str


class Problem(Out):
    """RFC 9457 problem details: every error the API returns."""

    type: str = Field(description="Stable problem type (a relative URI).")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    errors: list[FieldProblem] | None = Field(
        default=None, description="Each invalid field, for validation errors."
    )


class Health(Out):
    status: str = Field(description="`ok` when the check passed.")
    database: bool | None = Field(default=None, description="Database reachable (/readyz).")


class SlotRef(Body):
    """The slot to reserve or park at."""

    lot_id: Identifier = Field(description="Lot code.")
    slot_id: Identifier = Field(description="Slot code.")
