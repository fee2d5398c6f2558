"""The one MQTT client factory, and the paho-mqtt range the ingest speed-up is written for."""

import tomllib
from importlib.metadata import version
from pathlib import Path

import paho.mqtt.client as mqtt
from packaging.requirements import Requirement
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from ingest_service.fast_paho import FastClient
from schemas.broker_url import parse_mqtt_url
from schemas.mqtt_client import describe, first_refusal, new_client

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_a_client_logs_in_and_uses_tls_for_mqtts() -> None:
    plain = new_client(parse_mqtt_url("mqtt://ingest:s3cret@broker:1883"), "svc-ingest-1")
    assert isinstance(plain, mqtt.Client)
    assert (plain._client_id, plain._username, plain._password) == (
        b"svc-ingest-1",
        b"ingest",
        b"s3cret",
    )
    assert plain._protocol == mqtt.MQTTv5
    assert plain._ssl_context is None
    secure = new_client(parse_mqtt_url("mqtts://broker"), "cam-1", reconnect_on_failure=False)
    assert secure._ssl_context is not None
    assert secure._username is None


def test_the_ingest_consumer_is_made_by_the_same_factory() -> None:
    client = new_client(
        parse_mqtt_url("mqtt://b"), "svc-w", client_class=FastClient, manual_ack=True
    )
    assert isinstance(client, FastClient)
    assert client._manual_ack


def test_refusals_read_the_same_everywhere() -> None:
    ok, refused = (
        ReasonCode(PacketTypes.SUBACK, "Granted QoS 1"),
        ReasonCode(PacketTypes.SUBACK, "Not authorized"),
    )
    assert first_refusal([ok, refused]) is refused
    assert first_refusal(ok) is None
    assert describe(refused) == "Not authorized (135)"


def test_the_installed_paho_is_in_the_range_fast_paho_is_written_for() -> None:
    """fast_paho overrides paho's private methods: a paho outside the ingest extra's pin
    must fail here, loudly, not in production."""
    extras = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    (pin,) = [Requirement(r) for r in extras["ingest"] if Requirement(r).name == "paho-mqtt"]
    installed = version("paho-mqtt")
    assert pin.specifier.contains(installed), f"paho-mqtt {installed} is outside {pin.specifier}"
