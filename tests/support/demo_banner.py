"""The local stack's banner on fixed ports and secrets, for tests of what it tells a person."""

from pathlib import Path

from infra.local.banner import banner
from infra.local.ports import PortChoice

PORTS = {
    "DEMO_API_PORT": 8000,
    "DEMO_MQTT_PORT": 1883,
    "DEMO_PG_PORT": 5433,
    "DEMO_INGEST1_HTTP_PORT": 9101,
    "DEMO_INGEST2_HTTP_PORT": 9102,
}


def sample_banner(state: Path = Path("demo-state")) -> str:
    """The banner of a stack on the default ports, with placeholder secrets, running the API."""
    ports = {name: PortChoice(name, port, port) for name, port in PORTS.items()}
    secrets = {"mqtt_viewer": "v", "node_harbour-node-1": "n"}
    return banner(state, ports, secrets, ["api"])
