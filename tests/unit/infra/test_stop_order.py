"""The local stack stops in dependency order: clients (infra.local.wait --hold) first, then the
servers (infra.local.last), as honcho stops them all at once (SIGTERM to every process group,
SIGKILL 5 s later)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# Appends "<name> <what>" lines to the journal; stops after `linger` seconds on SIGTERM.
PROCESS = """
import os, signal, sys, time
journal, name, linger = sys.argv[1], sys.argv[2], float(sys.argv[3])
def note(what):
    with open(journal, "a") as f:
        f.write(f"{name} {what}\\n")
def stop(signum, frame):
    note(f"got {signal.Signals(signum).name}")
    time.sleep(linger)
    note("stopped")
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
if linger < 0:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
note("running")
while True:
    time.sleep(0.05)
"""


class Journal:
    def __init__(self, path: Path) -> None:
        self.path = path

    def lines(self) -> list[str]:
        return self.path.read_text().splitlines() if self.path.exists() else []

    def wait_for(self, line: str, timeout_s: float = 15) -> None:
        deadline = time.monotonic() + timeout_s
        while line not in self.lines():
            assert time.monotonic() < deadline, f"no {line!r} in {self.lines()}"
            time.sleep(0.05)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _fake(journal: Journal, name: str, linger: float) -> list[str]:
    return [sys.executable, "-c", PROCESS, str(journal.path), name, str(linger)]


def _start(started: list[subprocess.Popen[bytes]], argv: list[str]) -> subprocess.Popen[bytes]:
    # As honcho starts each process: in a session (process group) of its own.
    process = subprocess.Popen(argv, start_new_session=True)
    started.append(process)
    return process


def _server(lock: Path, journal: Journal, *extra: str) -> list[str]:
    return [sys.executable, "-m", "infra.local.last", "--after", str(lock), *extra, "--",
            *_fake(journal, "server", 0)]  # fmt: skip


def _client(lock: Path, journal: Journal, name: str, linger: float) -> list[str]:
    return [sys.executable, "-m", "infra.local.wait", "--hold", str(lock), "--",
            *_fake(journal, name, linger)]  # fmt: skip


def test_the_server_stops_after_its_clients(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    journal, lock = Journal(tmp_path / "journal"), tmp_path / "clients.lock"
    server = _start(started, _server(lock, journal, "--stop-signal", "INT"))
    slow = _start(started, _client(lock, journal, "ingest", 1.0))  # finishing its batch
    quick = _start(started, _client(lock, journal, "api", 0.0))
    for name in ("server", "ingest", "api"):
        journal.wait_for(f"{name} running")
    for process in (server, slow, quick):  # honcho: every group at once
        os.killpg(process.pid, signal.SIGTERM)
    assert [p.wait(timeout=10) for p in (server, slow, quick)] == [0, 0, 0]
    lines = journal.lines()
    # The server heard nothing until every client had stopped, then its own stop signal.
    assert lines.index("server got SIGINT") > lines.index("ingest stopped")
    assert lines.index("server got SIGINT") > lines.index("api stopped")
    assert lines[-1] == "server stopped"


def test_a_client_that_does_not_stop_delays_the_server_only_by_the_grace(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    journal, lock = Journal(tmp_path / "journal"), tmp_path / "clients.lock"
    server = _start(started, _server(lock, journal, "--grace", "1"))
    stuck = _start(started, _client(lock, journal, "stuck", -1))  # ignores SIGTERM
    journal.wait_for("server running")
    journal.wait_for("stuck running")
    os.killpg(server.pid, signal.SIGTERM)
    os.killpg(stuck.pid, signal.SIGTERM)
    # The server stops (after its grace) although a client still runs: it does not wait on.
    assert server.wait(timeout=10) == 0
    assert "server got SIGTERM" in journal.lines()
    assert stuck.poll() is None


def test_the_server_does_not_outlive_a_killed_wrapper(
    tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    journal, lock = Journal(tmp_path / "journal"), tmp_path / "clients.lock"
    wrapper = _start(started, _server(lock, journal))
    journal.wait_for("server running")
    os.killpg(wrapper.pid, signal.SIGKILL)  # honcho's last resort: the server is not in it
    wrapper.wait(timeout=10)
    journal.wait_for("server stopped")


def test_a_server_that_exits_by_itself_ends_the_wrapper_with_its_status(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "infra.local.last", "--after", str(tmp_path / "lock"), "--",
         sys.executable, "-c", "raise SystemExit(7)"],
        timeout=30, check=False,
    )  # fmt: skip
    assert done.returncode == 7
