"""Raspberry Pi camera nodes and their cloud-side liveness."""

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from schemas.db.base import Base, Code, CreatedAt, UpdatedAt, enum_column
from schemas.enums import NodeState


class Node(Base):
    """A registered camera node; its id is also its MQTT username."""

    __tablename__ = "nodes"
    __table_args__ = (
        CheckConstraint("bdseq IS NULL OR bdseq >= 0", name="bdseq_nonnegative"),
        CheckConstraint("buffered >= 0", name="buffered_nonnegative"),
        Index("ix_nodes_lot_id", "lot_id"),
    )

    id: Mapped[Code] = mapped_column(primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("parking_lots.id"))
    enabled: Mapped[bool] = mapped_column(default=True, server_default="true")
    state: Mapped[NodeState] = mapped_column(
        enum_column(NodeState, "state"),
        default=NodeState.OFFLINE,
        server_default=NodeState.OFFLINE.value,
    )
    # Sparkplug-style session number of the newest birth; older last wills are ignored.
    bdseq: Mapped[int | None]
    # Highest event seq applied, for gap detection.
    last_seq: Mapped[int | None]
    # Newest seq a heartbeat reported, and when it first did: a tail that never arrives.
    reported_seq: Mapped[int | None]
    reported_seq_at: Mapped[datetime | None]
    last_seen: Mapped[datetime | None]
    last_heartbeat_at: Mapped[datetime | None]
    software: Mapped[str | None] = mapped_column(String(128))
    detector: Mapped[str | None] = mapped_column(String(128))
    buffered: Mapped[int] = mapped_column(default=0, server_default="0")
    camera_ok: Mapped[bool | None]
    slot_map: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    slot_map_version: Mapped[int | None]
    # The oldest seq the node last said it holds: the receipt may pass anything below.
    oldest_seq: Mapped[int | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class NodeReceipt(Base):
    """A node's durable receipt, published retained on `.../receipt`: every event of the node
    up to `seq` is committed (stored or refused) or was given up by the node.

    A table of its own, not a `nodes` column: advancing it must not wait for the batches
    that hold their nodes' rows locked.
    """

    __tablename__ = "node_receipts"

    node_id: Mapped[Code] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int]


class RefusedSeq(Base):
    """The seq of a node's refused (dead-lettered) event beyond its receipt.

    Stored events are found in `slot_events`; a refused one was handled all the same, so the
    receipt passes it. Rows the receipt covers are deleted.
    """

    __tablename__ = "refused_seqs"

    node_id: Mapped[Code] = mapped_column(
        ForeignKey("nodes.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(primary_key=True)
