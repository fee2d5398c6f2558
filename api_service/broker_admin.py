"""The broker as the admin API sees it: dynamic-security commands, retained publishes, $SYS.

Each call opens a short MQTT 5 connection (admin actions are rare; no connection to keep
healthy between requests). Commands go to `$CONTROL/dynamic-security/v1` and the plugin
answers every subscriber on `.../response`, so each request carries a correlation id and
waits for its own answer. Publishes wait for PUBACK and fail on a refusing reason code.
"""

import json
import queue
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from time import monotonic
from typing import Any, Final

import paho.mqtt.client as mqtt
from paho.mqtt.reasoncodes import ReasonCode

from schemas.broker_roles import SERVICE_CLIENT_PREFIX, node_role
from schemas.broker_url import parse_mqtt_url
from schemas.mqtt_client import describe, first_refusal, new_client

CONTROL_TOPIC: Final = "$CONTROL/dynamic-security/v1"
RESPONSE_TOPIC: Final = CONTROL_TOPIC + "/response"
SYS_FILTER: Final = "$SYS/broker/#"

Command = dict[str, Any]


class BrokerError(Exception):
    """The broker could not be reached, refused, or answered with an error."""


@dataclass(frozen=True, slots=True)
class Outbound:
    """One message to publish."""

    topic: str
    payload: bytes
    retain: bool = False
    qos: int = 1


def registration_commands(node_id: str, password: str) -> list[Command]:
    """Replace any stale role of the node, then create its role and its client, bound to the
    node's own client id (so its credentials cannot take over another client's session)."""
    role = node_role(node_id)
    return [
        {"command": "deleteRole", "rolename": role["rolename"]},
        {"command": "createRole", **role},
        {
            "command": "createClient",
            "username": node_id,
            "password": password,
            "clientid": node_id,
            "roles": [{"rolename": role["rolename"]}],
        },
    ]


def command_errors(responses: list[Command], tolerated: frozenset[str]) -> list[str]:
    """The errors in a control response, except the tolerated ones (e.g. "Role not found")."""
    errors = []
    for response in responses:
        error = response.get("error")
        if error and error not in tolerated:
            errors.append(f"{response.get('command')}: {error}")
    return errors


class _Connection:
    """One connected paho client whose callbacks feed queues."""

    def __init__(self, client: mqtt.Client, timeout_s: float) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.messages: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
        self.acks: queue.Queue[tuple[int, ReasonCode]] = queue.Queue()
        self.granted: queue.Queue[list[ReasonCode]] = queue.Queue()
        client.on_message = lambda _c, _u, message: self.messages.put(message)
        client.on_publish = lambda _c, _u, mid, code, _p: self.acks.put((mid, code))
        client.on_subscribe = lambda _c, _u, _m, codes, _p: self.granted.put(codes)

    def subscribe(self, topic: str) -> None:
        self.client.subscribe(topic, qos=1)
        codes = self._get(self.granted, f"SUBACK for {topic}")
        if (refused := first_refusal(codes)) is not None:
            raise BrokerError(f"subscription to {topic} refused: {describe(refused)}")

    def publish(self, messages: Sequence[Outbound]) -> None:
        """Publish all, then wait for every PUBACK; fail on the first refusal."""
        waiting = {}
        for message in messages:
            info = self.client.publish(message.topic, message.payload, message.qos, message.retain)
            waiting[info.mid] = message.topic
        while waiting:
            mid, code = self._get(self.acks, "PUBACK")
            topic = waiting.pop(mid, None)
            if topic is not None and code.is_failure:
                raise BrokerError(f"publish to {topic} refused: {code}")

    def _get(self, source: "queue.Queue[Any]", what: str) -> Any:
        try:
            return source.get(timeout=self.timeout_s)
        except queue.Empty as exc:
            raise BrokerError(f"no {what} within {self.timeout_s} s") from exc


class BrokerAdmin:
    """Dynamic-security commands, publishes and $SYS figures on one configured broker."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.address = parse_mqtt_url(url)
        self.timeout_s = timeout_s

    @contextmanager
    def _connect(self) -> Iterator[_Connection]:
        client = new_client(self.address, f"{SERVICE_CLIENT_PREFIX}api-{uuid.uuid4().hex[:12]}")
        connection = _Connection(client, self.timeout_s)
        connected: queue.Queue[ReasonCode] = queue.Queue()
        client.on_connect = lambda _c, _u, _f, code, _p: connected.put(code)
        try:
            client.connect(self.address.host, self.address.port, keepalive=30)
        except OSError as exc:
            raise BrokerError(f"broker unreachable: {exc}") from exc
        client.loop_start()
        try:
            code = connection._get(connected, "CONNACK")
            if code.is_failure:
                raise BrokerError(f"broker refused the connection: {describe(code)}")
            yield connection
        finally:
            client.disconnect()
            client.loop_stop()

    def control(
        self, commands: list[Command], tolerated: frozenset[str] = frozenset()
    ) -> list[Command]:
        """Run dynamic-security commands; BrokerError naming any untolerated error."""
        correlation = uuid.uuid4().hex
        tagged = [{**command, "correlationData": correlation} for command in commands]
        with self._connect() as connection:
            connection.subscribe(RESPONSE_TOPIC)
            connection.publish([Outbound(CONTROL_TOPIC, json.dumps({"commands": tagged}).encode())])
            responses = self._await_response(connection, correlation)
        errors = command_errors(responses, tolerated)
        if errors:
            raise BrokerError("; ".join(errors))
        return responses

    def _await_response(self, connection: _Connection, correlation: str) -> list[Command]:
        deadline = monotonic() + self.timeout_s
        while monotonic() < deadline:
            try:
                message = connection.messages.get(timeout=max(0.0, deadline - monotonic()))
            except queue.Empty:
                break
            responses: list[Command] = json.loads(message.payload).get("responses", [])
            if responses and all(r.get("correlationData") == correlation for r in responses):
                return responses
        raise BrokerError(f"no dynamic-security response within {self.timeout_s} s")

    def publish(self, messages: Sequence[Outbound]) -> None:
        """Publish and wait until the broker has accepted every message."""
        with self._connect() as connection:
            connection.publish(messages)

    def sys_topics(self, wanted: frozenset[str], wait_s: float) -> dict[str, str]:
        """Retained `$SYS/broker/...` values: until all `wanted` arrived or `wait_s` passed."""
        found: dict[str, str] = {}
        with self._connect() as connection:
            connection.subscribe(SYS_FILTER)
            deadline = monotonic() + wait_s
            while not wanted <= set(found) and (left := deadline - monotonic()) > 0:
                try:
                    message = connection.messages.get(timeout=left)
                except queue.Empty:
                    break
                found[message.topic] = message.payload.decode("utf-8", "replace")
        return found
