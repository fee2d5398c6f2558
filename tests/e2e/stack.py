"""The local stack of `make demo`, started by its own script on free ports, for end-to-end tests.

`infra.local.demo --only broker,db,api` prepares the state (broker with dynamic security,
migrated and seeded database) and runs those three under honcho; the tests start ingest
workers and camera nodes themselves, with the same commands and environment as the Procfile,
because they kill and restart them (honcho stops everything when one of its processes exits).
"""

import json
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import psycopg

from infra.local.ports import any_free_port

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
T = TypeVar("T")


def eventually(check: Callable[[], T | None], what: str, timeout_s: float = 60.0) -> T:
    """Poll `check` until it returns a value (not None); fail naming `what` after the timeout.

    Polls twice a second: the public API allows a client 300 requests a minute.
    """
    deadline = time.monotonic() + timeout_s
    last: T | None = None
    while time.monotonic() < deadline:
        last = check()
        if last is not None:
            return last
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout_s:g} s waiting for {what}")


def read_env(path: Path) -> dict[str, str]:
    """The KEY='value' lines demo.py writes (stack.env)."""
    pairs = (shlex.split(line)[0] for line in path.read_text().splitlines() if line.strip())
    return dict(pair.split("=", 1) for pair in pairs)


@dataclass
class LocalStack:
    """A running stack: its state folder, environment, secrets and the processes tests added."""

    state: Path
    env: dict[str, str]
    secrets: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.env['DEMO_API_PORT']}"

    @property
    def mqtt_port(self) -> int:
        return int(self.env["DEMO_MQTT_PORT"])

    def get(self, path: str) -> Any:
        """GET a JSON resource of the API (fails on any status but 200)."""
        with urllib.request.urlopen(self.api + path, timeout=5) as response:  # noqa: S310
            return json.load(response)

    def try_get(self, path: str) -> Any:
        """GET, or None while the API is not answering yet."""
        try:
            return self.get(path)
        except (urllib.error.URLError, ConnectionError):
            return None

    def sql(self, query: str, *params: object) -> list[tuple[Any, ...]]:
        """Rows of a query on the stack's database."""
        url = self.env["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(url) as connection:
            return connection.execute(query, params).fetchall()

    def start(self, name: str, argv: list[str], **extra_env: str) -> subprocess.Popen[bytes]:
        """Start one of our console scripts with the stack's environment; log to the state dir."""
        env = os.environ | self.env | extra_env
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        with (self.state / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                [str(BIN / argv[0]), *argv[1:]], cwd=REPO, env=env, stdout=log, stderr=log
            )
        self.processes[name] = process
        return process

    def start_worker(self, number: int) -> subprocess.Popen[bytes]:
        """An ingest worker as the Procfile runs it (stable client id e2e-ingest-<n>), ready.

        Ready means connected and subscribed: a QoS 1 message published before the first
        subscription of a worker's session would find no subscriber and be dropped.
        """
        port = any_free_port()
        process = self.start(
            f"ingest{number}",
            ["parking-ingest", "--client-id", f"svc-e2e-ingest-{number}"],
            MQTT_URL=self.env["DEMO_INGEST_MQTT_URL"],
            INGEST_HTTP_PORT=str(port),
        )

        def ready() -> bool | None:
            if process.poll() is not None:
                raise AssertionError(f"ingest worker {number} exited ({process.returncode})")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                    return True
            except (urllib.error.URLError, ConnectionError):
                return None

        eventually(ready, f"ingest worker {number} to be ready")
        return process

    def stop_all(self) -> None:
        """Terminate every process the tests started (and reap it)."""
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
        self.processes.clear()


@contextmanager
def running_stack(state: Path) -> Iterator[LocalStack]:
    """Run `python -m infra.local.demo --only broker,db,api` on free ports until the exit."""
    env = os.environ | {"DEMO_MQTT_PORT": "0", "DEMO_PG_PORT": "0", "DEMO_API_PORT": "0"}
    log = (state / "demo.log").open("ab")
    demo = subprocess.Popen(
        [sys.executable, "-m", "infra.local.demo", "--state-dir", str(state),
         "--only", "broker,db,api"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    stack: LocalStack | None = None
    try:
        stack = _when_ready(state, demo)
        yield stack
    finally:
        if stack is not None:
            stack.stop_all()
        demo.send_signal(signal.SIGINT)  # honcho stops every process it runs, like Ctrl-C
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            demo.kill()
            demo.wait(timeout=5)
        log.close()


def _when_ready(state: Path, demo: subprocess.Popen[bytes]) -> LocalStack:
    def ready() -> LocalStack | None:
        if demo.poll() is not None:
            tail = (state / "demo.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"the local stack exited ({demo.returncode}):\n{tail}")
        if not (state / "stack.env").exists():
            return None
        env = read_env(state / "stack.env")
        secrets = json.loads((state / "credentials.json").read_text())
        stack = LocalStack(state, env, secrets)
        return stack if stack.try_get("/readyz") is not None else None

    return eventually(ready, "the local stack (stack.env written, API ready)", timeout_s=120)
