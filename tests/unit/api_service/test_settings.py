"""Settings: the JWT secret is required outside dev mode and must be long enough."""

import pytest
from pydantic import ValidationError

from api_service.__main__ import main
from api_service.settings import DEV_JWT_SECRET, ApiSettings

GOOD = "s" * 40


def test_secret_required_outside_dev_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="JWT_SECRET_KEY is required"):
        ApiSettings()


def test_dev_mode_uses_the_marked_dev_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    monkeypatch.setenv("API_DEV_MODE", "true")
    assert ApiSettings().jwt_secret == DEV_JWT_SECRET


def test_short_secret_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", "short")
    with pytest.raises(ValidationError, match="at least 32"):
        ApiSettings()


def test_environment_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db/parking")
    monkeypatch.setenv("API_RESERVATION_HOLD_MINUTES", "20")
    settings = ApiSettings()
    assert (settings.database_url.get_secret_value(), settings.reservation_hold_minutes) == (
        "postgresql+psycopg://u@db/parking",
        20,
    )
    assert settings.jwt_secret == GOOD


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("API_RESERVATION_HOLD_MINUTES", "0"),
        ("API_RATE_LIMIT_AUTH", "lots"),
        ("DATABASE_URL", "mysql://x"),
        ("API_PORT", "70000"),
    ],
)
def test_bad_values_name_the_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    monkeypatch.setenv(key, value)
    with pytest.raises(ValidationError) as caught:
        ApiSettings()
    name = key.removeprefix("API_").lower()
    assert name in str(caught.value).lower()


def test_dev_server_refuses_to_start_without_a_secret(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("JWT_SECRET_KEY", raising=False)
    monkeypatch.delenv("API_DEV_MODE", raising=False)
    assert main([]) == 2
    assert "JWT_SECRET_KEY" in capsys.readouterr().err


def test_unknown_api_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    monkeypatch.setenv("API_RESERVATION_HOLD_MINUTE", "20")  # typo: no such setting
    with pytest.raises(ValidationError, match="API_RESERVATION_HOLD_MINUTE"):
        ApiSettings()


def test_stream_caps_have_documented_defaults_and_go_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    settings = ApiSettings()
    assert (settings.sse_max_per_client, settings.sse_max_total) == (2, 4)
    assert settings.sse_max_lifetime_s == 300.0
    monkeypatch.setenv("API_SSE_MAX_PER_CLIENT", "5")
    with pytest.raises(ValidationError, match="API_SSE_MAX_PER_CLIENT must not exceed"):
        ApiSettings()


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("API_SSE_MAX_CLIENTS", "API_SSE_MAX_TOTAL"),
        ("API_SSE_MAX_DURATION_S", "API_SSE_MAX_LIFETIME_S"),
    ],
)
def test_a_renamed_setting_names_its_new_name(
    monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    monkeypatch.setenv("JWT_SECRET_KEY", GOOD)
    monkeypatch.setenv(old, "10")
    with pytest.raises(ValidationError, match=f"{old} \\(now {new}\\)"):
        ApiSettings()
