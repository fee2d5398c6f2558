"""Durable receipts: tell each node the highest seq up to which everything is committed.

A broker's PUBACK only means the broker took a message (and a restarted Mosquitto 2.0 may
route it nowhere before the workers resubscribe), so a node keeps each event until a receipt
covers it. The batch writer records every handled seq in `committed_seqs`; `advance` moves a
node's `receipt_seq` over the contiguous run above it, starting no lower than the node's own
`oldest_seq` - 1 (what the node no longer holds it will never send: receipted, or dropped
from a full outbox), and deletes the seqs it now covers. The receipt is published retained.
"""

from collections.abc import Iterable
from datetime import datetime

from ingest_service.db import Connection
from ingest_service.transport import Outbound
from schemas.messages import NodeReceipt, to_payload
from schemas.topics import NodeTopicKind, node_topic

# Nodes locked in id order (as every writer does). The run above the base is the committed
# seqs for which seq - row_number() still equals the base: base+1, base+2, ... without a gap.
_ADVANCE = """
    WITH locked AS (
        SELECT id, greatest(coalesce(receipt_seq, 0), coalesce(oldest_seq, 1) - 1) AS base
        FROM nodes WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE
    ), run AS (
        SELECT r.node_id, max(r.seq) AS top FROM (
            SELECT c.node_id, c.seq, l.base,
                c.seq - row_number() OVER (PARTITION BY c.node_id ORDER BY c.seq) AS offset_
            FROM committed_seqs c JOIN locked l ON l.id = c.node_id
            WHERE c.seq > l.base
        ) r WHERE r.offset_ = r.base GROUP BY r.node_id
    )
    UPDATE nodes n SET receipt_seq = greatest(l.base, r.top)
    FROM locked l LEFT JOIN run r ON r.node_id = l.id
    WHERE n.id = l.id
    RETURNING n.id, n.receipt_seq
"""
_FORGET_COVERED = """
    DELETE FROM committed_seqs c USING nodes n
    WHERE n.id = ANY(%s) AND c.node_id = n.id AND c.seq <= n.receipt_seq
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
