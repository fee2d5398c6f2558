"""Environment settings (MQTT_URL, NODE_*) and node.yaml loading."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from pi_node.config import ConfigError, load_node_config
from pi_node.settings import NodeSettings
from schemas.broker_url import BrokerAddress, parse_mqtt_url

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "nodes"


@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("mqtt://127.0.0.1", BrokerAddress("127.0.0.1", 1883, False, None, None)),
        ("mqtts://broker.example", BrokerAddress("broker.example", 8883, True, None, None)),
        ("mqtt://node-7:s%40cret@h:1884", BrokerAddress("h", 1884, False, "node-7", "s@cret")),
        ("mqtt://[::1]:1883/", BrokerAddress("::1", 1883, False, None, None)),
    ],
)
def test_parse_mqtt_url(url: str, address: BrokerAddress) -> None:
    assert parse_mqtt_url(url) == address


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://h:1883", "scheme must be mqtt:// or mqtts://"),
        ("mqtt://", "no host"),
        ("mqtt://h:1883/topic", "must not have a path"),
        ("mqtt://h:99999", "bad port"),
    ],
)
def test_bad_mqtt_urls(url: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_mqtt_url(url)


def test_settings_read_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MQTT_URL", "mqtt://node:old@broker:1883")
    monkeypatch.setenv("NODE_MQTT_PASSWORD", "from-secret")
    monkeypatch.setenv("NODE_STATE_DIR", str(tmp_path))
    monkeypatch.setenv("NODE_MAX_INFLIGHT", "10")
    settings = NodeSettings()
    assert settings.broker() == BrokerAddress("broker", 1883, False, "node", "from-secret")
    assert (settings.state_dir, settings.max_inflight) == (tmp_path, 10)
    assert "old" not in repr(settings)  # the URL's password never shows in logs


@pytest.mark.parametrize(
    ("name", "value", "named"),
    [
        ("MQTT_URL", "tcp://x", "MQTT_URL"),
        ("NODE_MAX_INFLIGHT", "0", "max_inflight"),
        ("NODE_MAX_INFLIGHT", "70000", "max_inflight"),
        ("NODE_RECONNECT_MIN_S", "40", "NODE_RECONNECT_MIN_S"),
        ("NODE_LOG_LEVEL", "LOUD", "log_level"),
    ],
)
def test_bad_settings_name_the_key(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, named: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=named):
        NodeSettings()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_example_node_configs_load(path: Path) -> None:
    config = load_node_config(path)
    assert config.node_id == path.stem
    assert config.slots


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("node_id: [", "not valid YAML"),
        ("node_id: n\nlot_id: l\n", "camera: Field required"),
        (
            "node_id: n\nlot_id: l\ncamera: {source: x}\ndetector: {backend: magic}\nslots: []",
            "detector: Input tag 'magic'",
        ),
    ],
)
def test_bad_node_yaml_names_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "node.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_node_config(path)


def test_missing_node_yaml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_node_config(tmp_path / "absent.yaml")
