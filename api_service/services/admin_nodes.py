"""Camera nodes: registration with broker credentials, liveness, slot maps, commands.

The database is the source of truth and the broker follows it: each change is flushed (so
constraints speak first), then made on the broker, then committed. A broker failure rolls
the database back; a registration whose commit fails removes the broker client again.
Used by `POST /admin/nodes` and by `parkctl nodes add` alike.
"""

import contextlib
import secrets
from datetime import datetime
from typing import Any, Final, Protocol

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from api_service.access import Tenant
from api_service.audit import Actor, record
from api_service.broker_admin import BrokerError, Command, Outbound, registration_commands
from api_service.db import driver_connection
from api_service.services.errors import (
    ConflictError,
    FieldError,
    InvalidError,
    NotFoundError,
    UnavailableError,
)
from schemas.broker_roles import node_id_problem, node_role_name
from schemas.db import Node, ParkingLot, Slot
from schemas.db.slot_status import store_effective_status
from schemas.messages import NodeConfig, ResyncCommand, to_payload
from schemas.topics import NodeTopicKind, node_topic

PASSWORD_BYTES: Final = 24
_NOT_FOUND: Final = frozenset({"Role not found", "Client not found"})


class Broker(Protocol):
    def control(
        self, commands: list[Command], tolerated: frozenset[str] = ...
    ) -> list[Command]: ...

    def publish(self, messages: list[Outbound]) -> None: ...


def broker_failure(exc: BrokerError) -> UnavailableError:
    return UnavailableError("broker-unavailable", str(exc))


def list_nodes(session: Session, tenant: Tenant, lot_code: str | None) -> list[Any]:
    """(node, lot code) of the caller's nodes, by id."""
    query = select(Node, ParkingLot.code).join(ParkingLot, ParkingLot.id == Node.lot_id)
    if tenant.scope is not None:
        query = query.where(ParkingLot.operator_id == tenant.scope)
    if lot_code is not None:
        query = query.where(ParkingLot.code == lot_code)
    return list(session.execute(query.order_by(Node.id)))


def node_for(session: Session, tenant: Tenant, node_id: str) -> tuple[Node, ParkingLot]:
    """The node (locked) and its lot, if the caller may manage it: 404 / 403."""
    query = select(Node, ParkingLot).join(ParkingLot, ParkingLot.id == Node.lot_id)
    found = session.execute(query.where(Node.id == node_id).with_for_update(of=Node)).first()
    if found is None:
        raise NotFoundError(f"node {node_id}")
    node, lot = found
    tenant.require(lot.operator_id, f"node {node_id}")
    return node, lot


def register_node(
    session: Session, broker: Broker, actor: Actor, node_id: str, lot: ParkingLot
) -> str:
    """Create the node and its broker client and role; the password (shown once). Commits."""
    if (problem := node_id_problem(node_id)) is not None:
        raise InvalidError([FieldError("node_id", problem)])
    # ON CONFLICT DO NOTHING: a taken id is an expected answer, not an ERROR in PostgreSQL's log.
    created = session.scalar(
        insert(Node)
        .values(id=node_id, lot_id=lot.id)
        .on_conflict_do_nothing(index_elements=[Node.id])
        .returning(Node.id)
    )
    if created is None:
        raise ConflictError("node-exists", f"node {node_id} is already registered")
    password = secrets.token_urlsafe(PASSWORD_BYTES)
    record(
        session,
        actor,
        "node.register",
        ("node", node_id),
        operator_id=lot.operator_id,
        before=None,
        after={"lot_id": lot.code, "enabled": True, "role": node_role_name(node_id)},
    )
    try:
        broker.control(registration_commands(node_id, password), tolerated=_NOT_FOUND)
    except BrokerError as exc:
        session.rollback()
        if "already exists" in str(exc):
            raise ConflictError(
                "broker-client-exists", f"the broker already has {node_id!r}"
            ) from exc
        raise broker_failure(exc) from exc
    try:
        session.commit()
    except Exception:
        session.rollback()
        _forget(broker, node_id)
        raise
    return password


def _forget(broker: Broker, node_id: str) -> None:
    commands = [
        {"command": "deleteClient", "username": node_id},
        {"command": "deleteRole", "rolename": node_role_name(node_id)},
    ]
    # Best effort; a later registration replaces the role and reports the client.
    with contextlib.suppress(BrokerError):
        broker.control(commands, tolerated=_NOT_FOUND)


def set_enabled(
    session: Session,
    broker: Broker,
    actor: Actor,
    node: Node,
    lot: ParkingLot,
    *,
    enabled: bool,
    now: datetime,
) -> None:
    """Enable or disable the node (locked by `node_for`); disabling kicks it and its password
    stops working, and its slots read unknown until it is enabled again. Commits."""
    before = {"enabled": node.enabled}
    node.enabled = enabled
    session.flush()
    _restore_slot_statuses(session, node.id, now)
    record(
        session,
        actor,
        "node.enable" if enabled else "node.disable",
        ("node", node.id),
        operator_id=lot.operator_id,
        before=before,
        after={"enabled": enabled},
    )
    session.flush()
    command = "enableClient" if enabled else "disableClient"
    try:
        broker.control([{"command": command, "username": node.id}])
    except BrokerError as exc:
        session.rollback()
        raise broker_failure(exc) from exc
    session.commit()


def _restore_slot_statuses(session: Session, node_id: str, now: datetime) -> None:
    """Store the effective status of the slots the node detects, now that its liveness changed
    (`schemas.db.slot_status`, as ingest stores it: locked in id order after the node, a raised
    `state_version` making ingest's read-side outbox republish them and the lot's availability).
    """
    ids = session.scalars(
        select(Slot.id).where(Slot.detected_node_id == node_id, Slot.retired_at.is_(None))
    ).all()
    store_effective_status(driver_connection(session), ids, now)
    session.expire_all()  # the ORM's copies of those slots are stale now


def config_problems(
    session: Session, lot: ParkingLot, node: Node, config: NodeConfig
) -> list[FieldError]:
    """Why `config` is not a slot map for this node: ids, and slots not in service in its lot."""
    problems = []
    if config.node_id != node.id:
        problems.append(FieldError("node_id", f"is {config.node_id!r}, the node is {node.id!r}"))
    if config.lot_id != lot.code:
        problems.append(
            FieldError("lot_id", f"is {config.lot_id!r}, the node's lot is {lot.code!r}")
        )
    wanted = {slot.slot_id for slot in config.slots}
    query = select(Slot.code).where(
        Slot.lot_id == lot.id, Slot.code.in_(wanted), Slot.retired_at.is_(None)
    )
    known = set(session.scalars(query))
    for index, slot in enumerate(config.slots):
        if slot.slot_id not in known:
            problems.append(
                FieldError(
                    f"slots.{index}.slot_id",
                    f"no slot {slot.slot_id!r} in service in lot {lot.code}",
                )
            )
    return problems


def push_config(
    session: Session,
    broker: Broker,
    actor: Actor,
    node: Node,
    lot: ParkingLot,
    *,
    config: NodeConfig,
) -> NodeConfig:
    """Store the slot map with the next version and publish it retained. Commits."""
    problems = config_problems(session, lot, node, config)
    if problems:
        named = "; ".join(f"{p.field}: {p.message}" for p in problems)
        raise InvalidError(problems, "invalid-slot-map", named)
    before = {"version": node.slot_map_version}
    version = (node.slot_map_version or 0) + 1
    stored = config.model_copy(update={"version": version})
    node.slot_map = stored.model_dump(mode="json", by_alias=True)
    node.slot_map_version = version
    after = {"version": version, "slots": sorted(s.slot_id for s in config.slots)}
    record(
        session,
        actor,
        "node.config",
        ("node", node.id),
        operator_id=lot.operator_id,
        before=before,
        after=after,
    )
    session.flush()
    topic = node_topic(node.id, NodeTopicKind.CONFIG)
    try:
        broker.publish([Outbound(topic, to_payload(stored), retain=True)])
    except BrokerError as exc:
        session.rollback()
        raise broker_failure(exc) from exc
    session.commit()
    return stored


def send_resync(
    session: Session, broker: Broker, actor: Actor, node: Node, lot: ParkingLot
) -> None:
    """Ask the node to republish every slot's state (`{"cmd":"resync"}`). Commits the audit."""
    payload = ResyncCommand(cmd="resync").model_dump_json(exclude_none=True).encode()
    try:
        broker.publish([Outbound(node_topic(node.id, NodeTopicKind.CMD), payload)])
    except BrokerError as exc:
        session.rollback()
        raise broker_failure(exc) from exc
    record(
        session,
        actor,
        "node.resync",
        ("node", node.id),
        operator_id=lot.operator_id,
        before=None,
        after=None,
    )
    session.commit()


def liveness_age(node: Node, now: datetime) -> float | None:
    """Seconds since the node was last heard from."""
    return None if node.last_seen is None else max(0.0, (now - node.last_seen).total_seconds())
