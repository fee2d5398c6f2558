"""The worker's settings: environment names, URL parsing, cross-field rules."""

import pytest
from pydantic import ValidationError

from ingest_service.settings import IngestSettings
from schemas.broker_url import parse_mqtt_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("mqtt://127.0.0.1", ("127.0.0.1", 1883, False, None, None)),
        ("mqtts://broker:8884", ("broker", 8884, True, None, None)),
        ("mqtt://ingest:s%40cret@mq:1883", ("mq", 1883, False, "ingest", "s@cret")),
    ],
)
def test_mqtt_urls(url: str, expected: tuple[object, ...]) -> None:
    a = parse_mqtt_url(url)
    assert (a.host, a.port, a.tls, a.username, a.password) == expected


@pytest.mark.parametrize(
    "url", ["http://mq:1883", "mqtt://", "mqtt://mq:1883/path", "mqtt://mq:99999"]
)
def test_bad_mqtt_urls_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        parse_mqtt_url(url)


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u:p@db:5432/parking")
    monkeypatch.setenv("MQTT_URL", "mqtt://ingest:pw@mq:1883")
    monkeypatch.setenv("INGEST_BATCH_SIZE", "250")
    settings = IngestSettings()
    assert settings.batch_size == 250
    assert settings.libpq_url == "postgresql://u:p@db:5432/parking"
    assert settings.broker.username == "ingest"
    assert "pw" not in repr(settings)  # secrets stay out of logs


@pytest.mark.parametrize(
    ("env", "value", "field"),
    [
        ("INGEST_BATCH_SIZE", "0", "batch_size"),
        ("INGEST_CLIENT_ID", "has space", "client_id"),
        ("DATABASE_URL", "sqlite:///x", "database_url"),
        ("MQTT_URL", "tcp://mq", "mqtt_url"),
        ("INGEST_BATCH_SIZE", "5000", "batch_size"),  # larger than the in-flight window
        ("INGEST_RETIRE_QUIET_S", "600", "retire_quiet_s"),  # not below retire_max_s
    ],
)
def test_bad_settings_fail_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, field: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError, match=f"(?i){field}") as raised:
        IngestSettings()
    if env.endswith("_URL"):  # a bad URL may hold a password: never echoed
        assert value not in str(raised.value)
