"""The API's settings: one validated object read from the environment (`API_*` and shared names)."""

import json
from collections.abc import Mapping
from typing import Annotated, ClassVar, Final, Self

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from api_service.payments.registry import NAMES as PAYMENT_PROVIDERS
from schemas.db.settings import DEV_DATABASE_URL
from schemas.env import DatabaseUrl, MqttUrl, PrefixedSettings

# Settings that were renamed: naming the new name beats a bare "unknown setting".
RENAMED: Final = {
    "API_SSE_MAX_CLIENTS": "API_SSE_MAX_TOTAL",
    "API_SSE_MAX_DURATION_S": "API_SSE_MAX_LIFETIME_S",
}
# Development only: `API_DEV_MODE=true` without a JWT_SECRET_KEY uses this, loudly marked.
DEV_JWT_SECRET: Final = "dev-only-insecure-jwt-secret-never-use-in-production!"  # noqa: S105
MIN_SECRET_LENGTH: Final = 32
_RATE: Final = r"^\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?$"


class ApiSettings(PrefixedSettings):
    """Everything the API reads from its environment, with documented defaults."""

    renamed: ClassVar[Mapping[str, str]] = RENAMED

    model_config = SettingsConfigDict(
        env_prefix="API_", extra="forbid", frozen=True, populate_by_name=True
    )

    database_url: DatabaseUrl = Field(
        default=SecretStr(DEV_DATABASE_URL),
        validation_alias=AliasChoices("DATABASE_URL", "database_url"),
        description="SQLAlchemy URL of the PostgreSQL database (DATABASE_URL).",
    )
    jwt_secret_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("JWT_SECRET_KEY", "jwt_secret_key"),
        description="HMAC key signing tokens (JWT_SECRET_KEY); required unless API_DEV_MODE.",
    )
    dev_mode: bool = Field(
        default=False, description="Development conveniences: a marked dev JWT secret."
    )
    access_token_minutes: int = Field(default=15, ge=1, le=24 * 60, description="Access TTL.")
    refresh_token_days: int = Field(default=14, ge=1, le=90, description="Refresh token TTL.")
    reservation_hold_minutes: int = Field(
        default=15, ge=1, le=240, description="How long a reservation holds a slot."
    )
    rate_limit_enabled: bool = Field(default=True, description="Per-client rate limiting.")
    rate_limit_storage_uri: str = Field(
        default="memory://",
        description="Where rate-limit counters live (memory://, redis://host:6379, ...).",
    )
    rate_limit_auth: str = Field(
        default="10/minute", pattern=_RATE, description="Login/register per client."
    )
    rate_limit_public: str = Field(
        default="300/minute", pattern=_RATE, description="Public reads per client."
    )
    rate_limit_user: str = Field(
        default="120/minute", pattern=_RATE, description="Token-holding requests per client."
    )
    trusted_proxies: int = Field(
        default=0, ge=0, le=5, description="Reverse proxies in front (X-Forwarded-For hops)."
    )
    argon2_time_cost: int = Field(default=3, ge=1, le=20, description="Argon2 iterations.")
    argon2_memory_kib: int = Field(
        default=65_536, ge=1024, le=1_048_576, description="Argon2 memory in KiB."
    )
    db_pool_size: int = Field(default=5, ge=1, le=100, description="Connections per process.")
    live_updates: bool = Field(
        default=True, description="LISTEN for changes (SSE and the availability cache)."
    )
    sse_keepalive_s: float = Field(default=15.0, gt=0, le=300, description="SSE comment ping.")
    sse_max_per_client: int = Field(
        default=2,
        ge=1,
        le=1000,
        description="Live streams one client address (an IPv6 /64) may hold open per process;"
        " beyond it 429 with Retry-After.",
    )
    sse_max_total: int = Field(
        default=4,
        ge=1,
        le=10_000,
        description="Live streams per process; beyond it 503 with Retry-After. Each holds a"
        " server thread: keep it below gunicorn's --threads (8 in the image), so other"
        " requests still find one.",
    )
    sse_max_lifetime_s: float = Field(
        default=300.0,
        ge=1,
        le=86_400,
        description="A stream ends after at most this (80-100% of it, spread) and the client"
        " reconnects, so streams keep changing hands.",
    )
    availability_max_age_s: int = Field(
        default=2, ge=0, le=300, description="Cache-Control max-age of availability."
    )
    open_data_max_age_s: int = Field(
        default=30, ge=0, le=3600, description="Cache-Control max-age of the open-data feeds."
    )
    open_data_country: str = Field(
        default="zz",
        pattern=r"^[a-z]{2}$",
        description="DATEX II publicationCreator country (ISO 3166-1 alpha-2, lower case;"
        " `zz`: not set).",
    )
    open_data_publisher: str = Field(
        default="parking-platform",
        min_length=1,
        max_length=64,
        description="DATEX II publicationCreator national identifier: who publishes the feeds.",
    )
    mqtt_url: MqttUrl | None = Field(
        default=None,
        validation_alias=AliasChoices("API_MQTT_URL", "MQTT_URL", "mqtt_url"),
        description=(
            "Broker for the admin API (API_MQTT_URL, else MQTT_URL): mqtt://user:pass@host:1883"
            " or mqtts://. Its user needs the dynamic-security control topics, $SYS, and send"
            " rights on node config/cmd and the lots' state topics. Unset: node registration,"
            " config push, resync, disable and /admin/broker answer 503; overrides still apply"
            " and ingest publishes their state."
        ),
    )
    metrics_token: SecretStr | None = Field(
        default=None,
        description=(
            f"Bearer token that GET /metrics requires (at least {MIN_SECRET_LENGTH} characters);"
            " Prometheus sends it (authorization: credentials_file). Unset: /metrics answers"
            " 404, so the figures are never public on the API's port."
        ),
    )
    mqtt_timeout_s: float = Field(
        default=5.0, gt=0, le=60, description="How long one broker request may take."
    )
    # NoDecode: parsed by `_json_object`, so malformed JSON is a refusal naming the setting.
    payment_webhook_secrets: Annotated[dict[str, SecretStr], NoDecode] = Field(
        default_factory=dict,
        description=(
            "JSON object, payment provider -> the secret (at least"
            f" {MIN_SECRET_LENGTH} characters) its webhooks are signed with"
            ' (X-Parking-Signature), e.g. {"manual": "..."}. A provider without one has its'
            " webhooks refused (404); its payments can still be started and, for `manual`,"
            " confirmed by staff."
        ),
    )
    webhook_allow_http_loopback: bool = Field(
        default=False,
        description="Accept alert webhook URLs over plain http to a loopback address "
        "(development and tests); otherwise only https.",
    )
    host: str = Field(default="127.0.0.1", description="Dev server bind address.")
    port: int = Field(default=8000, ge=1, le=65535, description="Dev server port.")

    @field_validator("payment_webhook_secrets", mode="before")
    @classmethod
    def _json_object(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            # The decoder's message says where, never what: the value holds secrets.
            raise ValueError(f"not valid JSON: {exc.msg} (character {exc.pos})") from None

    @model_validator(mode="after")
    def _secret_rules(self) -> Self:
        secret = self.jwt_secret_key
        if secret is None and not self.dev_mode:
            raise ValueError("JWT_SECRET_KEY is required (or set API_DEV_MODE=true locally)")
        if secret is not None and len(secret.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"JWT_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters")
        if self.sse_max_per_client > self.sse_max_total:
            raise ValueError("API_SSE_MAX_PER_CLIENT must not exceed API_SSE_MAX_TOTAL")
        token = self.metrics_token
        if token is not None and len(token.get_secret_value()) < MIN_SECRET_LENGTH:
            raise ValueError(f"API_METRICS_TOKEN must be at least {MIN_SECRET_LENGTH} characters")
        _check_webhook_secrets(self.payment_webhook_secrets)
        return self

    @property
    def jwt_secret(self) -> str:
        """The signing key: the configured secret, or the marked dev default in dev mode."""
        if self.jwt_secret_key is not None:
            return self.jwt_secret_key.get_secret_value()
        return DEV_JWT_SECRET


def _check_webhook_secrets(secrets: Mapping[str, SecretStr]) -> None:
    """Each a registered provider's, long enough; the message never shows a secret."""
    unknown = sorted(set(secrets) - PAYMENT_PROVIDERS)
    if unknown:
        known = ", ".join(sorted(PAYMENT_PROVIDERS))
        raise ValueError(
            f"API_PAYMENT_WEBHOOK_SECRETS names unknown providers {unknown}; known: {known}"
        )
    short = sorted(name for name, secret in secrets.items() if len(secret) < MIN_SECRET_LENGTH)
    if short:
        raise ValueError(
            f"API_PAYMENT_WEBHOOK_SECRETS: the secrets of {short} must be at least"
            f" {MIN_SECRET_LENGTH} characters"
        )
