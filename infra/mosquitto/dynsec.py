"""Mosquitto dynamic-security bootstrap: the roles and service clients, as the plugin's JSON file.

The broker rewrites its file when clients are added over `$CONTROL/dynamic-security` (node
registration), so this never replaces the file: it reconciles it, setting the service roles
and clients to what the code and the secrets say and keeping every other client, role and
group. Run it only while the broker is stopped (the broker would overwrite it on its next save).

The roles themselves are defined once, in `schemas.broker_roles`; camera nodes are bound to
their own client id.

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

from schemas.broker_roles import node_role, node_role_name, service_roles

ITERATIONS: Final = 101  # what mosquitto_ctrl writes; PBKDF2-SHA512 over a 12-byte salt
SALT_BYTES: Final = 12
ADMIN: Final = "admin"
# Service accounts; each one's password comes from MQTT_<USER>_PASSWORD (Compose: .env).
SERVICE_USERS: Final = ("admin", "ingest", "api", "viewer", "simulator")

Acl = dict[str, Any]


def hash_password(password: str, salt: bytes) -> str:
    """The plugin's password hash: base64 PBKDF2-HMAC-SHA512, ITERATIONS rounds."""
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, ITERATIONS)
    return base64.b64encode(digest).decode()


def client(
    username: str,
    password: str,
    roles: Sequence[str],
    salt: bytes | None = None,
    clientid: str | None = None,
) -> Acl:
    """One client entry with a freshly salted password hash; `clientid` binds its client id."""
    salt = salt if salt is not None else secrets.token_bytes(SALT_BYTES)
    entry: Acl = {
        "username": username,
        "password": hash_password(password, salt),
        "salt": base64.b64encode(salt).decode(),
        "iterations": ITERATIONS,
        "roles": [{"rolename": name} for name in roles],
    }
    if clientid is not None:
        entry["clientid"] = clientid
    return entry


def dynsec_config(passwords: Mapping[str, str], nodes: Mapping[str, str]) -> Acl:
    """The plugin's whole file: service clients (user -> password) and camera nodes (id -> pw)."""
    unknown = sorted(set(passwords) - set(SERVICE_USERS))
    if unknown:
        raise ValueError(f"unknown service users {unknown}; expected some of {SERVICE_USERS}")
    clients = [client(user, password, [user]) for user, password in passwords.items()]
    clients += [
        client(node, password, [node_role_name(node)], clientid=node)
        for node, password in nodes.items()
    ]
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
