"""A throwaway Mosquitto 2 broker with its own configuration on a free port.

It loads the repository's flow-control settings (broker/conf.d/flow-control.conf), so tests
run against the same in-flight windows and queue limits as production.
"""

import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.processes import (
    find_binary,
    free_port,
    hand_over,
    stop,
    unprivileged_user,
    wait_until,
)

FLOW_CONTROL = Path(__file__).resolve().parents[2] / "broker" / "conf.d" / "flow-control.conf"


@dataclass(frozen=True)
class MosquittoServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def broker_config(port: int, workdir: Path, *, persistence: bool = False) -> str:
    """A local-development broker: anonymous access on loopback only, the repo's flow control.

    With `persistence`, sessions, queues and retained messages are saved in `workdir` on
    shutdown, so a broker restarted on the same folder and port resumes them.
    """
    persisted = (
        ["persistence true", f"persistence_location {workdir}/", "autosave_interval 0"]
        if persistence
        else ["persistence false"]
    )
    return "\n".join(
        [
            "per_listener_settings false",
            f"listener {port} 127.0.0.1",
            "allow_anonymous true",
            *persisted,
            f"log_dest file {workdir / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "",
            FLOW_CONTROL.read_text(),
        ]
    )


@contextmanager
def running_mosquitto(
    workdir: Path, *, port: int | None = None, persistence: bool = False
) -> Iterator[MosquittoServer]:
    """Run a broker in `workdir` until the context exits (on `port`, or a free one)."""
    mosquitto = find_binary("mosquitto", "/usr/sbin")
    workdir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(broker_config(port, workdir, persistence=persistence))
    user = unprivileged_user("mosquitto")
    hand_over(workdir, user)
    server = MosquittoServer("127.0.0.1", port)
    with (workdir / "stderr.log").open("ab") as log:
        process = subprocess.Popen(
            [mosquitto, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT, user=user
        )
        try:
            wait_until(lambda: _listening(server), process, "Mosquitto")
            yield server
        finally:
            stop(process)


def _listening(server: MosquittoServer) -> bool:
    try:
        socket.create_connection((server.host, server.port), timeout=0.2).close()
    except OSError:
        return False
    return True
