"""Admin API fixtures: a Mosquitto with dynamic security, an app wired to it, staff of two
operators, and an MQTT client that logs in and reports CONNACK / PUBACK reason codes."""

import json
import queue
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_jwt_extended import create_access_token
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import select
from sqlalchemy.orm import Session

from api_service.access import token_claims
from infra.mosquitto.dynsec import client as dynsec_client
from infra.mosquitto.dynsec import dynsec_config
from schemas.db import Operator, User
from schemas.enums import Role
from tests.integration.api_service.conftest import Users
from tests.support.processes import (
    find_binary,
    free_port,
    hand_over,
    stop,
    unprivileged_user,
    wait_until,
)

PLUGIN = Path("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so")
API_PASSWORD = "api-test-password-0123"
WATCHER_PASSWORD = "watcher-test-password-0123"
ADMIN_PASSWORD = "admin-test-password-0123"
VIEWER_PASSWORD = "viewer-test-password-0123"
NODE_PASSWORD = "node-test-password-0123"
ROLES_NODE = "cam-roles"
TIMEOUT_S = 10


def _acls(kind: str, *topics: str) -> list[dict[str, Any]]:
    return [{"acltype": kind, "topic": topic, "allow": True} for topic in topics]


# What the API's broker user needs (the admin role's control rights, $SYS, node config/cmd,
# the lots' read side). publishClientReceive is explicit: 2.0.11 withholds control responses
# under the default.
API_ROLE = {
    "rolename": "api",
    "acls": _acls(
        "publishClientSend",
        "$CONTROL/dynamic-security/#",
        "parking/v1/lots/#",
        "parking/v1/nodes/+/config",
        "parking/v1/nodes/+/cmd",
    )
    + _acls("publishClientReceive", "$CONTROL/dynamic-security/#")
    + _acls("subscribePattern", "$CONTROL/dynamic-security/#", "$SYS/#"),
}
WATCHER_ROLE = {"rolename": "watcher", "acls": _acls("subscribePattern", "parking/v1/#")}


@dataclass(frozen=True)
class DynsecBroker:
    host: str
    port: int

    def url(self, user: str, password: str) -> str:
        return f"mqtt://{user}:{password}@{self.host}:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url("api", API_PASSWORD)


def _config() -> dict[str, Any]:
    return {
        "defaultACLAccess": {
            "publishClientSend": False,
            "publishClientReceive": True,
            "subscribe": False,
            "unsubscribe": True,
        },
        "clients": [
            dynsec_client("api", API_PASSWORD, ["api"]),
            dynsec_client("watcher", WATCHER_PASSWORD, ["watcher"]),
        ],
        "groups": [],
        "roles": [API_ROLE, WATCHER_ROLE],
    }


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def dynsec() -> Iterator[DynsecBroker]:
    """Mosquitto 2 on loopback: no anonymous access, the dynamic-security plugin."""
    if not PLUGIN.exists():
        pytest.skip(f"{PLUGIN} missing: install mosquitto (Debian ships the plugin with it)")
    # Not tmp_path_factory: its folders are private to our user; the broker runs as another.
    with tempfile.TemporaryDirectory(prefix="parking-dynsec-") as folder:
        yield from _run(Path(folder), _config())


@pytest.fixture(scope="session")
def deployed_roles() -> Iterator[DynsecBroker]:
    """Mosquitto 2 with the roles the local stack and Compose write (schemas.broker_roles):
    the `admin` and `viewer` service accounts and one camera node, `cam-roles`."""
    if not PLUGIN.exists():
        pytest.skip(f"{PLUGIN} missing: install mosquitto (Debian ships the plugin with it)")
    config = dynsec_config(
        {"admin": ADMIN_PASSWORD, "viewer": VIEWER_PASSWORD}, {ROLES_NODE: NODE_PASSWORD}
    )
    with tempfile.TemporaryDirectory(prefix="parking-roles-") as folder:
        yield from _run(Path(folder), config)


def _run(workdir: Path, config: dict[str, Any]) -> Iterator[DynsecBroker]:
    port = free_port()
    (workdir / "dynamic-security.json").write_text(json.dumps(config))
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                "per_listener_settings false",
                f"listener {port} 127.0.0.1",
                "allow_anonymous false",
                f"plugin {PLUGIN}",
                f"plugin_opt_config_file {workdir / 'dynamic-security.json'}",
                "persistence false",
                f"log_dest file {workdir / 'mosquitto.log'}",
                "log_type all",
                "",
            ]
        )
    )
    user = unprivileged_user("mosquitto")
    hand_over(workdir, user)
    binary = find_binary("mosquitto", "/usr/sbin")
    with (workdir / "stderr.log").open("ab") as log:
        process = subprocess.Popen([binary, "-c", str(conf)], stdout=log, stderr=log, user=user)
        try:
            wait_until(lambda: _listening(port), process, "Mosquitto (dynsec)")
            yield DynsecBroker("127.0.0.1", port)
        finally:
            stop(process)


@pytest.fixture
def admin_app(make_app: Callable[..., Flask], dynsec: DynsecBroker) -> Flask:
    return make_app(mqtt_url=dynsec.api_url)


@pytest.fixture
def admin_client(admin_app: Flask) -> FlaskClient:
    return admin_app.test_client()


@dataclass
class Staff:
    """Tokens for everyone the matrix needs: two operators' staff, an admin, a driver."""

    app: Flask
    ids: dict[str, int]

    def headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        role = {"admin": Role.ADMIN, "driver": Role.DRIVER}.get(who, Role.OPERATOR)
        with self.app.app_context():
            token = create_access_token(str(self.ids[who]), additional_claims=token_claims(role))
        return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def staff(admin_app: Flask, lots: Session, users: Users) -> Staff:
    """`harbour` runs harbour-surface, `city` runs downtown (the `users` operator)."""
    session = lots
    harbour = session.scalar(select(Operator.id).where(Operator.code == "harbour-parking"))
    member = User(
        email="staff@harbour.example.com",
        password_hash="x",
        role=Role.OPERATOR,
        operator_id=harbour,
    )
    session.add(member)
    session.commit()
    ids = {
        "admin": users.ids[Role.ADMIN],
        "driver": users.ids[Role.DRIVER],
        "city": users.ids[Role.OPERATOR],
        "harbour": member.id,
    }
    return Staff(admin_app, ids)


@dataclass
class Mqtt:
    """A connected client: received messages and the reason code of each PUBACK."""

    client: mqtt.Client
    messages: "queue.Queue[mqtt.MQTTMessage]"
    acks: "queue.Queue[tuple[int, ReasonCode]]"
    granted: "queue.Queue[list[ReasonCode]]"
    disconnects: "queue.Queue[ReasonCode]"

    def publish(self, topic: str, payload: bytes = b"{}") -> ReasonCode:
        info = self.client.publish(topic, payload, qos=1)
        mid, code = self.acks.get(timeout=TIMEOUT_S)
        assert mid == info.mid
        return code

    def subscribe(self, topic: str) -> ReasonCode:
        self.client.subscribe(topic, qos=1)
        return self.granted.get(timeout=TIMEOUT_S)[0]

    def next_message(self) -> mqtt.MQTTMessage:
        return self.messages.get(timeout=TIMEOUT_S)


@contextmanager
def mqtt_login(
    broker: DynsecBroker, user: str | None, password: str | None, client_id: str | None = None
) -> Iterator[tuple[ReasonCode, Mqtt]]:
    """Connect (MQTT 5) as `user` (a node: pass its own id as `client_id`, the only one its
    account may use); yields the CONNACK reason code and the client."""
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id or f"t-{uuid.uuid4().hex[:10]}",
        protocol=mqtt.MQTTv5,
    )
    session = Mqtt(client, queue.Queue(), queue.Queue(), queue.Queue(), queue.Queue())
    connected: queue.Queue[ReasonCode] = queue.Queue()
    client.on_connect = lambda _c, _u, _f, code, _p: connected.put(code)
    client.on_message = lambda _c, _u, message: session.messages.put(message)
    client.on_publish = lambda _c, _u, mid, code, _p: session.acks.put((mid, code))
    client.on_subscribe = lambda _c, _u, _m, codes, _p: session.granted.put(codes)
    client.on_disconnect = lambda _c, _u, _f, code, _p: session.disconnects.put(code)
    if user is not None:
        client.username_pw_set(user, password)
    client.connect(broker.host, broker.port)
    client.loop_start()
    try:
        yield connected.get(timeout=TIMEOUT_S), session
    finally:
        client.disconnect()
        client.loop_stop()


@pytest.fixture
def watcher(dynsec: DynsecBroker) -> Iterator[Mqtt]:
    """A read-only client subscribed to nothing yet."""
    with mqtt_login(dynsec, "watcher", WATCHER_PASSWORD) as (code, session):
        assert not code.is_failure
        yield session


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
