"""Who may do what on the broker: the one definition of every Mosquitto dynamic-security role.

The local stack and Compose write these roles into the plugin's file (infra/mosquitto/dynsec),
the API creates a node's role and client over `$CONTROL` when a node is registered, and
broker/acl says the same for the password-file setup. Topics come from `schemas.topics`.

Checked against Mosquitto 2.0.11: dynamic-security ACLs match `%u` literally, so each node
gets a role naming its own topics; a shared subscription is checked with its `$share/<group>/`
prefix, so the ingest role names the shared filters; and a client entry with a `clientid`
only connects with that client id, which is what keeps a node from taking over another
client's session (an ingest worker's above all).
"""

from typing import Any, Final

from schemas.topics import (
    NODE_READS,
    NODE_SENDS,
    NodeTopicKind,
    availability_wildcard,
    lot_wildcard,
    node_topic,
    node_wildcard,
    shared_subscription,
    slot_state_wildcard,
)

Acl = dict[str, Any]

# Every service's MQTT client id starts with this and no node id may: a node account is bound
# to its own id, so it can never connect as an ingest worker, the API or another node.
SERVICE_CLIENT_PREFIX: Final = "svc-"
CONTROL: Final = "$CONTROL/dynamic-security/#"
SYS: Final = "$SYS/#"


def node_id_problem(node_id: str) -> str | None:
    """Why `node_id` cannot be a node's id (its MQTT username and client id), or None."""
    if node_id.lower().startswith(SERVICE_CLIENT_PREFIX):
        return f"node ids must not start with {SERVICE_CLIENT_PREFIX!r}: reserved for services"
    return None


def service_client_problem(client_id: str) -> str | None:
    """Why a service may not use `client_id`, or None."""
    if not client_id.startswith(SERVICE_CLIENT_PREFIX):
        return (
            f"must start with {SERVICE_CLIENT_PREFIX!r} (service client ids are reserved, "
            "so no node account can ever take one over)"
        )
    return None


def _acl(kind: str, topic: str) -> Acl:
    return {"acltype": kind, "topic": topic, "allow": True}


def _sends(*topics: str) -> list[Acl]:
    return [_acl("publishClientSend", topic) for topic in topics]


def _reads(*topics: str) -> list[Acl]:
    # A subscription's filter is matched against these patterns; delivery is allowed by default.
    return [_acl("subscribePattern", topic) for topic in topics] + [
        _acl("unsubscribePattern", topic) for topic in topics
    ]


def _receives(*topics: str) -> list[Acl]:
    # Mosquitto 2.0.11 withholds the plugin's $CONTROL replies unless a rule allows them,
    # whatever the default for receiving says.
    return [_acl("publishClientReceive", topic) for topic in topics]


def node_role_name(node_id: str) -> str:
    """The per-node role (2.0.11 matches `%u` literally, so one role per node)."""
    return f"node:{node_id}"


def node_role_acls(node_id: str) -> list[Acl]:
    """Write its own status/occupancy/heartbeat; read its own config, cmd and receipt."""
    sends = [node_topic(node_id, kind) for kind in NODE_SENDS]
    reads = [node_topic(node_id, kind) for kind in NODE_READS]
    return _sends(*sends) + _reads(*reads)


def node_role(node_id: str) -> Acl:
    """A camera node's whole role."""
    return {"rolename": node_role_name(node_id), "acls": node_role_acls(node_id)}


def service_roles() -> list[Acl]:
    """The service roles: dynsec admin, ingest, api, viewer and the simulator."""
    node_sends = [node_wildcard(kind) for kind in NODE_SENDS]
    node_reads = [node_wildcard(kind) for kind in NODE_READS]
    to_nodes = [node_wildcard(kind) for kind in (NodeTopicKind.CONFIG, NodeTopicKind.CMD)]
    # What an operator watches from a terminal (`parkctl mqtt tail`, `mosquitto_sub`): every
    # node's birth/Last Will and heartbeat, and the read side.
    node_health = [node_wildcard(kind) for kind in (NodeTopicKind.STATUS, NodeTopicKind.HEARTBEAT)]
    return [
        {
            # The broker's administrator: accounts and roles over $CONTROL, figures, and
            # read access to node health and the lots (never to occupancy or node commands).
            "rolename": "admin",
            "acls": _sends(CONTROL)
            + _reads(CONTROL, SYS, *node_health, lot_wildcard())
            + _receives(CONTROL),
        },
        {
            "rolename": "ingest",
            # The default share group only: another INGEST_SHARE_GROUP needs its own role.
            # Receipts tell each node what is committed; cmd carries resync requests.
            "acls": _reads(*(shared_subscription(kind) for kind in NODE_SENDS))
            + _sends(
                lot_wildcard(),
                node_wildcard(NodeTopicKind.CMD),
                node_wildcard(NodeTopicKind.RECEIPT),
            ),
        },
        {
            # Node registration and disabling (dynsec control API), slot-map pushes and
            # commands, retained slot state after an override, broker figures.
            "rolename": "api",
            "acls": _sends(*to_nodes, CONTROL, lot_wildcard())
            + _reads(lot_wildcard(), SYS, CONTROL)
            + _receives(CONTROL),
        },
        # Dashboards and signage: slot states and availability, not the lots' alerts
        # (`.../alerts`: staff only, through the admin account or the API).
        {"rolename": "viewer", "acls": _reads(slot_state_wildcard(), availability_wildcard())},
        # Demo and load tests only: one account speaking for many virtual nodes.
        {"rolename": "simulator", "acls": _sends(*node_sends) + _reads(*node_reads)},
    ]
