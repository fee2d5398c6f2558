"""Durable receipts: tell each node the highest seq up to which everything is committed.

A broker's PUBACK only means the broker took a message (and a restarted Mosquitto 2.0 may
route it nowhere before the workers resubscribe), so a node keeps each event until a receipt
covers it. `advance` moves a node's receipt (`node_receipts`) over the contiguous run of
handled seqs above it: events stored in `slot_events` (found through its (node_id, seq)
index, so the hot path writes nothing extra) and refused ones the writer noted in
`refused_seqs`. It starts no lower than the node's own `oldest_seq` - 1: what the node no
longer holds it will never send (receipted, or dropped from a full outbox). Receipts only
rise (`greatest`), so workers advancing the same node at once cannot move one back; the
receipt has a table of its own, so advancing never waits for batches holding node rows.
"""

from collections.abc import Iterable
from datetime import datetime

from ingest_service.db import Connection
from ingest_service.transport import Outbound
from schemas.messages import NodeReceipt, to_payload
from schemas.topics import NodeTopicKind, node_topic

# The run above the base: the handled seqs for which seq - row_number() still equals the
# base, i.e. base+1, base+2, ... without a gap. Upserted in node order (the lock order).
_ADVANCE = """
    WITH base AS (
        SELECT n.id, greatest(coalesce(r.seq, 0), coalesce(n.oldest_seq, 1) - 1) AS seq
        FROM nodes n LEFT JOIN node_receipts r ON r.node_id = n.id
        WHERE n.id = ANY(%s)
    ), handled AS (
        SELECT e.node_id, e.seq FROM slot_events e JOIN base b ON b.id = e.node_id
        WHERE e.origin = 'event' AND e.seq > b.seq
        UNION
        SELECT f.node_id, f.seq FROM refused_seqs f JOIN base b ON b.id = f.node_id
        WHERE f.seq > b.seq
    ), run AS (
        SELECT node_id, max(seq) AS top FROM (
            SELECT h.node_id, h.seq, b.seq AS base,
                h.seq - row_number() OVER (PARTITION BY h.node_id ORDER BY h.seq) AS offset_
            FROM handled h JOIN base b ON b.id = h.node_id
        ) numbered WHERE offset_ = base GROUP BY node_id
    )
    INSERT INTO node_receipts (node_id, seq)
    SELECT b.id, greatest(b.seq, r.top) FROM base b LEFT JOIN run r ON r.node_id = b.id
    ORDER BY b.id
    ON CONFLICT (node_id) DO UPDATE SET seq = greatest(node_receipts.seq, EXCLUDED.seq)
    RETURNING node_id, seq
"""
_FORGET_COVERED = """
    DELETE FROM refused_seqs f USING node_receipts r
    WHERE r.node_id = ANY(%s) AND f.node_id = r.node_id AND f.seq <= r.seq
"""


def advance(conn: Connection, node_ids: Iterable[str]) -> dict[str, int]:
    """Advance the receipts of these nodes (registered ones); node id -> receipt seq."""
    ids = sorted(set(node_ids))
    if not ids:
        return {}
    receipts = {node_id: int(seq) for node_id, seq in conn.execute(_ADVANCE, (ids,))}
    conn.execute(_FORGET_COVERED, (ids,))
    return receipts


def receipt_messages(receipts: dict[str, int], now: datetime) -> list[Outbound]:
    """The retained receipt of each node (QoS 1)."""
    return [
        Outbound(
            node_topic(node_id, NodeTopicKind.RECEIPT),
            to_payload(NodeReceipt(node_id=node_id, seq=seq, ts=now)),
            retain=True,
        )
        for node_id, seq in sorted(receipts.items())
    ]
