"""Placing a batch's observations: lot, node and slot codes to ids, or why they can't be.

The writer reads the batch's part of the layout and node registry (`load_layout`) in the
batch's own transaction, so placement is never stale; the decision itself is pure.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID

from ingest_service.db import Connection
from ingest_service.decode import Birth, Event, Reason, Rejected
from ingest_service.rules import birth_event_id
from schemas.enums import DetectedStatus


class Sighting(NamedTuple):
    """One slot observation to store: an event, or one slot of a birth's snapshot.

    Tuples, like `Placed`: a batch makes thousands, and frozen dataclasses build slowly.
    """

    position: int  # of its message in the batch
    event_id: UUID
    node_id: str
    lot_code: str
    slot_code: str
    status: DetectedStatus
    confidence: float | None
    observed_at: datetime
    seq: int
    detector: str | None
    origin: str  # "event" | "birth"


class Placed(NamedTuple):
    """An observation with its lot and slot ids."""

    row: Sighting
    lot_id: int
    slot_id: int


class NodeEntry(NamedTuple):
    """What placement needs of a registered node."""

    lot_id: int
    enabled: bool
    registered_at: datetime
    mapped: frozenset[str]  # slot codes of its current slot map (none without a map)


@dataclass(frozen=True, slots=True)
class Layout:
    """What placement needs: lots and live slots by code, nodes with their lot and slot map."""

    lots: dict[str, int]
    slots: dict[tuple[int, str], int]
    nodes: dict[str, NodeEntry]


def sightings(events: Sequence[Event], births: Sequence[Birth]) -> Iterator[Sighting]:
    """Every event, then every slot of every accepted birth (with its stable event id)."""
    for item in events:
        e = item.event
        yield Sighting(
            item.index, e.event_id, e.node_id, e.lot_id, e.slot_id, e.status, e.confidence,
            e.observed_at, e.seq, e.detector, "event",
        )  # fmt: skip
    for born in births:
        b = born.birth
        for slot_code, status in b.slots.items():
            event_id = birth_event_id(born.node_id, b.bdseq, slot_code)
            yield Sighting(
                born.index, event_id, born.node_id, b.lot_id, slot_code, status, None, b.ts,
                b.seq, b.detector, "birth",
            )  # fmt: skip


_LOTS_AND_SLOTS = """
    SELECT l.code, l.id, s.code, s.id FROM parking_lots l
    LEFT JOIN slots s ON s.lot_id = l.id AND s.retired_at IS NULL AND s.code = ANY(%s)
    WHERE l.code = ANY(%s)
"""
# The slot codes of the node's current slot map (NodeConfig.slots[].slot_id), not the map.
_NODES = """
    SELECT id, lot_id, enabled, created_at,
        ARRAY(SELECT s ->> 'slot_id' FROM jsonb_array_elements(slot_map -> 'slots') s)
    FROM nodes WHERE id = ANY(%s)
"""


def load_layout(conn: Connection, rows: Iterable[Sighting]) -> Layout:
    """The lots, slots and nodes the observations name (two queries)."""
    rows = list(rows)
    lot_codes = sorted({r.lot_code for r in rows})
    slot_codes = sorted({r.slot_code for r in rows})
    lots: dict[str, int] = {}
    slots: dict[tuple[int, str], int] = {}
    for lot_code, lot_id, slot_code, slot_id in conn.execute(
        _LOTS_AND_SLOTS, (slot_codes, lot_codes)
    ):
        lots[lot_code] = lot_id
        if slot_id is not None:
            slots[(lot_id, slot_code)] = slot_id
    node_ids = sorted({r.node_id for r in rows})
    nodes = {
        n: NodeEntry(lot, enabled, registered_at, frozenset(mapped or ()))
        for n, lot, enabled, registered_at, mapped in conn.execute(_NODES, (node_ids,))
    }
    return Layout(lots, slots, nodes)


def place(row: Sighting, layout: Layout, clock_skew: timedelta) -> Placed | Reason:
    """The ids of an observation's lot and slot, or why it has none.

    The node must be registered, enabled, and registered for that lot; the slot must exist
    and be in the node's current slot map (a node speaks only for the slots it watches);
    an event must not predate the node's registration (by more than the clock skew).
    """
    lot_id = layout.lots.get(row.lot_code)
    if lot_id is None:
        return Reason.UNKNOWN_LOT
    node = layout.nodes.get(row.node_id)
    if node is None or not node.enabled or node.lot_id != lot_id:
        return Reason.UNKNOWN_NODE
    slot_id = layout.slots.get((lot_id, row.slot_code))
    if slot_id is None:
        return Reason.UNKNOWN_SLOT
    if row.slot_code not in node.mapped:
        return Reason.SLOT_NOT_MAPPED
    if row.origin == "event" and row.observed_at < node.registered_at - clock_skew:
        return Reason.STALE_TIMESTAMP
    return Placed(row, lot_id, slot_id)


def resolve(
    rows: Iterable[Sighting], layout: Layout, clock_skew: timedelta = timedelta(0)
) -> tuple[list[Placed], list[Rejected]]:
    """Placed observations, and one rejection per message with any unplaceable one.

    A birth lists every slot it could not place; its other slots are still stored. A
    refused event keeps its seq: it was handled, and the node's receipt may cover it.
    """
    placed: list[Placed] = []
    failed: dict[int, tuple[Reason, list[str], Sighting]] = {}
    for row in rows:
        result = place(row, layout, clock_skew)
        if isinstance(result, Placed):
            placed.append(result)
        else:
            entry = failed.setdefault(row.position, (result, [], row))
            entry[1].append(f"{row.lot_code}/{row.slot_code}")
    rejected = [
        Rejected(
            index,
            reason,
            _detail(reason, places),
            row.node_id,
            row.seq if row.origin == "event" else None,
        )
        for index, (reason, places, row) in failed.items()
    ]
    return placed, rejected


def _detail(reason: Reason, places: list[str]) -> str:
    what = {
        Reason.UNKNOWN_LOT: "no such lot",
        Reason.UNKNOWN_NODE: "node not registered for this lot",
        Reason.UNKNOWN_SLOT: "no such slot in the lot",
        Reason.SLOT_NOT_MAPPED: "not in the node's slot map (PUT /api/v1/admin/nodes/{id}/config)",
        Reason.STALE_TIMESTAMP: "observed before the node was registered",
    }[reason]
    shown = ", ".join(places[:10]) + (f" and {len(places) - 10} more" if len(places) > 10 else "")
    return f"{what}: {shown}"
