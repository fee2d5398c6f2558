"""`/admin/nodes` (register, liveness, slot map, resync, disable) and `/admin/broker`."""

from typing import Final

from flask import Blueprint

from api_service.access import ADMIN, STAFF, current_tenant
from api_service.broker_admin import BrokerError
from api_service.clock import utcnow
from api_service.db import db_session
from api_service.endpoint import RouteSpec, endpoint
from api_service.errors import ApiError
from api_service.models.admin_nodes import (
    Accepted,
    BrokerView,
    ConfigPushed,
    NodeCreate,
    NodeCredentials,
    NodeFilter,
    NodePage,
    NodePath,
    NodeView,
)
from api_service.resources.admin_common import PREFIX, actor, broker
from api_service.services import admin_nodes
from api_service.services.admin_lots import lot_for
from api_service.sysinfo import WANTED, broker_view
from schemas.messages import NodeConfig
from schemas.topics import NODE_SENDS, NodeTopicKind, node_topic

bp = Blueprint("admin_nodes", __name__, url_prefix=PREFIX)
SYS_WAIT_S: Final = 2.0


def _spec(summary: str, **kwargs: object) -> RouteSpec:
    return RouteSpec(summary, STAFF, "admin: nodes", rate="user", **kwargs)  # type: ignore[arg-type]


@bp.get("/nodes")
@endpoint(_spec("Nodes with liveness", query=NodeFilter, response=NodePage))
def list_nodes(query: NodeFilter) -> NodePage:
    now = utcnow()
    rows = admin_nodes.list_nodes(db_session(), current_tenant(), query.lot_id)
    items = [
        NodeView(
            node_id=node.id,
            lot_id=lot,
            enabled=node.enabled,
            state=node.state,
            last_seen=node.last_seen,
            seen_ago_s=admin_nodes.liveness_age(node, now),
            software=node.software,
            detector=node.detector,
            buffered=node.buffered,
            camera_ok=node.camera_ok,
            slot_map_version=node.slot_map_version,
        )
        for node, lot in rows
    ]
    return NodePage(items=items)


@bp.post("/nodes")
@endpoint(
    _spec(
        "Register a node: its MQTT credentials, shown once",
        body=NodeCreate,
        response=NodeCredentials,
        status=201,
        errors=(403, 404, 409, 413, 415, 503),
    )
)
def register(body: NodeCreate) -> NodeCredentials:
    session = db_session()
    lot = lot_for(session, current_tenant(), body.lot_id)
    password = admin_nodes.register_node(session, broker(), actor(), body.node_id, lot)
    return NodeCredentials(
        node_id=body.node_id,
        lot_id=body.lot_id,
        username=body.node_id,
        password=password,
        topics=[node_topic(body.node_id, kind) for kind in NODE_SENDS],
    )


@bp.put("/nodes/<node_id>/config")
@endpoint(
    _spec(
        "Push a slot map: validated, stored, published retained",
        path=NodePath,
        body=NodeConfig,
        response=ConfigPushed,
        errors=(403, 404, 413, 415, 503),
        max_body=4 * 1024 * 1024,
    )
)
def push_config(path: NodePath, body: NodeConfig) -> ConfigPushed:
    session = db_session()
    node, lot = admin_nodes.node_for(session, current_tenant(), path.node_id)
    stored = admin_nodes.push_config(session, broker(), actor(), node, lot, config=body)
    return ConfigPushed(
        node_id=node.id,
        version=stored.version or 0,
        slots=len(stored.slots),
        topic=node_topic(node.id, NodeTopicKind.CONFIG),
    )


@bp.post("/nodes/<node_id>/resync")
@endpoint(
    _spec(
        "Ask the node to republish every slot's state",
        path=NodePath,
        response=Accepted,
        status=202,
        errors=(403, 404, 503),
    )
)
def resync(path: NodePath) -> Accepted:
    session = db_session()
    node, lot = admin_nodes.node_for(session, current_tenant(), path.node_id)
    admin_nodes.send_resync(session, broker(), actor(), node, lot)
    return Accepted(node_id=node.id, status="resync sent")


def _set_enabled(node_id: str, *, enabled: bool) -> Accepted:
    session = db_session()
    node, lot = admin_nodes.node_for(session, current_tenant(), node_id)
    admin_nodes.set_enabled(session, broker(), actor(), node, lot, enabled=enabled, now=utcnow())
    return Accepted(node_id=node_id, status="enabled" if enabled else "disabled")


@bp.post("/nodes/<node_id>/disable")
@endpoint(
    _spec(
        "Disable a node: its broker credentials stop working at once",
        path=NodePath,
        response=Accepted,
        errors=(403, 404, 503),
    )
)
def disable(path: NodePath) -> Accepted:
    return _set_enabled(path.node_id, enabled=False)


@bp.post("/nodes/<node_id>/enable")
@endpoint(
    _spec("Enable a disabled node again", path=NodePath, response=Accepted, errors=(403, 404, 503))
)
def enable(path: NodePath) -> Accepted:
    return _set_enabled(path.node_id, enabled=True)


@bp.get("/broker")
@endpoint(
    RouteSpec(
        "Broker figures from $SYS (admins)",
        ADMIN,
        "admin: broker",
        rate="user",
        response=BrokerView,
        errors=(503,),
    )
)
def broker_figures() -> BrokerView:
    try:
        found = broker().sys_topics(WANTED, SYS_WAIT_S)
    except BrokerError as exc:
        raise ApiError(503, "broker-unavailable", "Service Unavailable", str(exc)) from exc
    return broker_view(found)
