"""Mosquitto dynamic-security bootstrap: the roles and service clients, as the plugin's JSON file.

The broker rewrites its file when clients are added over `$CONTROL/dynamic-security` (node
registration), so this never replaces the file: it reconciles it, setting the service roles
and clients to what the code and the secrets say and keeping every other client, role and
group. Run it only while the broker is stopped (the broker would overwrite it on its next save).

Checked against Mosquitto 2.0.11: dynamic-security ACLs match `%u` literally, so each node gets
a role naming its own topics; and a shared subscription is checked with its `$share/<group>/`
prefix, so the ingest role names the shared filters.

Compose runs this before the broker starts (service `broker-init`):
`python -m infra.mosquitto.dynsec --out /mosquitto/data/dynamic-security.json`
"""

import argparse
import base64
import hashlib
import json
import os
import secrets
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from schemas.topics import (
    NodeTopicKind,
    lot_wildcard,
    node_topic,
    node_wildcard,
    shared_subscription,
)

ITERATIONS: Final = 101  # what mosquitto_ctrl writes; PBKDF2-SHA512 over a 12-byte salt
SALT_BYTES: Final = 12
ADMIN: Final = "admin"
# Service accounts; each one's password comes from MQTT_<USER>_PASSWORD (Compose: .env).
SERVICE_USERS: Final = ("admin", "ingest", "api", "viewer", "simulator")
NODE_SENDS: Final = (NodeTopicKind.STATUS, NodeTopicKind.OCCUPANCY, NodeTopicKind.HEARTBEAT)
NODE_READS: Final = (NodeTopicKind.CONFIG, NodeTopicKind.CMD)
CONTROL: Final = "$CONTROL/dynamic-security/#"
SYS: Final = "$SYS/#"

Acl = dict[str, Any]


def hash_password(password: str, salt: bytes) -> str:
    """The plugin's password hash: base64 PBKDF2-HMAC-SHA512, ITERATIONS rounds."""
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    return base64.b64encode(digest).decode()


def client(username: str, password: str, roles: Sequence[str], salt: bytes | None = None) -> Acl:
    """One client entry with a freshly salted password hash."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    return {
        "username": username,
        "password": hash_password(password, salt),
        "salt": base64.b64encode(salt).decode(),
        "iterations": ITERATIONS,
        "roles": [{"rolename": name} for name in roles],
    }


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


def node_role(node_id: str) -> Acl:
    """A camera node's role: write its own status/occupancy/heartbeat, read its config/cmd."""
    sends = [node_topic(node_id, kind) for kind in NODE_SENDS]
    reads = [node_topic(node_id, kind) for kind in NODE_READS]
    return {"rolename": f"node:{node_id}", "acls": _sends(*sends) + _reads(*reads)}


def service_roles() -> list[Acl]:
    """The roles of broker/acl's service users, plus the dynsec admin and the simulator."""
    node_sends = [node_wildcard(kind) for kind in NODE_SENDS]
    node_reads = [node_wildcard(kind) for kind in NODE_READS]
    return [
        {"rolename": "admin", "acls": _sends(CONTROL) + _reads(CONTROL, SYS) + _receives(CONTROL)},
        {
            "rolename": "ingest",
            # The default share group only: another INGEST_SHARE_GROUP needs its own role.
            "acls": _reads(*(shared_subscription(kind) for kind in NODE_SENDS))
            + _sends(lot_wildcard(), node_wildcard(NodeTopicKind.CMD)),
        },
        {
            # Node registration and disabling (dynsec control API), slot-map pushes and
            # commands, retained slot state after an override, broker figures.
            "rolename": "api",
            "acls": _sends(*node_reads, CONTROL, lot_wildcard())
            + _reads(lot_wildcard(), SYS, CONTROL)
            + _receives(CONTROL),
        },
        {"rolename": "viewer", "acls": _reads(lot_wildcard())},
        # Demo and load tests only: one account speaking for many virtual nodes.
        {"rolename": "simulator", "acls": _sends(*node_sends) + _reads(*node_reads)},
    ]


def dynsec_config(passwords: Mapping[str, str], nodes: Mapping[str, str]) -> Acl:
    """The plugin's whole file: service clients (user -> password) and camera nodes (id -> pw)."""
    unknown = sorted(set(passwords) - set(SERVICE_USERS))
    if unknown:
        raise ValueError(f"unknown service users {unknown}; expected some of {SERVICE_USERS}")
    clients = [client(user, password, [user]) for user, password in passwords.items()]
    clients += [client(node, password, [f"node:{node}"]) for node, password in nodes.items()]
    return {
        "defaultACLAccess": {
            "publishClientSend": False,
            "publishClientReceive": True,
            "subscribe": False,
            "unsubscribe": True,
        },
        "clients": clients,
        "groups": [],
        "roles": service_roles() + [node_role(node) for node in nodes],
    }


def reconcile(existing: Acl | None, desired: Acl) -> Acl:
    """`desired`'s clients and roles replace same-named ones; the rest of `existing` stays."""
    if existing is None:
        return desired
    merged = dict(existing) | {"defaultACLAccess": desired["defaultACLAccess"]}
    for section, key in (("clients", "username"), ("roles", "rolename")):
        ours = {entry[key] for entry in desired[section]}
        kept = [entry for entry in existing.get(section, []) if entry.get(key) not in ours]
        merged[section] = desired[section] + kept
    merged.setdefault("groups", [])
    return merged


def write_reconciled(path: Path, desired: Acl) -> None:
    """Reconcile the file at `path` with `desired`, atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
    temporary = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(reconcile(existing, desired), file, indent=1)
    temporary.replace(path)


def read_passwords(environ: Mapping[str, str]) -> dict[str, str]:
    """Service passwords from MQTT_<USER>_PASSWORD; an unset or empty one means no such client."""
    found = {}
    for user in SERVICE_USERS:
        value = environ.get(f"MQTT_{user.upper()}_PASSWORD", "").strip()
        if value:
            found[user] = value
    if ADMIN not in found:
        raise ValueError("MQTT_ADMIN_PASSWORD is not set: the broker needs an admin")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Reconcile the dynamic-security file with the MQTT_*_PASSWORD environment."""
    parser = argparse.ArgumentParser(prog="python -m infra.mosquitto.dynsec", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="the plugin's JSON file")
    args = parser.parse_args(argv)
    try:
        config = dynsec_config(read_passwords(os.environ), nodes={})
    except ValueError as exc:
        print(f"dynsec: {exc}", file=sys.stderr)  # noqa: T201
        return 2
    write_reconciled(args.out, config)
    print(f"dynsec: {args.out}: service roles and clients set")  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
