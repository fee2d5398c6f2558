"""The local stack's API port does not serve its metrics to anyone: `make demo` generates a
metrics token, hands it to the API, and the banner says how Prometheus or curl sends it."""

from pathlib import Path

import pytest

from api_service.app import create_app
from api_service.settings import ApiSettings
from infra.local import credentials
from tests.support.demo_banner import sample_banner


def test_the_demo_api_wants_a_generated_metrics_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = credentials.load_or_create(tmp_path / "credentials.json")
    secrets = credentials.api_secrets(found)
    assert len(secrets["API_METRICS_TOKEN"]) >= 32
    # Kept across restarts, so a configured Prometheus keeps working.
    assert credentials.load_or_create(tmp_path / "credentials.json") == found
    for name, value in secrets.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("API_LIVE_UPDATES", "false")
    client = create_app(ApiSettings()).test_client()
    assert client.get("/metrics").status_code == 401
    token = {"Authorization": f"Bearer {secrets['API_METRICS_TOKEN']}"}
    assert client.get("/metrics", headers=token).status_code == 200


def test_an_older_state_folder_gets_a_token_and_keeps_its_secrets(tmp_path: Path) -> None:
    path = tmp_path / "credentials.json"
    path.write_text('{"jwt_secret_key": "kept"}')
    found = credentials.load_or_create(path)
    assert found["jwt_secret_key"] == "kept"
    assert found["api_metrics_token"]


def test_the_banner_says_the_metrics_need_the_token(tmp_path: Path) -> None:
    text = sample_banner(tmp_path)
    (line,) = [line for line in text.splitlines() if "8000/metrics" in line]
    assert "Bearer $API_METRICS_TOKEN" in line
