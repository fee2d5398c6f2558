"""A throwaway Mosquitto 2 broker with its own configuration on a free port."""

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


@dataclass(frozen=True)
class MosquittoServer:
    host: str
    port: int

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"


def broker_config(port: int, workdir: Path) -> str:
    """A local-development broker: anonymous access on loopback only, nothing persisted."""
    return "\n".join(
        [
            "per_listener_settings false",
            f"listener {port} 127.0.0.1",
            "allow_anonymous true",
            "persistence false",
            f"log_dest file {workdir / 'mosquitto.log'}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "",
        ]
    )


@contextmanager
def running_mosquitto(workdir: Path) -> Iterator[MosquittoServer]:
    """Run a broker in `workdir` until the context exits."""
    mosquitto = find_binary("mosquitto", "/usr/sbin")
    workdir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    config = workdir / "mosquitto.conf"
    config.write_text(broker_config(port, workdir))
    user = unprivileged_user("mosquitto")
    hand_over(workdir, user)
    server = MosquittoServer("127.0.0.1", port)
    with (workdir / "stderr.log").open("wb") as log:
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
