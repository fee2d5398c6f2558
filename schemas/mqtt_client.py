"""The one way every part of the platform makes its MQTT client (paho-mqtt 2.x, MQTT 5).

The camera node, the ingest workers (with `fast_paho.FastClient`), the admin API and
`parkctl mqtt tail` differ in what they do once connected, not in how they connect: the
callback API, the protocol, the login from `MQTT_URL` and TLS (the system's CAs, or a CA
file for a private broker) are decided here, once, as is how a refusal reads.
"""

import ssl
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, overload

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from schemas.broker_url import BrokerAddress

ClientT = TypeVar("ClientT", bound=mqtt.Client)


@overload
def new_client(
    broker: BrokerAddress,
    client_id: str,
    *,
    ca_file: Path | None = None,
    client_class: type[ClientT],
    **options: Any,
) -> ClientT: ...


@overload
def new_client(
    broker: BrokerAddress, client_id: str, *, ca_file: Path | None = None, **options: Any
) -> mqtt.Client: ...


def new_client(
    broker: BrokerAddress,
    client_id: str,
    *,
    ca_file: Path | None = None,
    client_class: type[mqtt.Client] = mqtt.Client,
    **options: Any,
) -> mqtt.Client:
    """An MQTT 5 client for `broker` under `client_id`, logged in and with TLS for mqtts://."""
    client = client_class(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, **options
    )
    if broker.username is not None:
        client.username_pw_set(broker.username, broker.password)
    if broker.tls:
        cafile = str(ca_file) if ca_file is not None else None
        client.tls_set_context(ssl.create_default_context(cafile=cafile))
    return client


def first_refusal(codes: ReasonCode | Iterable[ReasonCode]) -> ReasonCode | None:
    """The first failing reason code of a CONNACK, SUBACK or PUBACK, or None."""
    listed = [codes] if isinstance(codes, ReasonCode) else list(codes)
    return next((code for code in listed if code.is_failure), None)


def describe(code: ReasonCode) -> str:
    """`Not authorized (135)`: the name and the number, as operators look them up."""
    return f"{code.getName()} ({code.value})"
