"""Node liveness in SQL: lock the batch's nodes in id order, fold their messages, write back."""

from collections.abc import Iterable
from dataclasses import astuple, dataclass, field
from datetime import datetime
from itertools import groupby

from ingest_service.db import Connection
from ingest_service.decode import Beat, Birth, Death, Reason, Rejected
from ingest_service.rules import NodeOutcome, NodeRow, apply_birth, apply_death, apply_heartbeat
from schemas.enums import NodeState

NodeMessage = Birth | Death | Beat

# ORDER BY id: every transaction locks nodes in the same order, so two workers cannot
# deadlock; NO KEY UPDATE does not conflict with the KEY SHARE locks of foreign keys.
# A NodeRow's columns, in its field order.
NODE_ROW = """
    SELECT n.id, l.code, n.enabled, n.state, n.bdseq, n.last_seq, n.last_seen,
        n.last_heartbeat_at, n.software, n.detector, n.buffered, n.camera_ok,
        n.reported_seq, n.reported_seq_at, n.oldest_seq
    FROM nodes n JOIN parking_lots l ON l.id = n.lot_id
"""
LOCK_NODES = NODE_ROW + "WHERE n.id = ANY(%s) ORDER BY n.id FOR NO KEY UPDATE OF n"
# The nodes whose events a batch applies: SHARE keeps their liveness as read until commit.
_SHARE_NODES = "SELECT n.id FROM nodes n WHERE n.id = ANY(%s) ORDER BY n.id FOR SHARE OF n"

_UPDATE_NODE = """
    UPDATE nodes SET state = %s, bdseq = %s, last_seq = %s, last_seen = %s,
        last_heartbeat_at = %s, software = %s, detector = %s, buffered = %s, camera_ok = %s,
        reported_seq = %s, reported_seq_at = %s, oldest_seq = %s, updated_at = now()
    WHERE id = %s
"""


def fix_row(row: NodeRow) -> NodeRow:
    """The row with its state as a NodeState (psycopg returns a plain string)."""
    return NodeRow(
        row.id, row.lot_code, row.enabled, NodeState(row.state), row.bdseq, row.last_seq,
        row.last_seen, row.last_heartbeat_at, row.software, row.detector, row.buffered,
        row.camera_ok, row.reported_seq, row.reported_seq_at, row.oldest_seq,
    )  # fmt: skip


@dataclass
class NodesResult:
    """What the node messages of a batch did."""

    rejected: list[Rejected] = field(default_factory=list)
    accepted_births: list[Birth] = field(default_factory=list)
    liveness_changed: list[str] = field(default_factory=list)
    resync: list[str] = field(default_factory=list)


def _rejection(message: NodeMessage, row: NodeRow | None) -> Rejected | None:
    if row is None or not row.enabled:
        why = "is not registered" if row is None else "is disabled"
        detail = f"node {message.node_id!r} {why}"
        return Rejected(message.index, Reason.UNKNOWN_NODE, detail, message.node_id)
    if isinstance(message, Birth) and message.birth.lot_id != row.lot_code:
        detail = (
            f"node {message.node_id!r} is registered for lot {row.lot_code!r}, "
            f"not {message.birth.lot_id!r}"
        )
        return Rejected(message.index, Reason.UNKNOWN_NODE, detail, message.node_id)
    return None


def _apply(row: NodeRow, message: NodeMessage, now: datetime) -> NodeOutcome:
    if isinstance(message, Birth):
        return apply_birth(row, message.birth, now)
    if isinstance(message, Death):
        return apply_death(row, message.death)
    return apply_heartbeat(row, message.heartbeat, now)


def lock_nodes(conn: Connection, changed: set[str], watched: set[str]) -> dict[str, NodeRow]:
    """Lock the batch's nodes in one id order; the rows of those it will change.

    `changed` (their messages are applied) get NO KEY UPDATE, the rest of `watched` (their
    events are applied) SHARE: while a batch holds it, no other transaction can change the
    node's liveness, which the batch's slot statuses depend on. A liveness change waits for
    the batch and then sees (and refreshes) the slots it wrote, or the batch waits and reads
    the new liveness. Runs of one mode are one statement each; the single id order across
    them is what keeps concurrent workers free of deadlocks.
    """
    rows: dict[str, NodeRow] = {}
    for exclusive, run in groupby(sorted(changed | watched), key=changed.__contains__):
        ids = list(run)
        if exclusive:
            rows |= {r[0]: fix_row(NodeRow(*r)) for r in conn.execute(LOCK_NODES, (ids,))}
        else:
            conn.execute(_SHARE_NODES, (ids,))
    return rows


def apply_node_messages(
    conn: Connection, messages: Iterable[NodeMessage], now: datetime, watched: Iterable[str] = ()
) -> NodesResult:
    """Lock the nodes (`lock_nodes`), apply births, wills and heartbeats in arrival order,
    write the rows."""
    messages = list(messages)
    result = NodesResult()
    rows = lock_nodes(conn, {m.node_id for m in messages}, set(watched))
    if not messages:
        return result
    before = dict(rows)
    for message in messages:
        rejection = _rejection(message, rows.get(message.node_id))
        if rejection is not None:
            result.rejected.append(rejection)
            continue
        outcome = _apply(rows[message.node_id], message, now)
        rows[message.node_id] = outcome.row
        if outcome.resync:
            result.resync.append(message.node_id)
        if isinstance(message, Birth):
            result.accepted_births.append(message)
    changed = [row for node_id, row in rows.items() if row != before[node_id]]
    with conn.cursor() as cur:
        cur.executemany(_UPDATE_NODE, [_update_params(row) for row in changed])
    result.liveness_changed = [r.id for r in changed if r.state != before[r.id].state]
    result.resync = sorted(set(result.resync))
    return result


def _update_params(row: NodeRow) -> tuple[object, ...]:
    values = astuple(row)
    # (state, bdseq, last_seq, ..., reported_seq_at, oldest_seq) then the id for WHERE.
    return (row.state.value, *values[4:], row.id)
