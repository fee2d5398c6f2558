"""Payments as CSV lines, safe to open in a spreadsheet (pure).

A cell a spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a
carriage return: OWASP's CSV injection list) is prefixed with `'`, so it shows as text.
Only text from outside is escaped: numbers are written as numbers.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Final

from schemas.messages import format_utc

FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
HEADER: Final = (
    "id",
    "created_at",
    "lot_id",
    "session_id",
    "user_id",
    "provider",
    "provider_ref",
    "state",
    "amount_minor",
    "currency",
    "succeeded_at",
    "refunded_at",
    "updated_at",
)


def cell(value: object) -> str | int:
    """One CSV cell: an instant in UTC (`...Z`), an integer, or text defused if needed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_utc(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def lines(rows: Iterable[Sequence[object]]) -> Iterator[str]:
    """The header line, then one line per row (CRLF ends, as RFC 4180 says)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _with_header(rows):
        writer.writerow([cell(value) for value in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _with_header(rows: Iterable[Sequence[object]]) -> Iterator[Sequence[object]]:
    yield HEADER
    yield from rows
