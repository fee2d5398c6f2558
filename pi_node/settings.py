"""The node's runtime settings from the environment (`MQTT_URL`, `NODE_*`), validated at start.

The slot map (camera, detector, polygons) is the `NodeConfig` contract from `node.yaml`
or the retained config topic; everything about *this machine* lives here.
"""

from pathlib import Path
from typing import ClassVar, Self

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from schemas.broker_url import BrokerAddress, parse_mqtt_url
from schemas.env import MqttUrl, PrefixedSettings

# Local development only (the `make demo` broker); deployments always set MQTT_URL.
DEV_MQTT_URL = "mqtt://127.0.0.1:1883"


class NodeSettings(PrefixedSettings):
    """Environment settings of a camera node or of the simulator."""

    model_config = SettingsConfigDict(env_prefix="NODE_", extra="forbid", frozen=True)
    # Node.js reads NODE_* too (NODE_OPTIONS, NODE_EXTRA_CA_CERTS): only near misses of our
    # names are refused, as typos.
    shared_prefix: ClassVar[bool] = True

    mqtt_url: MqttUrl = Field(
        default=SecretStr(DEV_MQTT_URL),
        validation_alias=AliasChoices("MQTT_URL", "mqtt_url"),
        description="Broker URL, mqtt://user:pass@host:1883 (mqtts:// for TLS); env MQTT_URL.",
    )
    mqtt_password: SecretStr | None = Field(
        default=None, description="Broker password; overrides the one in MQTT_URL if set."
    )
    tls_ca_file: Path | None = Field(
        default=None, description="CA bundle for mqtts:// (default: the system's CAs)."
    )
    client_id: str | None = Field(
        default=None,
        max_length=64,
        description="MQTT client id (default: the node id, the only one a node's own broker"
        " account may use).",
    )
    state_dir: Path = Field(
        default=Path.home() / ".local" / "state" / "parking-node",
        description="Folder of the offline buffer and counters (keep it on persistent storage).",
    )
    buffer_max_events: int = Field(
        default=100_000,
        ge=10,
        le=10_000_000,
        description="Outbox size (events awaiting the cloud's receipt); past it the oldest go.",
    )
    max_inflight: int = Field(
        default=64, ge=1, le=1000, description="QoS 1 events published but not yet PUBACKed."
    )
    keepalive_s: int = Field(default=30, ge=5, le=600, description="MQTT keepalive.")
    heartbeat_s: float = Field(default=30.0, gt=0, le=3600, description="Heartbeat interval.")
    resend_after_s: float = Field(
        default=5.0,
        gt=0,
        le=3600,
        description="Send held events again when no receipt came for this long (doubling, up"
        " to 8 times, while that brings none).",
    )
    reconnect_min_s: float = Field(default=0.5, gt=0, le=60, description="First reconnect delay.")
    reconnect_max_s: float = Field(default=30.0, gt=0, le=3600, description="Reconnect cap.")
    camera_retry_min_s: float = Field(default=1.0, gt=0, le=60, description="First camera retry.")
    camera_retry_max_s: float = Field(default=60.0, gt=0, le=3600, description="Camera retry cap.")
    camera_unknown_after_s: float = Field(
        default=120.0, gt=0, description="A camera down this long turns every slot unknown."
    )
    hysteresis: float = Field(
        default=0.7, gt=0, le=1, description="A slot turns free below threshold x this."
    )
    detector_threads: int = Field(
        default=0, ge=0, le=64, description="Inference threads (0: one per core)."
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.reconnect_min_s > self.reconnect_max_s:
            raise ValueError("NODE_RECONNECT_MIN_S must not exceed NODE_RECONNECT_MAX_S")
        if self.camera_retry_min_s > self.camera_retry_max_s:
            raise ValueError("NODE_CAMERA_RETRY_MIN_S must not exceed NODE_CAMERA_RETRY_MAX_S")
        return self

    def broker(self) -> BrokerAddress:
        """The parsed broker address, with NODE_MQTT_PASSWORD applied."""
        address = parse_mqtt_url(self.mqtt_url.get_secret_value())
        if self.mqtt_password is not None:
            return BrokerAddress(
                address.host,
                address.port,
                address.tls,
                address.username,
                self.mqtt_password.get_secret_value(),
            )
        return address
