"""The Compose stack for real: every image built, the whole stack in containers, faults injected.

Runs where a Docker engine answers (`make compose-test`, and `make test` through
tests/support/docker_engine.sh, which starts a private dockerd as root); skips, saying why,
where none can. The tests run in file order against one stack (project
`parkingcompose-<random>`):

1. build every image (base images: Debian-built stand-ins, infra/docker/local/, unless
   PARKING_COMPOSE_BASES=public), start broker, database, migrations, ingest x2, API under
   gunicorn, Nginx with TLS and the demo profile's simulator; everything healthy;
2. through Nginx over HTTPS (published on loopback): the dashboard, and availability that
   changes as the simulated nodes publish; Mosquitto's TLS listener answers too;
3. ingest scaled to 3, then back to 2 with the documented retire step;
4. SIGKILL of an ingest worker and of the broker; then every event each node made is in the
   database or still held by its node (which resends until ingest's receipt covers it);
5. image sizes and the stack's memory at rest, printed; `down --volumes` at the end.
"""

import json
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from tests.support.compose_stack import (
    REPO,
    TARGETS,
    ComposeStack,
    StackError,
    docker_cli,
    generated_settings,
    wait_until,
    write_env_file,
)

pytestmark = pytest.mark.compose

# A project of its own per run: two runs on one engine (two checkouts' `make test`) never meet.
RUN_ID = secrets.token_hex(3)
PROJECT = f"parkingcompose-{RUN_ID}"
ONE_SHOTS = ("certs", "broker-init", "migrate", "demo-seed")
SERVERS = {"postgres": 1, "mosquitto": 1, "ingest": 2, "api": 1, "nginx": 1, "simulator": 1}
LOT = "downtown"

# Every seq a node handed out, and those its outbox still holds (not yet receipted).
OUTBOX_SCRIPT = """
import json, pathlib, sqlite3
found = {}
for path in sorted(pathlib.Path('/state').glob('**/*.sqlite3')):
    db = sqlite3.connect(str(path))
    (last,) = db.execute("SELECT value FROM counters WHERE name = 'seq'").fetchone()
    held = [seq for (seq,) in db.execute('SELECT seq FROM events')]
    found[path.stem] = {'last': last, 'held': held}
print(json.dumps(found))
"""


def skip_unless_possible(docker: str) -> None:
    """Skip (the reason shows in pytest's summary) where no engine or tool is to be had."""
    unavailable = os.environ.get("PARKING_COMPOSE_UNAVAILABLE")
    if unavailable:
        pytest.skip(f"Compose test: no Docker engine could be started: {unavailable}")
    try:
        answered = subprocess.run(
            [docker, "info"], capture_output=True, timeout=15, check=False
        ).returncode == 0  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        answered = False
    if not answered:
        pytest.skip(
            "Compose test: no Docker engine answers (DOCKER_HOST="
            f"{os.environ.get('DOCKER_HOST', 'unset')}); `make compose-test` starts one as root"
            " (apt-get install docker.io debootstrap)"
        )


def compose_cli(cache: Path) -> str:
    done = subprocess.run(
        ["bash", str(REPO / "tests/support/compose_cli.sh"), str(cache)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"Compose test: no Docker Compose v2 to be had: {done.stderr.strip()[-400:]}")
    return done.stdout.strip().splitlines()[-1]


@pytest.fixture(scope="module")
def say(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Write a line to the terminal, captured or not (figures belong in the test output)."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def write(line: str) -> None:
        if reporter is None or capture is None:
            return
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"compose: {line}")

    return write


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, say: Callable[[str], None]
) -> Iterator[ComposeStack]:
    docker = docker_cli()
    skip_unless_possible(docker)
    cache = Path(os.environ.get("PARKING_CACHE_DIR", Path.home() / ".cache" / "parking"))
    work = tmp_path_factory.mktemp("compose")
    # Images tagged for this run too (removed at the end; BuildKit's cache stays for the next).
    settings = generated_settings(dict(os.environ)) | {"PARKING_VERSION": f"test-{RUN_ID}"}
    env_file = work / "stack.env"
    write_env_file(env_file, settings)
    compose = ComposeStack(compose_cli(cache), docker, PROJECT, env_file, settings, say)
    engine = compose.docker("version", "--format", "{{.Server.Version}}").stdout.strip()
    say(f"{compose.run([compose.compose_bin, 'version']).stdout.strip()}, engine {engine}")

    started = time.monotonic()
    if os.environ.get("PARKING_COMPOSE_BASES", "local") == "local":
        compose.build_bases(work / "bases")
        say(f"base images ready in {time.monotonic() - started:.0f} s")
    built = compose.build_images()
    say("built " + ", ".join(f"{t} {s:.0f} s" for t, s in built.items()))
    try:
        up = time.monotonic()
        compose.compose("up", "--detach", "--no-build", "--scale", "ingest=2", timeout_s=600)
        compose.wait_healthy(SERVERS, timeout_s=240)
        say(f"stack healthy {time.monotonic() - up:.0f} s after `up` "
            f"({time.monotonic() - started:.0f} s from the first build step)")  # fmt: skip
        yield compose
    finally:
        logs = compose.compose("logs", "--no-color", "--tail", "30", check=False, timeout_s=60)
        (work / "stack.log").write_text(logs.stdout + logs.stderr, encoding="utf-8")
        compose.down()
        left = compose.docker(
            "volume", "ls", "--quiet", "--filter", f"label=com.docker.compose.project={PROJECT}"
        ).stdout.split()
        say(f"down --volumes: {len(left)} volume(s) left; last logs in {work / 'stack.log'}")
        tagged = [f"parking/{target}:{settings['PARKING_VERSION']}" for target in TARGETS]
        compose.docker("image", "rm", *tagged, check=False)
        assert not left, left


def test_every_service_is_up_and_the_one_shots_succeeded(stack: ComposeStack) -> None:
    states = {c["Name"]: c for c in stack.containers()}
    for service in ONE_SHOTS:
        (container,) = [c for c in states.values() if c["Service"] == service]
        assert container["State"] == "exited", container
        assert container["ExitCode"] == 0, container
    # Each ingest replica's client id is svc- + its Compose name (ingest_entrypoint.py).
    for n in (1, 2):
        logs = stack.docker("logs", ingest_container(stack, n))
        assert f'"client_id": "svc-{PROJECT}-ingest-{n}"' in logs.stdout + logs.stderr


def test_https_through_nginx_serves_the_dashboard_and_changing_availability(
    stack: ComposeStack,
) -> None:
    status, headers, body = stack.https("/dashboard/")
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert b'<div id="root">' in body
    assert "Strict-Transport-Security" in headers
    # The metrics stay inside the network.
    assert stack.https("/metrics")[0] == 404

    lots = {lot["lot_id"] for lot in stack.https_json("/api/v1/lots")["items"]}
    assert {"downtown", "harbour-surface"} <= lots
    # Counted first: whatever changes the availability after `first` was read commits later.
    events = stack.scalar("SELECT count(*) FROM slot_events")
    first = stack.https_json(f"/api/v1/lots/{LOT}/availability")

    def changed() -> dict[str, object] | None:
        now = stack.https_json(f"/api/v1/lots/{LOT}/availability")
        moved = now["updated_at"] != first["updated_at"]
        return now if moved and stack.scalar("SELECT count(*) FROM slot_events") > events else None

    later = wait_until(changed, "availability to change as nodes publish", timeout_s=120)
    stack.log(
        f"availability of {LOT} over HTTPS: free {first['free']} -> {later['free']}, "
        f"occupied {first['occupied']} -> {later['occupied']} "
        f"(updated_at {first['updated_at']} -> {later['updated_at']})"
    )


def test_mosquitto_tls_listener_serves_the_read_side(stack: ComposeStack) -> None:
    received: list[str] = []
    got = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.username_pw_set("viewer", stack.settings["MQTT_VIEWER_PASSWORD"])
    client.tls_set_context(stack.tls_context())

    def on_connect(c: mqtt.Client, *_: object) -> None:
        c.subscribe("parking/v1/lots/+/availability", qos=1)

    def on_message(_c: mqtt.Client, _u: object, message: mqtt.MQTTMessage) -> None:
        received.append(message.topic)
        got.set()

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect("127.0.0.1", int(stack.settings["MQTT_TLS_PORT"]), keepalive=30)
    client.loop_start()
    try:
        assert got.wait(20), "no retained availability over TLS within 20 s"
    finally:
        client.disconnect()
        client.loop_stop()
    assert received[0].startswith("parking/v1/lots/")


def ingest_container(stack: ComposeStack, n: int) -> str:
    return f"{PROJECT}-ingest-{n}"


def test_scale_ingest_to_three_and_back_with_the_retire_step(stack: ComposeStack) -> None:
    scale = ("up", "--detach", "--no-build", "--no-deps", "--scale")
    stack.compose(*scale, "ingest=3", "ingest")
    stack.wait_healthy({"ingest": 3}, timeout_s=120)
    third = f"svc-{PROJECT}-ingest-3"

    def third_wrote() -> bool | None:
        logs = stack.docker("logs", ingest_container(stack, 3))
        log = logs.stdout + logs.stderr  # its JSON log lines go to standard error
        return ('"batch committed"' in log and third in log) or None

    wait_until(third_wrote, "the third replica to commit a batch", timeout_s=120)
    stack.compose(*scale, "ingest=2", "ingest")
    stack.wait_healthy({"ingest": 2}, timeout_s=120)
    retired = stack.compose(
        "run", "--rm", "--no-deps", "ingest", "parking-ingest", "--client-id", third, "--retire",
        timeout_s=700,
    )  # fmt: skip
    said = [
        line
        for line in (retired.stdout + retired.stderr).splitlines()
        if line.startswith("parking-ingest: retired")
    ]
    assert said, retired.stdout + retired.stderr
    stack.log(said[0])


def sigkill(stack: ComposeStack, container: str) -> None:
    """SIGKILL the container's main process from the host (a crash: the restart policy
    applies), or `docker kill` where we cannot see its process."""
    pid = int(stack.docker("inspect", "--format", "{{.State.Pid}}", container).stdout)
    try:
        os.kill(pid, signal.SIGKILL)
    except (PermissionError, ProcessLookupError):
        stack.docker("kill", "--signal", "KILL", container)


def restarted(stack: ComposeStack, container: str, service: str, count: int) -> None:
    def back() -> bool | None:
        return stack.healthy(service, count) or None

    try:
        wait_until(back, f"{container} to be restarted by its policy", timeout_s=90)
    except StackError:
        stack.docker("start", container)
        wait_until(back, f"{container} to be healthy again", timeout_s=120)


def outboxes(stack: ComposeStack) -> dict[str, tuple[int, set[int]]]:
    """Per simulated node: its last seq and the seqs its outbox still holds."""
    out = stack.docker(
        "run", "--rm", "--volume", f"{PROJECT}_simulator-state:/state", "--entrypoint", "python",
        f"parking/node:{stack.settings['PARKING_VERSION']}", "-c", OUTBOX_SCRIPT,
    ).stdout  # fmt: skip
    return {
        node: (int(state["last"]), {int(seq) for seq in state["held"]})
        for node, state in json.loads(out).items()
    }


def test_killed_worker_and_broker_lose_nothing(stack: ComposeStack) -> None:
    before = stack.scalar("SELECT count(*) FROM slot_events")
    sigkill(stack, ingest_container(stack, 1))
    restarted(stack, ingest_container(stack, 1), "ingest", 2)
    time.sleep(10)
    sigkill(stack, f"{PROJECT}-mosquitto-1")
    restarted(stack, f"{PROJECT}-mosquitto-1", "mosquitto", 1)
    stack.wait_healthy({"ingest": 2, "api": 1}, timeout_s=120)
    wait_until(
        lambda: stack.scalar("SELECT count(*) FROM slot_events") > before + 20 or None,
        "events to flow again after the broker's restart",
        timeout_s=180,
    )
    stack.compose("stop", "--timeout", "30", "simulator", timeout_s=120)
    nodes = outboxes(stack)
    assert nodes, "the simulator left no node state"

    def missing() -> dict[str, list[int]]:
        rows = stack.psql(
            "SELECT node_id, array_to_string(array_agg(DISTINCT seq ORDER BY seq), ',')"
            " FROM slot_events WHERE origin = 'event' GROUP BY node_id"
        )
        stored = {node: {int(s) for s in seqs.split(",") if s} for node, seqs in rows}
        gaps = {}
        for node, (last, held) in nodes.items():
            lost = sorted(set(range(1, last + 1)) - stored.get(node, set()) - held)
            if lost:
                gaps[node] = lost
        return gaps

    try:
        wait_until(
            lambda: None if missing() else True,
            "every event in the database or held by its node",
            timeout_s=180,
        )
    except StackError:
        pytest.fail(f"events neither stored nor held by their node: {missing()}")
    made = sum(last for last, _ in nodes.values())
    held = sum(len(seqs) for _, seqs in nodes.values())
    stored = stack.scalar("SELECT count(*) FROM slot_events WHERE origin = 'event'")
    dead = stack.scalar("SELECT coalesce(sum(occurrences), 0) FROM dead_letters")
    stack.log(
        f"after SIGKILL of ingest-1 and of the broker: {len(nodes)} nodes made {made} events;"
        f" {stored} stored once each, {held} still held by their node, 0 lost;"
        f" dead letters {dead}"
    )


def test_image_sizes_and_memory_at_rest(stack: ComposeStack) -> None:
    for name, size in stack.image_sizes().items():
        stack.log(f"image {name}: {size / 1e6:.0f} MB")
    time.sleep(15)  # the simulator is stopped: the stack at rest
    ids = [c["Name"] for c in stack.containers() if c["State"] == "running"]
    stats = stack.docker(
        "stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}\t{{.CPUPerc}}", *ids
    ).stdout
    for line in sorted(stats.splitlines()):
        stack.log(f"at rest: {line.expandtabs(34)}")
    assert len(stats.splitlines()) == len(ids)
    assert {f"parking/{t}:{stack.settings['PARKING_VERSION']}" for t in TARGETS} <= set(
        stack.image_sizes()
    )
