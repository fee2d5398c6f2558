"""The local stack's ports: the configured one when it is free, else a free one, said out loud."""

import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass

HOST = "127.0.0.1"


def is_free(port: int, host: str = HOST) -> bool:
    """Whether nothing listens on `host:port` now (a bind succeeds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def any_free_port(host: str = HOST) -> int:
    """A port the kernel picks among the free ones."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class PortChoice:
    """The port used for one setting (`variable`), and the one asked for."""

    variable: str
    wanted: int
    port: int

    @property
    def note(self) -> str | None:
        """What to tell the user when the wanted port was taken."""
        if self.wanted in (0, self.port):  # 0 asked for any free port
            return None
        return f"port {self.wanted} ({self.variable}) is in use; using {self.port} instead"


def choose_ports(
    wanted: Mapping[str, int],
    free: Callable[[int], bool] = is_free,
    pick: Callable[[], int] = any_free_port,
) -> dict[str, PortChoice]:
    """A distinct port per variable: the wanted one if free (0 means any), else a picked one."""
    taken: set[int] = set()
    chosen = {}
    for variable, port in wanted.items():
        candidate = port
        attempts = 0
        while candidate == 0 or candidate in taken or not free(candidate):
            attempts += 1
            if attempts > 100:
                raise RuntimeError(f"no free port found for {variable}")
            candidate = pick()
        taken.add(candidate)
        chosen[variable] = PortChoice(variable, port, candidate)
    return chosen
