"""`UtcDatetime`: the one timestamp type of every payload.

Wire format is RFC 3339 in UTC with millisecond precision, `2026-11-26T10:00:00.123Z`.
Validation accepts any RFC 3339 offset and normalises to UTC, rejects naive values (a
camera's local clock without an offset is ambiguous across DST), and truncates
sub-millisecond digits, so that what a model holds is exactly what it serialises and
`parse(to_payload(m)) == m` holds without rounding surprises.
"""

from datetime import UTC, datetime
from typing import Annotated, TypeAlias

from pydantic import AfterValidator, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError


def _to_utc_millis(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "timezone_aware",
            "timestamp has no UTC offset; write it as RFC 3339 with 'Z' or '+hh:mm'",
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 0001-01-01T00:00:00+01:00 lies before datetime.min
        raise PydanticCustomError("datetime_range", "timestamp is out of range in UTC") from exc
    return utc.replace(microsecond=utc.microsecond // 1000 * 1000)


def format_utc(value: datetime) -> str:
    """Format an aware datetime the way every payload carries it: `...T10:00:00.123Z`."""
    naive_utc = value.astimezone(UTC).replace(tzinfo=None)
    return naive_utc.isoformat(timespec="milliseconds") + "Z"


UtcDatetime: TypeAlias = Annotated[
    datetime,
    AfterValidator(_to_utc_millis),
    # Only JSON output is a string: Python-mode dumps stay datetimes, so strict
    # `model_validate(m.model_dump())` round-trips too.
    PlainSerializer(format_utc, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": r"(Z|z|[+-]\d{2}:\d{2})$",
            "description": "RFC 3339 timestamp with an offset; normalised to UTC milliseconds.",
        }
    ),
]
"""An aware timestamp, normalised to UTC and truncated to milliseconds."""
