"""The worker's configuration: one validated settings object read from the environment."""

import socket
from datetime import timedelta
from typing import Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from schemas.broker_roles import SERVICE_CLIENT_PREFIX, service_client_problem
from schemas.broker_url import BrokerAddress, parse_mqtt_url
from schemas.db.settings import DEV_DATABASE_URL
from schemas.env import DatabaseUrl, MqttUrl, PrefixedSettings
from schemas.ids import is_identifier

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"


def default_client_id() -> str:
    """`svc-ingest-<hostname>`: stable across restarts of one container or host."""
    host = "".join(c if c.isalnum() or c in "._-" else "-" for c in socket.gethostname())
    return f"{SERVICE_CLIENT_PREFIX}ingest-{host or 'local'}"[:64]


class IngestSettings(PrefixedSettings):
    """Every `INGEST_*` setting, plus `DATABASE_URL` and `MQTT_URL`."""

    model_config = SettingsConfigDict(
        env_prefix="INGEST_",
        extra="forbid",
        frozen=True,
        populate_by_name=True,
    )

    database_url: DatabaseUrl = Field(
        default=SecretStr(DEV_DATABASE_URL),
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="SQLAlchemy URL of PostgreSQL (postgresql+psycopg://...).",
    )
    mqtt_url: MqttUrl = Field(
        default=SecretStr(DEFAULT_MQTT_URL),
        validation_alias=AliasChoices("MQTT_URL", "mqtt_url"),
        description="Broker URL, mqtt://user:pass@host:1883 or mqtts://... for TLS.",
    )
    client_id: str = Field(
        default_factory=default_client_id,
        description="Stable MQTT client id (svc-...); the broker keeps this worker's session.",
    )
    share_group: str = Field(default="ingest", description="MQTT 5 shared-subscription group.")
    session_expiry_s: int = Field(
        default=86_400, ge=60, le=2**32 - 1,
        description="How long the broker keeps this worker's session (and queue) while it is away.",
    )  # fmt: skip
    receive_maximum: int = Field(
        default=4000, ge=1, le=65_535,
        description="Unacknowledged QoS 1 messages the broker may send us: the in-flight window.",
    )  # fmt: skip
    resubscribe_s: float = Field(
        default=10, gt=0, description="Pause before asking again for a refused subscription."
    )
    keepalive_s: int = Field(default=30, ge=5, le=3600, description="MQTT keepalive.")
    batch_size: int = Field(default=2000, ge=1, le=50_000, description="Flush at this many.")
    # Short: under load, batches grow by themselves (what arrives while a batch is being
    # written makes the next one), so the deadline only matters when traffic is light.
    batch_delay_ms: int = Field(
        default=5, ge=1, le=10_000, description="Flush this long after a batch's first message."
    )
    publish_interval_ms: int = Field(
        default=100, ge=0, le=60_000,
        description="Coalesce read-side publishing of a lot to at most once per interval.",
    )  # fmt: skip
    future_tolerance_s: float = Field(
        default=60, ge=0,
        description="How far a node's clock may be off ours: ahead for any timestamp, behind "
        "for an event observed before the node was registered.",
    )  # fmt: skip
    max_event_age_s: float = Field(
        default=7 * 86_400, gt=0,
        description="Events observed longer ago are dead letters (stale_timestamp).",
    )  # fmt: skip
    history_retention_days: int = Field(
        default=0, ge=0, le=36_500,
        description="Drop slot_events partitions (whole weeks) older than this many days, once "
        "rolled up; 0 keeps every week. Must exceed INGEST_MAX_EVENT_AGE_S.",
    )  # fmt: skip
    receipt_interval_ms: int = Field(
        default=200, ge=0, le=60_000,
        description="Coalesce each node's receipt (what is committed) to at most one per interval.",
    )  # fmt: skip
    dead_letter_quota_per_min: int = Field(
        default=120, ge=1, le=1_000_000,
        description="Dead letters stored per node per minute (per worker); beyond, only counted.",
    )  # fmt: skip
    stale_after_s: float = Field(
        default=90, gt=0, description="A node silent (no heartbeat or birth) this long is stale."
    )
    reorder_window_s: float = Field(
        default=5, gt=0, description="How long a gap in a node's seq may stay open before resync."
    )
    sweep_interval_s: float = Field(
        default=2, gt=0, description="Period of the liveness, gap and outbox sweep."
    )
    operations_interval_s: float = Field(
        default=15, gt=0, le=3600,
        description="Period of the operations job (alerts, partitions, retention, rollups); "
        "one worker at a time runs it.",
    )  # fmt: skip
    webhook_timeout_s: float = Field(
        default=5, gt=0, le=60, description="Alert webhooks: timeout of one POST (connect, read)."
    )
    webhook_max_attempts: int = Field(
        default=10, ge=1, le=100, description="Alert webhooks: attempts before a delivery fails."
    )
    webhook_max_failures: int = Field(
        default=20, ge=1, le=10_000,
        description="Alert webhooks: consecutive failed attempts that disable a webhook "
        "(an operator enables it again).",
    )  # fmt: skip
    webhook_backoff_base_s: float = Field(
        default=30, gt=0, le=3600,
        description="Alert webhooks: wait after the first failed attempt; doubles per attempt.",
    )  # fmt: skip
    webhook_backoff_max_s: float = Field(
        default=3600, gt=0, le=86_400, description="Alert webhooks: longest wait between attempts."
    )
    webhook_allow_private_targets: bool = Field(
        default=False,
        description="Alert webhooks: also call hosts that resolve to loopback, private or "
        "link-local addresses (development and tests only).",
    )
    db_retry_max_s: float = Field(
        default=5, gt=0, description="Longest pause between attempts while PostgreSQL is down."
    )
    dead_letter_max_bytes: int = Field(
        default=4096, ge=256, le=1_048_576,
        description="Raw payload bytes kept with a dead letter (with the full size and hash).",
    )  # fmt: skip
    http_host: str = Field(default="127.0.0.1", description="Address of /metrics and probes.")
    http_port: int = Field(
        default=9102, ge=0, le=65_535, description="Port of /metrics, /healthz, /readyz (0: any)."
    )
    log_level: str = Field(default="INFO", pattern="^(DEBUG|INFO|WARNING|ERROR)$")
    retire_max_s: float = Field(
        default=600, gt=0, le=86_400,
        description="--retire gives up (keeping the session) if not drained within this long.",
    )  # fmt: skip
    # The broker sends the next queued message as soon as one is acknowledged, so a short
    # silence after our last acknowledgement means its queue for us is empty.
    retire_quiet_s: float = Field(
        default=2, gt=0, le=600,
        description="--retire: silence after the last acknowledgement that counts as drained.",
    )  # fmt: skip

    @field_validator("client_id", "share_group")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not is_identifier(value):
            raise ValueError("must be 1-64 characters of A-Z a-z 0-9 . _ - (alphanumeric first)")
        return value

    @field_validator("client_id")
    @classmethod
    def _service_client(cls, value: str) -> str:
        if (problem := service_client_problem(value)) is not None:
            raise ValueError(problem)
        return value

    @model_validator(mode="after")
    def _window_holds_a_batch(self) -> Self:
        # With acknowledge-after-commit the broker stops at receive_maximum unacknowledged
        # messages: a batch larger than the window could never fill and would wait out its delay.
        if self.batch_size > self.receive_maximum:
            raise ValueError(
                f"batch_size ({self.batch_size}) must not exceed receive_maximum "
                f"({self.receive_maximum})"
            )
        return self

    @model_validator(mode="after")
    def _quiet_within_max(self) -> Self:
        if self.retire_quiet_s >= self.retire_max_s:
            raise ValueError(
                f"retire_quiet_s ({self.retire_quiet_s}) must be below retire_max_s "
                f"({self.retire_max_s})"
            )
        return self

    @model_validator(mode="after")
    def _retention_beyond_max_age(self) -> Self:
        # A week that may still receive an event (from a node's offline buffer) is never dropped.
        if self.history_retention_days and self.history_retention_days * 86_400 <= (
            self.max_event_age_s
        ):
            raise ValueError(
                f"history_retention_days ({self.history_retention_days}) must exceed "
                f"max_event_age_s ({self.max_event_age_s:g} s), or be 0 to keep every week"
            )
        return self

    @property
    def max_event_age(self) -> timedelta:
        return timedelta(seconds=self.max_event_age_s)

    @property
    def history_retention(self) -> timedelta | None:
        """None: keep every week."""
        return timedelta(days=self.history_retention_days) if self.history_retention_days else None

    @property
    def broker(self) -> BrokerAddress:
        """The parsed `MQTT_URL`."""
        return parse_mqtt_url(self.mqtt_url.get_secret_value())

    @property
    def libpq_url(self) -> str:
        """`DATABASE_URL` without SQLAlchemy's driver suffix, for psycopg."""
        url = self.database_url.get_secret_value()
        return url.replace("postgresql+psycopg://", "postgresql://", 1)
