"""API benchmark: availability and lot search under gunicorn, beside /healthz in one run.

    python -m bench.api [--seconds 5] [--clients 4] [--database-url URL]

Starts a throwaway PostgreSQL (unless --database-url), seeds a 1,000-slot garage and 499
small lots around it (500 lots), serves the API with gunicorn (2 gthread workers), and
drives it from separate client processes over keep-alive connections. Prints requests/s
and p50/p99 latency for: the trivial /healthz (the baseline), availability with and
without If-None-Match, the same with the per-process cache off (every request queries),
the nearby-lots search, and the raw SQL time of the availability read in-process; then
p99 of availability at half its peak rate (open loop: latency counts from the scheduled
send time, so a stalled server cannot hide its queue).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from statistics import quantiles
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from api_service.services.availability import compute_availability
from schemas.db import Node, Operator
from schemas.db.layout_import import import_layout
from schemas.db.migrate import upgrade
from schemas.layout import parse_layout
from tests.support.postgres import running_postgres
from tests.support.processes import free_port

CENTRE = (52.37, 4.89)
SECRET = "bench-secret-0123456789-abcdefghijklmnop"  # noqa: S105 - throwaway server
ROOT = Path(__file__).resolve().parent.parent


def say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


# Data ------------------------------------------------------------------------------------


def layout(code: str, lat: float, lon: float, *, floors: int, rows: int, per_row: int) -> str:
    return json.dumps(
        {
            "code": code, "name": code, "operator": "bench", "address": "1 Bench St",
            "location": {"lat": lat, "lon": lon}, "timezone": "Europe/Amsterdam",
            "floors": [
                {"level": f, "name": f"F{f}", "rows": [
                    {"name": f"R{r}",
                     "slots": [{"code": f"F{f}-R{r}-{s:03d}"} for s in range(per_row)]}
                    for r in range(rows)]}
                for f in range(floors)
            ],
        }
    )  # fmt: skip


def seed(database_url: str) -> None:
    """The 1,000-slot garage, 499 small lots within ~20 km, random detections."""
    rng = random.Random(1)  # noqa: S311 - reproducible data
    engine = create_engine(database_url)
    with Session(engine) as session:
        session.add(Operator(code="bench", name="Bench"))
        session.flush()
        import_layout(
            session,
            parse_layout(layout("garage", *CENTRE, floors=5, rows=10, per_row=20)),
            actor="bench",
        )
        for i in range(499):
            lat = CENTRE[0] + rng.uniform(-0.18, 0.18)
            lon = CENTRE[1] + rng.uniform(-0.28, 0.28)
            doc = layout(f"lot-{i:03d}", lat, lon, floors=1, rows=2, per_row=10)
            import_layout(session, parse_layout(doc), actor="bench")
        session.commit()
        lots = session.execute(text("SELECT id FROM parking_lots")).scalars().all()
        for lot_id in lots:
            session.add(Node(id=f"node-{lot_id}", lot_id=lot_id, state="online"))
        session.flush()
        session.execute(
            text(
                "UPDATE slots SET detected_node_id = 'node-' || lot_id, detected_at = now(), "
                "detected_status = CASE WHEN random() < 0.6 THEN 'occupied' ELSE 'free' END"
            )
        )
        session.commit()
    with engine.connect() as connection:  # what autovacuum would have done by now
        connection.execute(text("ANALYZE"))
    engine.dispose()


# Server ----------------------------------------------------------------------------------


@contextmanager
def gunicorn(database_url: str, *, cache: bool) -> Iterator[int]:
    port = free_port()
    env = os.environ | {
        "DATABASE_URL": database_url,
        "JWT_SECRET_KEY": SECRET,
        "API_RATE_LIMIT_ENABLED": "false",
        "API_LIVE_UPDATES": "true" if cache else "false",
    }
    command = [
        str(Path(sys.executable).parent / "gunicorn"), "-w", "2", "-k", "gthread",
        "--threads", "4", "-b", f"127.0.0.1:{port}", "--keep-alive", "30",
        "--log-level", "warning", "api_service:create_app()",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, cwd=ROOT)  # noqa: S603 - our own gunicorn
    try:
        for _ in range(200):
            if _get(port, "/healthz") == 200:
                break
            time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(port: int, path: str) -> int:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", path)
        status = connection.getresponse().status
        connection.close()
    except OSError:
        return 0
    return status


# Load ------------------------------------------------------------------------------------


def _client(args: tuple[int, str, dict[str, str], float, float | None]) -> list[float]:
    """One keep-alive connection: closed loop, or open loop at `rate` req/s."""
    port, path, headers, seconds, rate = args
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    latencies: list[float] = []
    start = time.perf_counter()
    n = 0
    while (now := time.perf_counter()) - start < seconds:
        sent_at = now
        if rate is not None:  # open loop: measure from the scheduled send time
            sent_at = start + n / rate
            if sent_at > now:
                time.sleep(sent_at - now)
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status not in {200, 304}:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        latencies.append(time.perf_counter() - sent_at)
        n += 1
    connection.close()
    return latencies


def load(
    port: int, path: str, clients: int, seconds: float, **kw: Any
) -> tuple[float, float, float]:
    """(requests/s, p50 ms, p99 ms) over `clients` processes."""
    headers: dict[str, str] = kw.get("headers", {})
    rate: float | None = kw.get("rate")
    per_client = rate / clients if rate else None
    with multiprocessing.Pool(clients) as pool:
        results = pool.map(_client, [(port, path, headers, seconds, per_client)] * clients)
    latencies = [x for chunk in results for x in chunk]
    cuts = quantiles(latencies, n=100)
    return len(latencies) / seconds, cuts[49] * 1000, cuts[98] * 1000


def raw_sql(database_url: str, rounds: int = 200) -> tuple[float, float, float]:
    """The availability read itself (two statements, one snapshot), in-process."""
    engine = create_engine(database_url)
    sessions = sessionmaker(engine)
    timings = []
    for _ in range(rounds):
        with sessions() as session:
            started = time.perf_counter()
            compute_availability(session, "garage", datetime.now(UTC))
            timings.append(time.perf_counter() - started)
    engine.dispose()
    cuts = quantiles(timings, n=100)
    return 1 / (sum(timings) / len(timings)), cuts[49] * 1000, cuts[98] * 1000


def row(name: str, figures: tuple[float, float, float], baseline: float | None) -> None:
    rate, p50, p99 = figures
    share = f"{rate / baseline:6.0%}" if baseline else "      "
    say(f"  {name:<44} {rate:9.0f} req/s {share}  p50 {p50:7.2f} ms  p99 {p99:7.2f} ms")


def run(database_url: str, seconds: float, clients: int) -> None:
    upgrade(database_url)
    seed(database_url)
    near = f"/api/v1/lots?lat={CENTRE[0]}&lon={CENTRE[1]}&radius_m=30000&limit=20"
    availability = "/api/v1/lots/garage/availability"
    say(
        f"\nAPI benchmark: gunicorn 2 gthread workers, {clients} client processes, "
        f"{seconds:.0f} s per figure, {os.cpu_count()} CPUs; lot of 1,000 slots, 500 lots"
    )
    with gunicorn(database_url, cache=True) as port:
        etag = _etag(port, availability)
        healthz = load(port, "/healthz", clients, seconds)
        base = healthz[0]
        row("GET /healthz (baseline)", healthz, None)
        peak = load(port, availability, clients, seconds)
        row("GET availability", peak, base)
        cached = load(port, availability, clients, seconds, headers={"If-None-Match": etag})
        row("GET availability, If-None-Match -> 304", cached, base)
        row(
            "GET /lots near a point (30 km: all 500 lots)", load(port, near, clients, seconds), base
        )
        only_free = load(port, near + "&available=true", clients, seconds)
        row("GET /lots near a point, available=true", only_free, base)
        half = load(port, availability, clients, seconds, rate=peak[0] / 2)
        row(f"GET availability, open loop at {peak[0] / 2:.0f}/s (half peak)", half, None)
        if half[0] < 0.95 * peak[0] / 2:
            say("    (the senders fell behind their schedule: this figure measures the client)")
    with gunicorn(database_url, cache=False) as port:
        uncached = load(port, availability, clients, seconds)
        row("GET availability, cache off (query each time)", uncached, base)
    row("availability SQL alone, in-process (1 conn)", raw_sql(database_url), None)
    say("\n  % = share of the /healthz rate measured in the same run. Targets: availability")
    say("  >= 50% of /healthz; p99 <= 25 ms at half of availability's peak rate.")


def _etag(port: int, path: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    response.read()
    return response.getheader("ETag") or ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each figure")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--database-url", help="an empty database to use (default: throwaway)")
    args = parser.parse_args(argv)
    if args.database_url:
        run(args.database_url, args.seconds, args.clients)
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="bench-pg-") as workdir,
        running_postgres(Path(workdir)) as pg,
    ):
        with pg.admin() as admin:
            admin.execute("CREATE DATABASE bench")
        run(pg.url("bench"), args.seconds, args.clients)
    return 0


if __name__ == "__main__":
    sys.exit(main())
