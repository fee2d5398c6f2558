"""Camera nodes and the broker, for staff."""

from pydantic import Field

from api_service.models.common import Body, Out, Query
from schemas.enums import NodeState
from schemas.ids import Identifier
from schemas.messages import UtcDatetime


class NodePath(Query):
    node_id: Identifier = Field(description="Node id (also its MQTT username).")


class NodeFilter(Query):
    lot_id: Identifier | None = Field(default=None, description="Only this lot's nodes.")


class NodeCreate(Body):
    node_id: Identifier = Field(description="Node id; becomes its MQTT username.")
    lot_id: Identifier = Field(description="The lot it watches.")


class NodeCredentials(Out):
    """The node's broker account. The password is shown here once and stored nowhere."""

    node_id: Identifier
    lot_id: Identifier
    username: str
    password: str
    topics: list[str] = Field(description="What the node may publish to.")


class NodeView(Out):
    node_id: Identifier
    lot_id: Identifier
    enabled: bool
    state: NodeState = Field(description="online, offline or stale (no heartbeat).")
    last_seen: UtcDatetime | None
    seen_ago_s: float | None
    software: str | None
    detector: str | None
    buffered: int = Field(ge=0, description="Events the node holds back (offline buffer).")
    camera_ok: bool | None
    slot_map_version: int | None


class NodePage(Out):
    items: list[NodeView]


class ConfigPushed(Out):
    node_id: Identifier
    version: int
    topic: str
    slots: int


class Accepted(Out):
    node_id: Identifier
    status: str


class BrokerView(Out):
    """Broker figures from `$SYS` (Mosquitto refreshes them every `sys_interval`)."""

    version: str | None
    uptime_s: int | None
    clients_connected: int | None
    messages_in_per_s: float | None = Field(description="1-minute average.")
    messages_out_per_s: float | None = Field(description="1-minute average.")
    retained: int | None
    stored: int | None
