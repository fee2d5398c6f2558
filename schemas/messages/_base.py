"""The base model and the small constrained types that several payloads share."""

from typing import Annotated, Final, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

MAX_INT64: Final = 2**63 - 1

# Printable ASCII only: labels end up in logs, metrics labels and dashboards.
_PRINTABLE_ASCII: Final = r"^[\x20-\x7E]+$"
# Paths and URLs may be non-ASCII, but never contain control characters.
_NO_CONTROL_CHARS: Final = r"^[^\x00-\x1F\x7F]+$"


class Contract(BaseModel):
    """Base of every payload: immutable, strict, and closed to unknown fields."""

    # strict: no "12" -> 12 or true -> 1 coercion. In JSON mode pydantic still reads
    # RFC 3339 strings as datetimes and strings as UUIDs, which is all the wire needs.
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )


Seq: TypeAlias = Annotated[int, Field(ge=0, le=MAX_INT64)]
"""A non-negative 64-bit counter (fits PostgreSQL BIGINT)."""

Confidence: TypeAlias = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]
"""A probability in [0, 1]."""

Label: TypeAlias = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=_PRINTABLE_ASCII)
]
"""A short printable-ASCII name such as a software or model version."""

RequestId: TypeAlias = Annotated[
    str, StringConstraints(min_length=1, max_length=64, pattern=_PRINTABLE_ASCII)
]
"""A caller-chosen correlation id echoed in logs."""

PathText: TypeAlias = Annotated[
    str, StringConstraints(min_length=1, max_length=512, pattern=_NO_CONTROL_CHARS)
]
"""A file path, device or URL."""
