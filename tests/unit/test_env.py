"""Every service refuses unknown variables of its own prefix, so a typo cannot pass unseen."""

import pytest
from pydantic import ValidationError

from api_service.settings import ApiSettings
from ingest_service.settings import IngestSettings
from pi_node.settings import NodeSettings
from schemas.env import unknown_settings


def test_a_typo_in_an_ingest_setting_stops_the_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_BATCH_SIZ", "5")
    with pytest.raises(
        ValidationError, match=r"INGEST_BATCH_SIZ \(did you mean INGEST_BATCH_SIZE\?\)"
    ):
        IngestSettings()


def test_an_unknown_ingest_variable_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INGEST_TURBO", "1")
    monkeypatch.setenv("INGEST_MQTT_URL", "mqtt://elsewhere:1883")  # read as MQTT_URL only
    with pytest.raises(ValidationError, match=r"INGEST_MQTT_URL, INGEST_TURBO"):
        IngestSettings()


def test_node_js_variables_pass_and_node_typos_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NODE_OPTIONS", "--max-old-space-size=512")
    monkeypatch.setenv("NODE_EXTRA_CA_CERTS", "/etc/ssl/certs/ca-certificates.crt")
    assert NodeSettings().heartbeat_s == 30.0
    monkeypatch.setenv("NODE_HEARTBEATS_S", "5")
    with pytest.raises(ValidationError, match=r"did you mean NODE_HEARTBEAT_S\?"):
        NodeSettings()


def test_a_renamed_api_setting_names_its_new_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_DEV_MODE", "true")
    monkeypatch.setenv("API_SSE_MAX_CLIENTS", "10")
    with pytest.raises(ValidationError, match=r"API_SSE_MAX_CLIENTS \(now API_SSE_MAX_TOTAL\)"):
        ApiSettings()


def test_known_names_are_not_reported() -> None:
    environ = {"INGEST_BATCH_SIZE": "5", "OTHER": "x"}
    assert unknown_settings(environ, "INGEST_", {"INGEST_BATCH_SIZE"}, {}) == []


def test_aliased_names_count_as_known(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("API_DEV_MODE", "true")
    monkeypatch.setenv("API_MQTT_URL", "mqtt://broker:1883")  # the API's own alias
    assert ApiSettings().mqtt_url is not None


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DATABASE_URL", "postgresql://parking:TOPSECRET@db/parking"),  # no +psycopg
        ("MQTT_URL", "mqtt://node:TOPSECRET@broker:notaport"),
    ],
)
def test_url_errors_never_echo_the_password(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("API_DEV_MODE", "true")
    monkeypatch.setenv(variable, value)
    for settings in (ApiSettings, IngestSettings):
        with pytest.raises(ValidationError) as refused:
            settings()
        assert variable in str(refused.value) or variable.lower() in str(refused.value)
        assert "TOPSECRET" not in str(refused.value)
