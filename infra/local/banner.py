"""What `make demo` prints before the logs: every address, and commands to try."""

import sys
from pathlib import Path

from infra.local.ports import PortChoice
from schemas.topics import NodeTopicKind, node_topic

REPO = Path(__file__).resolve().parents[2]

# A point between the two example lots (examples/lots/*.json).
NEAR = "lat=52.3755&lon=4.905&radius_m=5000"


def banner(
    state: Path, ports: dict[str, PortChoice], secrets: dict[str, str], processes: list[str]
) -> str:
    """The addresses in use, port substitutions, and ready curl/mosquitto lines."""
    api = f"http://127.0.0.1:{ports['DEMO_API_PORT'].port}"
    mqtt = ports["DEMO_MQTT_PORT"].port
    pg = ports["DEMO_PG_PORT"].port
    notes = [f"  note: {choice.note}" for choice in ports.values() if choice.note]
    viewer = f"-u viewer -P {secrets['mqtt_viewer']}"
    # A node account connects only under its own client id.
    node = f"-u harbour-node-1 -i harbour-node-1 -P {secrets['node_harbour-node-1']}"
    topic = node_topic("harbour-node-1", NodeTopicKind.STATUS).rpartition("/")[0]
    message = f"{_python()} -m infra.local.message"
    lines = [
        "",
        f"Parking platform: local stack ({', '.join(processes)}); Ctrl-C stops it all.",
        f"  state        {state}  (delete it to start afresh)",
        *notes,
        f"  API          {api}/api/v1   docs {api}/docs   health {api}/readyz",
        *_dashboard_line(ports, processes),
        f"  MQTT         mqtt://127.0.0.1:{mqtt}   (dynamic security; passwords in "
        f"{state / 'credentials.json'})",
        f"  PostgreSQL   postgresql://parking:parking-dev-only@127.0.0.1:{pg}/parking",
        f"  metrics      {api}/metrics (header 'Authorization: Bearer $API_METRICS_TOKEN',"
        " from stack.env), "
        + ", ".join(
            f"http://127.0.0.1:{ports[v].port}/metrics"
            for v in ("DEMO_INGEST1_HTTP_PORT", "DEMO_INGEST2_HTTP_PORT")
        ),
        f"  environment  set -a; . {state / 'stack.env'}; set +a   (to run parkctl against it)",
        "",
        "Try:",
        f"  curl -s '{api}/api/v1/lots?{NEAR}'",
        f"  curl -s {api}/api/v1/lots/harbour-surface/availability",
        f"  curl -s '{api}/api/v1/lots/downtown/slots?status=free'",
        f"  curl -sN {api}/api/v1/lots/harbour-surface/availability/stream",
        f"  mosquitto_sub -p {mqtt} {viewer} -v -t 'parking/v1/lots/+/availability'",
        f"  mosquitto_sub -p {mqtt} {viewer} -v -t 'parking/v1/lots/harbour-surface/slots/+/state'",
        "  parkctl mqtt tail 'parking/v1/nodes/+/status'   (node health, after sourcing stack.env)",
        "",
        "Publish as camera node harbour-node-1 (examples/messages/; slots A01-A12 of",
        "harbour-surface). A node is online only after its birth: until the birth arrives its",
        "events leave its slots `unknown`, and without a heartbeat for 90 s they read `unknown`",
        "again. The messages are stamped with the current time (ingest refuses old ones):",
        f"  {message} birth | mosquitto_pub -p {mqtt} {node} -q 1 -r -t {topic}/status -s",
        f"  {message} occupancy --slot A01 --status occupied | mosquitto_pub -p {mqtt} {node}"
        f" -q 1 -t {topic}/occupancy -s",
        f"  {message} heartbeat | mosquitto_pub -p {mqtt} {node} -q 1 -t {topic}/heartbeat -s",
        "",
    ]
    return "\n".join(lines)


def _dashboard_line(ports: dict[str, PortChoice], processes: list[str]) -> list[str]:
    """The admin dashboard's address, when it runs (`make dashboard` builds it)."""
    choice = ports.get("DEMO_DASHBOARD_PORT")
    if choice is None or "dashboard" not in processes:
        return []
    return [
        f"  dashboard    http://127.0.0.1:{choice.port}/   (log in with `parkctl users "
        "create-admin EMAIL`)"
    ]


def _python() -> str:
    """This interpreter, relative to the checkout when inside it (the lines run from there)."""
    python = Path(sys.executable)
    try:
        return str(python.relative_to(REPO))
    except ValueError:
        return str(python)
