"""The fault matrix: real node publishers, two ingest workers and real servers, one fault at a time.

One scenario, shared by `tests/integration/test_fault_matrix.py` (which asserts on it) and
`bench/faults.py` (which prints it):

- a PostgreSQL cluster of its own (so it can be restarted), migrated, with an example lot
  imported and the camera nodes registered for it;
- a Mosquitto of its own as the local stack runs it (`infra.local.broker`): dynamic security
  with the service accounts and one account per node written by `infra.mosquitto.dynsec`,
  persistence on, the repository's `broker/conf.d` flow control;
- two `python -m ingest_service --client-id ...` processes with stable client ids, logging in
  as the `ingest` service account;
- the camera nodes in this process: `NodeCore` + `Outbox` + `MqttLink` in a thread each,
  logging in with their own account; events are `NodeCore.emit(Change(...))` calls made at a
  bounded rate over the lot's slots (each node owns a disjoint share of them).

Each fault gets its own phase of events; the fault strikes once part of the phase has been
emitted, and the rest is emitted while it lasts. Then the scenario waits (bounded) until
every node's outbox is empty and the workers have been quiet for a while, and measures the
phase: sent, stored, lost, duplicated (event ids stored twice), redelivered (copies the workers
found already stored: their `ingest_duplicates_total`), the time to converge, and whether every
slot the phase touched holds its newest observation as its detected state.

An empty outbox means "the broker acknowledged everything" for a node that trusts PUBACK,
and "the cloud committed everything" for one that waits for ingest's receipts; either way it
is the node's own claim that nothing is left to send, which is what `lost` checks.
"""

import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from psycopg.rows import TupleRow
from pydantic import SecretStr
from sqlalchemy import create_engine

from infra.local.broker import prepare_broker
from pi_node.core import NodeCore
from pi_node.debounce import Change
from pi_node.mqtt import LinkOptions, MqttLink
from pi_node.outbox import Outbox
from pi_node.settings import NodeSettings
from schemas.db.migrate import upgrade
from schemas.enums import DetectedStatus
from schemas.messages import NodeConfig, OccupancyEvent
from tests.integration.ingest_service.brokers import dynsec_plugin
from tests.integration.ingest_service.support import import_example_lot, register_node, slot_codes
from tests.support.postgres import FAST, PostgresCluster
from tests.support.processes import find_binary, free_port, hand_over, unprivileged_user

__all__ = [
    "FAULTS",
    "FaultResult",
    "FaultScenario",
    "MatrixOptions",
    "Takeover",
    "dynsec_plugin",
    "fault_scenario",
]

# Fault key -> what it does. Run in this order, one after another, each mid-stream.
FAULTS: Final = {
    "a": "Mosquitto SIGTERM, restart (same port and persistence)",
    "b": "Mosquitto SIGKILL, restart (same port and persistence)",
    "c": "SIGKILL one ingest worker, restart (same client id)",
    "d": "PostgreSQL restart (fast shutdown, start)",
    "e": "session takeover: node credentials, a worker's client id",
}
LOT: Final = "harbour-surface"  # 24 slots: many events per slot, so order matters
DATABASE: Final = "parking"
INGEST_PASSWORD: Final = "fault-matrix-ingest-0123"  # a throwaway broker
ADMIN_PASSWORD: Final = "fault-matrix-admin-0123"
# Service client ids: stable across restarts, and of the reserved service form.
WORKER_IDS: Final = ("svc-ingest-1", "svc-ingest-2")
FAULT_AT: Final = 0.4  # share of a phase emitted before its fault strikes
START_TIMEOUT_S: Final = 30.0
POLL_S: Final = 0.1
KICK_GRACE_S: Final = 1.0  # after a takeover attempt, how long a kicked worker has to log it
DISCONNECTED: Final = "disconnected from the broker"  # the worker's log line (transport.py)


@dataclass(frozen=True)
class MatrixOptions:
    """What to run: how many events, how fast, over how many nodes, which faults."""

    events: int = 5000
    rate: float = 500.0  # events per second, over all nodes
    nodes: int = 2
    faults: Sequence[str] = tuple(FAULTS)
    down_s: float = 1.0  # how long a stopped server stays down (events keep coming)
    quiet_s: float = 1.5  # outbox empty and workers silent this long = converged
    converge_timeout_s: float = 120.0  # per fault
    takeover_hold_s: float = 1.0  # how long a successful takeover keeps the session
    resend_after_s: float | None = None  # the node's quiet interval before re-sending
    seed: int = 7


@dataclass(frozen=True)
class Takeover:
    """A connect with a node's credentials and a worker's client id."""

    client_id: str
    refused: bool
    reason: str  # the CONNACK reason code
    worker_kicked: bool  # the worker's connection was closed (its log says so)
    stolen: int  # messages the impostor received from the worker's session


@dataclass
class FaultResult:
    """One fault's figures."""

    fault: str
    label: str
    sent: int
    stored: int
    duplicated: int  # event ids stored more than once
    redelivered: int  # copies the workers found already stored (ingest_duplicates_total)
    converged: bool  # outbox empty and workers quiet within the bound
    converge_s: float  # from the fault striking until the last change before quiet
    slots_touched: int
    slots_wrong: list[str]  # detected state is not the slot's newest observation
    slots_unlike_node: list[str]  # detected status differs from the node's own last status
    takeover: Takeover | None = None

    @property
    def lost(self) -> int:
        """Events a node emitted (and no longer holds) that never reached the database."""
        return self.sent - self.stored


# Servers ---------------------------------------------------------------------------------


class DynsecBroker:
    """Mosquitto with dynamic security and persistence, stopped and started on one port."""

    def __init__(self, workdir: Path, plugin: str, nodes: dict[str, str]) -> None:
        self.host, self.port = "127.0.0.1", free_port()
        self._binary = find_binary("mosquitto", "/usr/sbin")
        self._state = workdir
        self._user = unprivileged_user("mosquitto")
        services = {"admin": ADMIN_PASSWORD, "ingest": INGEST_PASSWORD}
        self._config = prepare_broker(workdir, self.port, Path(plugin), services, nodes)
        hand_over(workdir, self._user)
        self.log = workdir / "mosquitto.log"
        self._process: subprocess.Popen[bytes] | None = None

    def url(self, user: str, password: str) -> str:
        return f"mqtt://{user}:{password}@{self.host}:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self._process = subprocess.Popen(
                [self._binary, "-c", str(self._config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                user=self._user,
            )
        _wait(lambda: self._running("Mosquitto") and _listening(self.host, self.port), "broker")

    def stop(self, how: signal.Signals = signal.SIGTERM) -> None:
        """SIGTERM (saves its persistence file) or SIGKILL (keeps the last autosave only)."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.send_signal(how)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _running(self, what: str) -> bool:
        if self._process is None or self._process.poll() is not None:
            raise RuntimeError(f"{what} exited during start-up: see {self.log}")
        return True


def _listening(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=0.2).close()
    except OSError:
        return False
    return True


def _wait(ready: Callable[[], bool], what: str, timeout: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready within {timeout} s")
        time.sleep(0.05)


@dataclass(frozen=True)
class WorkerFigures:
    """What one scrape of a worker's /metrics says (pid tells a restarted process apart)."""

    pid: int
    written: float
    duplicates: float
    pending: float


_SAMPLE = re.compile(r"^(ingest_[a-z_]+)(\{[^}]*\})? (\S+)$", re.MULTILINE)


class WorkerProcess:
    """`python -m ingest_service --client-id ID` with its log file and /metrics port."""

    def __init__(self, client_id: str, env: dict[str, str], log: Path) -> None:
        self.client_id = client_id
        self.port = free_port()
        self.log = log
        self._env = {**env, "INGEST_HTTP_PORT": str(self.port)}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ingest_service", "--client-id", self.client_id],
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        _wait(self.ready, f"worker {self.client_id}")

    def _get(self, path: str) -> tuple[int, str] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as r:
                return int(r.status), r.read().decode()
        except (urllib.error.URLError, OSError):
            return None

    def ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise RuntimeError(f"worker {self.client_id} exited ({code}): see {self.log}")
        answer = self._get("/readyz")
        return answer is not None and answer[0] == 200

    def figures(self) -> WorkerFigures | None:
        """The worker's counters now, or None if it does not answer."""
        if self.process is None or self.process.poll() is not None:
            return None
        answer = self._get("/metrics")
        if answer is None or answer[0] != 200:
            return None
        values: dict[str, float] = {}
        for name, _labels, value in _SAMPLE.findall(answer[1]):
            values[name] = values.get(name, 0.0) + float(value)
        return WorkerFigures(
            self.process.pid,
            values.get("ingest_events_written_total", 0.0),
            values.get("ingest_duplicates_total", 0.0),
            values.get("ingest_pending_messages", 0.0),
        )

    def disconnects(self) -> int:
        """How often the worker logged losing its broker connection (all its processes)."""
        if not self.log.exists():
            return 0
        return self.log.read_text(errors="replace").count(DISCONNECTED)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# Nodes -------------------------------------------------------------------------------------


@dataclass
class Node:
    """A camera node without a camera: its core, outbox and MQTT link (in a thread)."""

    node_id: str
    password: str
    slots: list[str]
    core: NodeCore
    outbox: Outbox
    link: MqttLink
    stop: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(
            target=self.link.run, args=(self.stop,), name=f"node-{self.node_id}", daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        if self.thread is not None:
            self.thread.join(timeout=15)
        self.outbox.close()


def node_config(node_id: str, lot: str, slots: Sequence[str]) -> NodeConfig:
    """A slot map over `slots` (polygons are never looked at: no camera runs)."""
    return NodeConfig.model_validate(
        {
            "node_id": node_id,
            "lot_id": lot,
            "version": 1,
            "camera": {"source": "images/", "fps": 2},
            "detector": {"backend": "classic"},
            "slots": [
                {"slot_id": slot, "polygon": [[i * 10, 0], [i * 10 + 9, 0], [i * 10 + 9, 9]]}
                for i, slot in enumerate(slots)
            ],
        }
    )


def make_node(
    node_id: str,
    password: str,
    lot: str,
    slots: list[str],
    broker: DynsecBroker,
    state: Path,
    options: MatrixOptions,
) -> Node:
    """Wired as `parking-node` wires it (pi_node/__main__.py), from NodeSettings (their
    defaults, but for quicker reconnects and heartbeats)."""
    settings = NodeSettings(
        mqtt_url=SecretStr(broker.url(node_id, password)),
        state_dir=state,
        heartbeat_s=5.0,
        reconnect_min_s=0.1,
        reconnect_max_s=2.0,
    )
    if options.resend_after_s is not None:
        settings = settings.model_copy(update={"resend_after_s": options.resend_after_s})
    outbox = Outbox(settings.state_dir / f"{node_id}.sqlite3", settings.buffer_max_events)
    core = NodeCore(node_config(node_id, lot, slots), outbox, detector="fault-matrix:1")
    link_options = LinkOptions.from_settings(settings, node_id)
    link = MqttLink(core, outbox, link_options, lambda: (2.0, True))
    return Node(node_id, password, slots, core, outbox, link)


@dataclass(frozen=True)
class Emitted:
    """What a node emitted, as the scenario remembers it."""

    event_id: uuid.UUID
    node_id: str
    slot: str
    status: DetectedStatus
    observed_at: datetime
    seq: int

    @property
    def key(self) -> tuple[datetime, int, uuid.UUID]:
        return (self.observed_at, self.seq, self.event_id)


class Emitter:
    """Emits `n` changes at `rate` per second, round-robin over the nodes, in a thread."""

    def __init__(self, nodes: Sequence[Node], n: int, rate: float, rng: random.Random) -> None:
        self._nodes, self._n, self._rate, self._rng = nodes, n, rate, rng
        self.emitted: list[Emitted] = []
        self.count = 0  # readable from other threads (an int assignment is atomic)
        self.failure: Exception | None = None
        self._thread = threading.Thread(target=self._run, name="emitter", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise TimeoutError(f"emitter still running after {timeout} s")
        if self.failure is not None:
            raise RuntimeError("emitting failed") from self.failure

    def _run(self) -> None:
        try:
            started = time.monotonic()
            for i in range(self._n):
                pause = started + i / self._rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                self.emitted.append(self._emit(self._nodes[i % len(self._nodes)]))
                self.count = i + 1
        except Exception as exc:  # noqa: BLE001 - join() reports it
            self.failure = exc

    def _emit(self, node: Node) -> Emitted:
        slot = self._rng.choice(node.slots)
        now = node.core.statuses()[slot]
        status = DetectedStatus.FREE if now is DetectedStatus.OCCUPIED else DetectedStatus.OCCUPIED
        event = node.core.emit(Change(slot, status, 0.9, datetime.now(UTC)))
        if event is None:
            raise RuntimeError(f"{node.node_id} refused slot {slot}")
        return remembered(event)


def remembered(event: OccupancyEvent) -> Emitted:
    return Emitted(
        event.event_id, event.node_id, event.slot_id, event.status, event.observed_at, event.seq
    )


# Takeover ----------------------------------------------------------------------------------


def attempt_takeover(
    broker: DynsecBroker, username: str, password: str, client_id: str, hold_s: float
) -> tuple[ReasonCode | None, int]:
    """Connect as `client_id` with someone else's credentials, resuming its session.

    Returns the CONNACK reason code (None if none came) and how many messages arrived while
    the connection was held. Never reconnects by itself.
    """
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2,
        client_id=client_id,
        protocol=mqtt.MQTTv5,
        reconnect_on_failure=False,
    )
    client.username_pw_set(username, password)
    answered = threading.Event()
    codes: list[ReasonCode] = []
    received = [0]

    def on_connect(
        _c: mqtt.Client, _u: object, _f: object, code: ReasonCode, _p: Properties | None
    ) -> None:
        codes.append(code)
        answered.set()

    def on_message(_c: mqtt.Client, _u: object, _m: mqtt.MQTTMessage) -> None:
        received[0] += 1

    client.on_connect = on_connect
    client.on_message = on_message
    client.connect(broker.host, broker.port, clean_start=False)
    client.loop_start()
    try:
        answered.wait(10)
        if codes and not codes[0].is_failure:
            time.sleep(hold_s)
    finally:
        client.disconnect()
        client.loop_stop()
    return (codes[0] if codes else None), received[0]


# The scenario ------------------------------------------------------------------------------


class FaultScenario:
    """Servers, workers and nodes, running; `run()` takes them through the faults."""

    def __init__(
        self,
        options: MatrixOptions,
        pg: PostgresCluster,
        broker: DynsecBroker,
        workers: list[WorkerProcess],
        nodes: list[Node],
        lot: str,
        libpq_url: str,
    ) -> None:
        self.options = options
        self.pg, self.broker, self.workers, self.nodes = pg, broker, workers, nodes
        self.lot = lot
        self._libpq = libpq_url
        self._rng = random.Random(options.seed)  # noqa: S311 - test data, not secrets
        self._newest: dict[str, Emitted] = {}  # slot -> its newest emitted event, all phases
        self.results: list[FaultResult] = []

    # Phases --------------------------------------------------------------------------

    def run(self, on_result: Callable[[FaultResult], None] = lambda _r: None) -> list[FaultResult]:
        """Every fault in order, each with its share of the events; the figures per fault."""
        faults = list(self.options.faults)
        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown faults {unknown}; choose from {sorted(FAULTS)}")
        share, extra = divmod(self.options.events, len(faults))
        for i, fault in enumerate(faults):
            result = self.phase(fault, share + (1 if i < extra else 0))
            self.results.append(result)
            on_result(result)
        return self.results

    def phase(self, fault: str, n: int) -> FaultResult:
        """Emit `n` events, strike `fault` mid-stream, converge, measure."""
        before = self._figures()
        emitter = Emitter(self.nodes, n, self.options.rate, self._rng)
        emitter.start()
        strike_after = max(1, int(n * FAULT_AT))
        deadline = time.monotonic() + n / self.options.rate + START_TIMEOUT_S
        while emitter.count < strike_after and emitter.failure is None:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {emitter.count} of {n} events emitted")
            time.sleep(0.01)
        struck = time.monotonic()
        takeover = self._strike(fault)
        emitter.join(timeout=n / self.options.rate + 2 * START_TIMEOUT_S)
        for e in emitter.emitted:
            if e.slot not in self._newest or e.key > self._newest[e.slot].key:
                self._newest[e.slot] = e
        ids = [e.event_id for e in emitter.emitted]
        converged, settled = self._converge(ids)
        stored, duplicated = self._stored(ids)
        wrong, unlike = self._check_slots(sorted({e.slot for e in emitter.emitted}))
        return FaultResult(
            fault=fault,
            label=FAULTS[fault],
            sent=len(ids),
            stored=stored,
            duplicated=duplicated,
            redelivered=self._redelivered(before, self._figures()),
            converged=converged,
            converge_s=settled - struck,
            slots_touched=len({e.slot for e in emitter.emitted}),
            slots_wrong=wrong,
            slots_unlike_node=unlike,
            takeover=takeover,
        )

    def _strike(self, fault: str) -> Takeover | None:
        down = self.options.down_s
        if fault in {"a", "b"}:
            self.broker.stop(signal.SIGTERM if fault == "a" else signal.SIGKILL)
            time.sleep(down)
            self.broker.start()
        elif fault == "c":
            self.workers[0].kill()
            self.workers[0].start()
        elif fault == "d":
            self.pg.stop(fast=True)
            time.sleep(down)
            self.pg.start()
        elif fault == "e":
            return self._takeover()
        return None

    def _takeover(self) -> Takeover:
        node, victim = self.nodes[0], self.workers[0]
        kicks = victim.disconnects()
        code, stolen = attempt_takeover(
            self.broker, node.node_id, node.password, victim.client_id, self.options.takeover_hold_s
        )
        time.sleep(KICK_GRACE_S)
        return Takeover(
            client_id=victim.client_id,
            refused=code is not None and code.is_failure,
            reason=str(code),
            worker_kicked=victim.disconnects() > kicks,
            stolen=stolen,
        )

    # Measuring -------------------------------------------------------------------------

    def _figures(self) -> dict[str, WorkerFigures | None]:
        return {w.client_id: w.figures() for w in self.workers}

    @staticmethod
    def _redelivered(
        before: dict[str, WorkerFigures | None], after: dict[str, WorkerFigures | None]
    ) -> int:
        """Duplicates the workers counted in the phase (a restarted process counts from 0;
        what a killed one counted after the last scrape is not known)."""
        total = 0.0
        for client_id, now in after.items():
            if now is None:
                continue
            then = before.get(client_id)
            total += now.duplicates - (then.duplicates if then and then.pid == now.pid else 0.0)
        return round(total)

    def buffered(self) -> int:
        """Events the nodes still hold."""
        return sum(node.core.buffered() for node in self.nodes)

    def _converge(self, ids: Sequence[uuid.UUID]) -> tuple[bool, float]:
        """Wait until the outboxes are empty and nothing moved for `quiet_s`; (converged,
        monotonic time of the last movement)."""
        quiet, deadline = self.options.quiet_s, time.monotonic() + self.options.converge_timeout_s
        last: object = None
        changed = time.monotonic()
        while True:
            buffered = self.buffered()
            figures = self._figures()
            stored = self._count(ids)
            # Not the messages received: heartbeats arrive whatever happens to events.
            writes = [
                None if f is None else (f.pid, f.written, f.duplicates) for f in figures.values()
            ]
            state = (buffered, stored, writes)
            now = time.monotonic()
            settled = (
                buffered == 0
                and stored is not None
                and all(f is not None and f.pending == 0 for f in figures.values())
            )
            if state != last:
                last, changed = state, now
            elif settled and now - changed >= quiet:
                return True, changed
            if now > deadline:
                return False, changed
            time.sleep(POLL_S)

    def _connect(self) -> psycopg.Connection[TupleRow]:
        return psycopg.connect(self._libpq, autocommit=True, connect_timeout=5)

    def _count(self, ids: Sequence[uuid.UUID]) -> int | None:
        try:
            with self._connect() as conn:
                row = conn.execute(
                    "SELECT count(*) FROM slot_events WHERE event_id = ANY(%s)", (list(ids),)
                ).fetchone()
        except psycopg.OperationalError:
            return None
        return int(row[0]) if row else 0

    def _stored(self, ids: Sequence[uuid.UUID]) -> tuple[int, int]:
        """(distinct event ids stored, event ids stored more than once)."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT event_id, count(*) FROM slot_events WHERE event_id = ANY(%s) "
                "GROUP BY event_id",
                (list(ids),),
            ).fetchall()
        return len(rows), sum(1 for _id, copies in rows if copies > 1)

    def _check_slots(self, slots: Sequence[str]) -> tuple[list[str], list[str]]:
        """Slots whose detected state is not their newest observation (stored or emitted),
        and slots whose detected status is not the node's own last status."""
        with self._connect() as conn:
            detected = {
                code: (DetectedStatus(status), at, seq)
                for code, status, at, seq in conn.execute(
                    "SELECT s.code, s.detected_status, s.detected_at, s.detected_seq "
                    "FROM slots s JOIN parking_lots l ON l.id = s.lot_id "
                    "WHERE l.code = %s AND s.code = ANY(%s)",
                    (self.lot, list(slots)),
                ).fetchall()
            }
            newest_stored = {
                code: (DetectedStatus(status), at, seq, event_id)
                for code, status, at, seq, event_id in conn.execute(
                    "SELECT DISTINCT ON (e.slot_id) s.code, e.status, e.observed_at, e.seq, "
                    "e.event_id FROM slot_events e JOIN slots s ON s.id = e.slot_id "
                    "JOIN parking_lots l ON l.id = s.lot_id "
                    "WHERE l.code = %s AND s.code = ANY(%s) "
                    "ORDER BY e.slot_id, e.observed_at DESC, e.seq DESC, e.event_id DESC",
                    (self.lot, list(slots)),
                ).fetchall()
            }
        statuses = {slot: s for node in self.nodes for slot, s in node.core.statuses().items()}
        wrong, unlike = [], []
        for slot in slots:
            emitted = self._newest[slot]
            expected = (emitted.status, emitted.observed_at, emitted.seq)
            stored = newest_stored.get(slot)
            if stored is not None and (stored[1], stored[2], stored[3]) > emitted.key:
                expected = stored[:3]
            if detected.get(slot) != expected:
                wrong.append(slot)
            if slot in detected and detected[slot][0] is not statuses[slot]:
                unlike.append(slot)
        return wrong, unlike


@contextmanager
def fault_scenario(workdir: Path, options: MatrixOptions) -> Iterator[FaultScenario]:
    """Start everything in `workdir` (readable by the servers' users); stop it all on exit.

    Raises FileNotFoundError if Mosquitto's dynamic-security plugin is not installed.
    """
    plugin = dynsec_plugin()
    if plugin is None:
        raise FileNotFoundError("Mosquitto's dynamic-security plugin is not installed")
    workdir.chmod(0o755)
    with ExitStack() as stack:
        pg = PostgresCluster(workdir / "pg", settings=FAST)
        pg.start()
        stack.callback(pg.stop)
        with pg.server.admin() as admin:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
        url = pg.server.url(DATABASE)
        upgrade(url)
        engine = create_engine(url)
        try:
            lot = import_example_lot(engine, LOT)
            slots = slot_codes(engine, lot)
            node_ids = [f"fault-node-{i + 1}" for i in range(options.nodes)]
            # Each node watches its own share of the lot, and its registered slot map says so.
            shares = {node_id: slots[i :: options.nodes] for i, node_id in enumerate(node_ids)}
            for node_id, share in shares.items():
                register_node(engine, node_id, lot, online=False, slots=share)  # a fresh node
        finally:
            engine.dispose()
        passwords = {node_id: f"pw-{uuid.uuid4().hex}" for node_id in node_ids}
        broker = DynsecBroker(workdir / "mosquitto", plugin, passwords)
        broker.start()
        stack.callback(broker.stop)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "MQTT_URL": broker.url("ingest", INGEST_PASSWORD),
            "INGEST_SHARE_GROUP": "ingest",
            "INGEST_SESSION_EXPIRY_S": "600",
            "INGEST_SWEEP_INTERVAL_S": "0.5",
            "INGEST_DB_RETRY_MAX_S": "1",
            "INGEST_LOG_LEVEL": "INFO",
        }
        workers = [WorkerProcess(cid, env, workdir / f"{cid}.log") for cid in WORKER_IDS]
        for worker in workers:
            worker.start()
            stack.callback(worker.terminate)
        nodes = []
        for node_id, share in shares.items():
            node = make_node(
                node_id, passwords[node_id], lot, share, broker, workdir / "nodes", options
            )
            node.start()
            stack.callback(node.close)
            nodes.append(node)
        _wait(lambda: all(n.link.connected.is_set() for n in nodes), "nodes connected")
        libpq = pg.server.url(DATABASE, driver="postgresql")
        yield FaultScenario(options, pg, broker, workers, nodes, lot, libpq)


def result_row(result: FaultResult) -> dict[str, object]:
    """A result as plain JSON-able values (for logs and reports)."""
    row: dict[str, object] = {
        "fault": result.fault,
        "sent": result.sent,
        "stored": result.stored,
        "lost": result.lost,
        "duplicated": result.duplicated,
        "redelivered": result.redelivered,
        "converged": result.converged,
        "converge_s": round(result.converge_s, 2),
        "slots_wrong": len(result.slots_wrong),
        "slots_unlike_node": len(result.slots_unlike_node),
    }
    if result.takeover is not None:
        row["takeover"] = {
            "refused": result.takeover.refused,
            "reason": result.takeover.reason,
            "worker_kicked": result.takeover.worker_kicked,
            "stolen": result.takeover.stolen,
        }
    return row


def describe(results: Sequence[FaultResult]) -> str:
    """One JSON line per fault."""
    return "\n".join(json.dumps(result_row(r)) for r in results)
