"""One keyset pagination: cursor wire forms and the page's next cursor."""

from typing import Any

from sqlalchemy import Column, Integer, MetaData, Table, select
from sqlalchemy.dialects import postgresql

from api_service.services import pagination

DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]
ROWS = Table("rows", MetaData(), Column("id", Integer, primary_key=True))


def _sql(query: Any) -> str:
    return str(query.compile(dialect=DIALECT, compile_kwargs={"literal_binds": True}))


def test_id_cursor() -> None:
    assert pagination.decode_id(None) is None
    assert pagination.decode_id("42") == 42
    assert pagination.next_cursor([{"id": 7}, {"id": 5}], 2, lambda r: r["id"]) == "5"
    assert pagination.next_cursor([{"id": 7}], 2, lambda r: r["id"]) is None  # the last page


def test_event_cursor_round_trips_and_starts_before_every_row() -> None:
    assert pagination.decode_pair(None) == pagination.NO_PAIR
    assert pagination.decode_pair(pagination.encode_pair((812, 33))) == (812, 33)
    assert pagination.encode_pair(pagination.NO_PAIR) == "0.0"


def test_keyset_orders_and_bounds() -> None:
    newest = _sql(pagination.keyset(select(ROWS), ROWS.c.id, 10, 5, descending=True))
    assert "WHERE rows.id < 10 ORDER BY rows.id DESC" in newest
    assert newest.endswith("LIMIT 5")
    first = _sql(pagination.keyset(select(ROWS), ROWS.c.id, None, 3))
    assert "WHERE" not in first
    assert "ORDER BY rows.id" in first
    assert "rows.id > 4" in _sql(pagination.keyset(select(ROWS), ROWS.c.id, 4, 3))
