"""Keyset pagination, one way for every listing that pages.

A page is the rows past the cursor in key order, at most `limit` of them. The client gets
the cursor as an opaque string (`next_cursor`) and hands it back unchanged; its wire forms
are the key itself: a row id (`"42"`), a slot code (`"A12"`), or, for slot events, the pair
(transaction id, row id) as `"tx.id"`. A page shorter than `limit` is the last one.
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm import InstrumentedAttribute

Row = TypeVar("Row")
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])

NO_PAIR: tuple[int, int] = (-1, -1)  # no event cursor: the first page


def keyset(
    query: Query,
    key: ColumnElement[Any] | InstrumentedAttribute[Any],
    after: object | None,
    limit: int,
    *,
    descending: bool = False,
) -> Query:
    """`query` limited to one page: rows past `after` in `key` order (below it when
    `descending`, newest id first), ordered by `key`, at most `limit`; None: from the start."""
    if after is not None:
        query = query.where(key < after if descending else key > after)
    return query.order_by(key.desc() if descending else key).limit(limit)


def next_cursor(rows: Sequence[Row], limit: int, key: Callable[[Row], object]) -> str | None:
    """The cursor for the page after `rows`: the last row's key when the page is full."""
    return str(key(rows[-1])) if len(rows) == limit else None


def decode_id(cursor: str | None) -> int | None:
    """A row-id cursor as the id to continue past; None for the first page."""
    return int(cursor) if cursor else None


def decode_pair(cursor: str | None) -> tuple[int, int]:
    """A `"tx.id"` cursor as (tx_id, id); `NO_PAIR` for the first page."""
    if cursor is None:
        return NO_PAIR
    tx_id, _, row_id = cursor.partition(".")
    return int(tx_id), int(row_id)


def encode_pair(key: tuple[int, int]) -> str:
    """(tx_id, id) as its `"tx.id"` cursor; `NO_PAIR` reads as `"0.0"`, before every row."""
    return f"{max(key[0], 0)}.{max(key[1], 0)}"
