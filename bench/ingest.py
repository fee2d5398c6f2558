"""Ingest benchmark: our workers against the naive baseline and the raw limits, in one run.

    python -m bench.ingest [--events 200000] [--slots 300] [--rate 1000] [--latency-s 10]

Starts a throwaway PostgreSQL (fsync off, commit timestamps on) and Mosquitto (the repo's
flow-control settings), publishes from separate processes with a bounded in-flight window,
and prints: sustained events/s into PostgreSQL for 1 and 2 workers, publish -> commit latency
p50/p99 at a fixed offered load, and the same figures for one INSERT + commit per message,
a C client (mosquitto_sub) draining the same QoS 1 stream, a paho subscriber that only
counts, and a bulk COPY of the same rows; ours as ratios to them; then a profile.
"""

import argparse
import cProfile
import io
import json
import multiprocessing
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from ingest_service.db import Database
from ingest_service.settings import IngestSettings
from ingest_service.transport import PahoTransport
from ingest_service.worker import Worker
from schemas.db import Node, Operator
from schemas.db.layout_import import import_layout
from schemas.db.migrate import upgrade
from schemas.layout import parse_layout
from schemas.topics import NodeTopicKind, node_topic, node_wildcard
from tests.support.mosquitto import MosquittoServer, running_mosquitto
from tests.support.postgres import FAST, PostgresCluster
from tests.support.processes import free_port
from tests.support.slot_maps import slot_map

WINDOW = 100  # = max_inflight_messages in broker/: paho ignores the broker's Receive Maximum
NODES = 10
T0 = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
HORIZON_S = 20 * 365 * 86_400  # the stream's fixed times stay within the workers' horizon


# Payloads --------------------------------------------------------------------------------


def payload(node: int, slot: int, seq: int, at: datetime) -> tuple[str, bytes]:
    """A realistic occupancy event (the same shape nodes publish)."""
    body = {
        "schema": "parking.occupancy/1", "event_id": str(uuid.uuid4()), "node_id": f"bn-{node}",
        "lot_id": "bench", "slot_id": f"S{slot:04d}", "status": ("free", "occupied")[seq % 2],
        "confidence": 0.93, "observed_at": at.isoformat(timespec="milliseconds").replace(
            "+00:00", "Z"), "seq": seq, "detector": "onnx:yolov8n-2026.10",
    }  # fmt: skip
    return node_topic(f"bn-{node}", NodeTopicKind.OCCUPANCY), json.dumps(body).encode()


def write_stream(path: Path, n: int, slots: int) -> None:
    """N events over `slots` slots, round-robin, as `topic\\tpayload` lines."""
    with path.open("wb") as out:
        for i in range(n):
            slot = i % slots
            topic, body = payload(
                slot % NODES, slot, i // NODES + 1, T0 + timedelta(milliseconds=i)
            )
            out.write(topic.encode() + b"\t" + body + b"\n")


# Publishers (separate processes) -------------------------------------------------------------


def _client(host: str, port: int, client_id: str, **kwargs: Any) -> mqtt.Client:
    client = mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, **kwargs
    )
    client.max_inflight_messages_set(WINDOW)
    return client


def publish_file(host: str, port: int, path: str, result: Any) -> None:
    """Publish every line at QoS 1, at most WINDOW unacknowledged (16-bit mids!)."""
    window = threading.Semaphore(WINDOW)
    client = _client(host, port, f"bench-pub-{uuid.uuid4().hex[:6]}")
    client.on_publish = lambda *_: window.release()
    client.connect(host, port)
    client.loop_start()
    started = time.perf_counter()
    last = None
    with Path(path).open("rb") as lines:
        for line in lines:
            topic, body = line.rstrip(b"\n").split(b"\t", 1)
            window.acquire()
            last = client.publish(topic.decode(), body, qos=1)
    if last is not None:
        last.wait_for_publish(timeout=120)
    for _ in range(WINDOW):  # every acknowledgement back
        window.acquire()
    result.value = time.perf_counter() - started
    client.disconnect()
    client.loop_stop()


def publish_paced(host: str, port: int, slots: int, rate: int, seconds: float) -> None:
    """A fixed offered load; observed_at is the publish instant (latency = commit - observed)."""
    window = threading.Semaphore(WINDOW)
    client = _client(host, port, f"bench-pace-{uuid.uuid4().hex[:6]}")
    client.on_publish = lambda *_: window.release()
    client.connect(host, port)
    client.loop_start()
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        due = start + i / rate
        if (pause := due - time.perf_counter()) > 0:
            time.sleep(pause)
        slot = i % slots
        topic, body = payload(slot % NODES, slot, 1 + i, datetime.now(UTC))
        window.acquire()
        client.publish(topic, body, qos=1)
    for _ in range(WINDOW):
        window.acquire()
    client.disconnect()
    client.loop_stop()


def end_sessions(broker: MosquittoServer, client_ids: Sequence[str]) -> None:
    """Discard finished runs' persistent sessions: the broker would go on queueing every
    later message for them (up to max_queued_messages), loading every later figure."""
    for client_id in client_ids:
        client = _client(broker.host, broker.port, client_id)
        client.connect(broker.host, broker.port, clean_start=True)  # session expiry 0
        client.loop_start()
        client.disconnect()
        client.loop_stop()


def run_publisher(broker: MosquittoServer, stream: Path) -> float:
    ctx = multiprocessing.get_context("spawn")
    seconds = ctx.Value("d", 0.0)
    process = ctx.Process(
        target=publish_file, args=(broker.host, broker.port, str(stream), seconds)
    )
    process.start()
    process.join()
    return float(seconds.value)


# Database ---------------------------------------------------------------------------------


def setup_database(cluster: PostgresCluster, slots: int) -> str:
    with cluster.server.admin() as admin:
        admin.execute("CREATE DATABASE bench")
    url = cluster.server.url("bench")
    upgrade(url)
    layout = {
        "code": "bench", "name": "Bench", "operator": "bench", "address": "-",
        "location": {"lat": 52.0, "lon": 4.0}, "timezone": "UTC",
        "floors": [{"level": 0, "name": "G", "rows": [
            {"name": f"R{r}", "slots": [{"code": f"S{s:04d}", "kind": "standard"}
                                        for s in range(r * 30, min(slots, r * 30 + 30))]}
            for r in range((slots + 29) // 30)]}],
    }  # fmt: skip
    engine = create_engine(url)
    with Session(engine) as session, session.begin():
        session.add(Operator(code="bench", name="Bench"))
        session.flush()
        import_layout(session, parse_layout(json.dumps(layout)), actor="bench")
        lot_id: int = session.execute(text("SELECT id FROM parking_lots")).scalar_one()
        session.add_all(
            Node(
                id=f"bn-{n}",
                lot_id=lot_id,
                slot_map=slot_map(
                    f"bn-{n}", "bench", [f"S{s:04d}" for s in range(n, slots, NODES)]
                ),
                created_at=T0 - timedelta(days=1),
            )
            for n in range(NODES)
        )
    engine.dispose()
    return url


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def reset(url: str) -> None:
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        conn.execute(
            "TRUNCATE slot_events, parking_sessions, dead_letters, published_slot_states, "
            "published_availability, node_receipts, refused_seqs"
        )
        conn.execute(
            "UPDATE slots SET detected_status = 'unknown', detected_at = NULL, "
            "detected_seq = NULL, detected_event_id = NULL, status = 'unknown'"
        )
        conn.execute("UPDATE nodes SET last_seq = NULL")


def count(url: str) -> int:
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute("SELECT count(*) FROM slot_events").fetchone()
        return int(row[0]) if row else 0


def commit_span(url: str) -> float:
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute(
            "SELECT extract(epoch FROM max(pg_xact_commit_timestamp(xmin)) "
            "- min(pg_xact_commit_timestamp(xmin))) FROM slot_events"
        ).fetchone()
        return float(row[0]) if row and row[0] else float("nan")


def wait_count(url: str, n: int, timeout: float = 1800) -> float:
    started = time.perf_counter()
    while count(url) < n:
        if time.perf_counter() - started > timeout:
            raise TimeoutError(f"only {count(url)} of {n} events after {timeout} s")
        time.sleep(0.1)
    return time.perf_counter() - started


# Our workers --------------------------------------------------------------------------------


class Workers:
    """`python -m ingest_service` processes in one share group."""

    def __init__(self, url: str, broker: MosquittoServer, n: int, log: Path) -> None:
        # Client ids of their own per group: a session keeps its subscriptions, so a worker
        # reusing another run's id would also drain that run's share group.
        self.specs = [(f"svc-bench{n}-w{i}", free_port()) for i in range(n)]
        self._env = {**os.environ, "DATABASE_URL": url, "MQTT_URL": broker.url,
                     "INGEST_SHARE_GROUP": f"bench{n}", "INGEST_LOG_LEVEL": "WARNING",
                     "INGEST_MAX_EVENT_AGE_S": str(HORIZON_S)}  # fmt: skip
        self._log = log
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        with self._log.open("ab") as log:
            for client_id, port in self.specs:
                env = {**self._env, "INGEST_HTTP_PORT": str(port)}
                self.processes.append(subprocess.Popen(  # noqa: S603 - our own interpreter
                    [sys.executable, "-m", "ingest_service", "--client-id", client_id],
                    env=env, stdout=log, stderr=subprocess.STDOUT,
                ))  # fmt: skip
        for _, port in self.specs:
            _wait_ready(port)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)
        self.processes = []


def _wait_ready(port: int) -> None:
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError("worker not ready")


def ours_sustained(
    url: str, broker: MosquittoServer, stream: Path, *, n: int, workers: int, log: Path
) -> dict[str, float]:
    """Backlog drain: sessions subscribed, N published, then the workers start and drain it."""
    reset(url)
    group = Workers(url, broker, workers, log)
    group.start()
    group.stop()  # persistent sessions keep the subscriptions; the broker queues for them
    publish_s = run_publisher(broker, stream)
    group.start()
    wall = wait_count(url, n)
    group.stop()
    end_sessions(broker, [client_id for client_id, _ in group.specs])
    return {
        "events_s": n / commit_span(url),
        "wall_events_s": n / wall,
        "publish_events_s": n / publish_s,
    }


def ours_latency(
    url: str,
    broker: MosquittoServer,
    *,
    slots: int,
    rate: int,
    seconds: float,
    workers: int,
    log: Path,
) -> tuple[float, float]:
    reset(url)
    group = Workers(url, broker, workers, log)
    group.start()
    ctx = multiprocessing.get_context("spawn")
    process = ctx.Process(
        target=publish_paced, args=(broker.host, broker.port, slots, rate, seconds)
    )
    process.start()
    process.join()
    wait_count(url, int(rate * seconds))
    group.stop()
    end_sessions(broker, [client_id for client_id, _ in group.specs])
    with psycopg.connect(libpq(url)) as conn:
        row = conn.execute(
            "SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM "
            "pg_xact_commit_timestamp(xmin) - observed_at)) FROM slot_events"
        ).fetchone()
    if row is None:
        raise RuntimeError("no latency rows")
    p50, p99 = row[0]
    return p50 * 1000, p99 * 1000


# Baselines ---------------------------------------------------------------------------------


def c_drain(broker: MosquittoServer, stream: Path, n: int, v5: bool) -> float:
    """mosquitto_sub (C) draining a QoS 1 backlog of N from its persistent session."""
    exe = shutil.which("mosquitto_sub")
    if exe is None:
        raise FileNotFoundError("mosquitto_sub (package mosquitto-clients) is needed")
    cid = f"cdrain-{uuid.uuid4().hex[:6]}"
    base = [exe, "-h", broker.host, "-p", str(broker.port), "-q", "1", "-c", "-i", cid,
            "-t", node_wildcard(NodeTopicKind.OCCUPANCY)]  # fmt: skip
    if v5:
        base += ["-V", "mqttv5", "-x", "3600", "-D", "connect", "receive-maximum", "4000"]
    subprocess.run([*base, "-E"], check=True)  # noqa: S603 - fixed arguments
    run_publisher(broker, stream)
    started = time.perf_counter()
    subprocess.run([*base, "-C", str(n)], check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    rate = n / (time.perf_counter() - started)
    end_sessions(broker, [cid])
    return rate


def paho_count_drain(host: str, port: int, n: int, result: Any) -> None:
    done = threading.Event()
    seen = [0]

    def on_message(*_: Any) -> None:
        seen[0] += 1
        if seen[0] >= n:
            done.set()

    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 4000
    client = _client(host, port, "paho-count")
    client.on_message = on_message
    client.connect(host, port, clean_start=False, properties=props)
    client.subscribe(node_wildcard(NodeTopicKind.OCCUPANCY), qos=1)
    client.loop_start()
    if result is None:  # session set-up only
        time.sleep(0.5)
    else:
        started = time.perf_counter()
        done.wait(timeout=1800)
        result.value = n / (time.perf_counter() - started)
    client.disconnect()
    client.loop_stop()


def naive_consumer(host: str, port: int, url: str, n: int, result: Any) -> None:
    """What typical projects do: on_message -> one INSERT, one commit."""
    conn = psycopg.connect(libpq(url), autocommit=True)
    slot_ids: dict[str, int] = dict(conn.execute("SELECT code, id FROM slots").fetchall())
    lot_id = conn.execute("SELECT id FROM parking_lots").fetchone()[0]  # type: ignore[index]
    done = threading.Event()
    seen = [0]

    def on_message(_c: Any, _u: Any, msg: mqtt.MQTTMessage) -> None:
        e = json.loads(msg.payload)
        conn.execute(
            "INSERT INTO slot_events (event_id, slot_id, lot_id, node_id, status, confidence, "
            "observed_at, seq, detector) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) "
            "ON CONFLICT DO NOTHING",
            (e["event_id"], slot_ids[e["slot_id"]], lot_id, e["node_id"], e["status"],
             e["confidence"], e["observed_at"], e["seq"], e["detector"]),
        )  # fmt: skip
        seen[0] += 1
        if seen[0] >= n:
            done.set()

    props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    props.SessionExpiryInterval = 3600
    client = _client(host, port, "naive")
    client.on_message = on_message
    client.connect(host, port, clean_start=False, properties=props)
    client.subscribe(node_wildcard(NodeTopicKind.OCCUPANCY), qos=1)
    client.loop_start()
    if result is None:
        time.sleep(0.5)
    else:
        started = time.perf_counter()
        done.wait(timeout=3600)
        result.value = n / (time.perf_counter() - started)
    client.disconnect()
    client.loop_stop()
    conn.close()


def drain_in_process(
    target: Any, args: tuple[Any, ...], broker: MosquittoServer, stream: Path, client_id: str
) -> float:
    ctx = multiprocessing.get_context("spawn")
    setup = ctx.Process(target=target, args=(*args, None))
    setup.start()
    setup.join()
    run_publisher(broker, stream)
    value = ctx.Value("d", 0.0)
    process = ctx.Process(target=target, args=(*args, value))
    process.start()
    process.join()
    end_sessions(broker, [client_id])
    return float(value.value)


def bulk_copy(url: str, n: int, slots: int) -> float:
    """The raw limit of the database: COPY N rows straight into slot_events."""
    reset(url)
    with psycopg.connect(libpq(url)) as conn:
        slot_ids: dict[str, int] = dict(conn.execute("SELECT code, id FROM slots").fetchall())
        lot_id = conn.execute("SELECT id FROM parking_lots").fetchone()[0]  # type: ignore[index]
        rows = [
            (uuid.uuid4(), slot_ids[f"S{i % slots:04d}"], lot_id, f"bn-{i % NODES}", "free", 0.9,
             T0 + timedelta(milliseconds=i), i, "onnx")
            for i in range(n)
        ]  # fmt: skip
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy(
                "COPY slot_events (event_id, slot_id, lot_id, node_id, status, confidence, "
                "observed_at, seq, detector) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        conn.commit()
        return n / (time.perf_counter() - started)


def profile_worker(url: str, broker: MosquittoServer, stream: Path, n: int) -> str:
    """cProfile of one in-process worker draining a backlog: its loop and network threads."""
    reset(url)
    settings = IngestSettings(database_url=url, mqtt_url=broker.url, client_id="svc-bench-prof",
                              share_group="benchprof", http_port=0,
                              max_event_age_s=HORIZON_S)  # fmt: skip

    def make() -> Worker:
        return Worker(settings, PahoTransport(settings), Database(settings.libpq_url))

    first = make()
    thread = threading.Thread(target=first.run)
    thread.start()
    while not first.ready():
        time.sleep(0.05)
    first.stop()
    thread.join()
    run_publisher(broker, stream)
    worker = make()
    loop, network = cProfile.Profile(), cProfile.Profile()
    deliver = worker.deliver
    network_started = threading.Event()

    def profiled_deliver(message: Any) -> None:
        # cProfile follows one thread: start the network thread's at its first message.
        if not network_started.is_set():
            network_started.set()
            network.enable()
        deliver(message)

    worker.deliver = profiled_deliver  # type: ignore[method-assign]

    def run() -> None:
        loop.enable()
        worker.run()
        loop.disable()

    cpu0 = time.process_time()
    thread = threading.Thread(target=run)
    thread.start()
    wait_count(url, n)
    worker.stop()
    thread.join()
    cpu = time.process_time() - cpu0
    batch = next(iter(worker.metrics.batch_seconds.collect())).samples
    db_s = next(s.value for s in batch if s.name.endswith("_sum"))
    parts = [f"process CPU {cpu:.1f} s for {n} events; inside write+commit (batch_seconds sum) "
             f"{db_s:.1f} s"]  # fmt: skip
    for name, profiler in (("loop thread", loop), ("network thread (paho + validation)", network)):
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer)
        stats.sort_stats("tottime").print_stats(12)
        lines = [line for line in buffer.getvalue().splitlines() if line.strip()]
        parts += [f"-- {name}", *lines[:20]]
    return "\n".join(parts)


# Main -------------------------------------------------------------------------------------


def out(text: str = "") -> None:
    """A line of the report on standard output."""
    sys.stdout.write(text + "\n")


@contextmanager
def servers(workdir: Path) -> Iterator[tuple[PostgresCluster, MosquittoServer]]:
    cluster = PostgresCluster(
        workdir / "pg", [*FAST, "track_commit_timestamp=on", "max_connections=50"]
    )
    cluster.start()
    try:
        with running_mosquitto(workdir / "mqtt") as broker:
            yield cluster, broker
    finally:
        cluster.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--slots", type=int, default=300)
    parser.add_argument("--rate", type=int, default=1000, help="offered load for latency")
    parser.add_argument("--latency-s", type=float, default=10)
    parser.add_argument("--naive-events", type=int, default=20_000)
    parser.add_argument("--profile-events", type=int, default=50_000)
    args = parser.parse_args(argv)
    n = args.events
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        workdir = Path(tmp)
        workdir.chmod(0o755)
        with servers(workdir) as (cluster, broker):
            url = setup_database(cluster, args.slots)
            stream, small = workdir / "stream.txt", workdir / "small.txt"
            write_stream(stream, n, args.slots)
            write_stream(small, args.naive_events, args.slots)
            log = workdir / "workers.log"
            r: dict[str, Any] = {}
            r["c_v3"] = c_drain(broker, stream, n, v5=False)
            r["c_v5"] = c_drain(broker, stream, n, v5=True)
            r["paho_count"] = drain_in_process(
                paho_count_drain, (broker.host, broker.port, n), broker, stream, "paho-count"
            )
            r["copy"] = bulk_copy(url, n, args.slots)
            reset(url)
            r["naive"] = drain_in_process(
                naive_consumer,
                (broker.host, broker.port, url, args.naive_events),
                broker,
                small,
                "naive",
            )
            for w in (1, 2):
                r[f"ours{w}"] = ours_sustained(url, broker, stream, n=n, workers=w, log=log)
                r[f"lat{w}"] = ours_latency(
                    url, broker, slots=args.slots, rate=args.rate, seconds=args.latency_s,
                    workers=w, log=log,
                )  # fmt: skip
            warnings = [line for line in log.read_text().splitlines() if '"WARNING"' in line]
            r["warnings"] = [w for w in warnings if "disconnected from the broker" not in w]
            profiled = workdir / "profiled.txt"
            write_stream(profiled, args.profile_events, args.slots)
            profile = profile_worker(url, broker, profiled, args.profile_events)
    report(r, n, args)
    out(f"\nWorker warnings during the runs: {len(r['warnings'])}")
    for line in r["warnings"][:5]:
        out(f"  {line[:200]}")
    out("\nProfile of one worker:")
    out(profile)
    return 0


def report(r: dict[str, Any], n: int, args: argparse.Namespace) -> None:
    out(f"\nIngest benchmark: {n} events over {args.slots} slots, {os.cpu_count()} CPUs, "
          "loopback; PostgreSQL fsync=off (same for every figure)\n")  # fmt: skip
    rows = [
        ("C mosquitto_sub drain, QoS 1, MQTT 3.1.1 (window 100)", r["c_v3"]),
        ("C mosquitto_sub drain, QoS 1, MQTT 5 (receive-maximum 4000)", r["c_v5"]),
        ("paho subscriber that only counts, QoS 1", r["paho_count"]),
        ("bulk COPY of the same rows into slot_events", r["copy"]),
        (f"naive: one INSERT + commit per message ({args.naive_events} events)", r["naive"]),
    ]
    for label, value in rows:
        out(f"  {label:<66} {value:>10,.0f} events/s")
    for w in (1, 2):
        o = r[f"ours{w}"]
        label = f"ours, {w} worker{'s' if w > 1 else ''} (sustained, first to last commit)"
        out(f"  {label:<66} {o['events_s']:>10,.0f} events/s   (wall incl. start-up "
            f"{o['wall_events_s']:,.0f}; publisher {o['publish_events_s']:,.0f})")  # fmt: skip
    out()
    for w in (1, 2):
        ours = r[f"ours{w}"]["events_s"]
        out(f"  {w} worker(s): {ours / r['naive']:.1f}x naive, {ours / r['c_v5']:.0%} of C drain "
              f"(v5), {ours / r['c_v3']:.0%} of C drain (v3), {ours / r['paho_count']:.0%} of "
              f"paho count-only, {ours / r['copy']:.0%} of bulk COPY")  # fmt: skip
    for w in (1, 2):
        p50, p99 = r[f"lat{w}"]
        out(f"  latency publish -> commit at {args.rate}/s, {w} worker(s): "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
