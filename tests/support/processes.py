"""Starting and stopping throwaway server processes."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

# The local stack (make demo) and the tests run servers under the same accounts.
from infra.local.system import hand_over
from infra.local.system import server_user as unprivileged_user

__all__ = [
    "find_binary",
    "free_port",
    "hand_over",
    "has_binary",
    "stop",
    "unprivileged_user",
    "wait_until",
]


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def has_binary(name: str) -> bool:
    """Whether a server binary is installed (PATH, /usr/sbin or Debian's PostgreSQL folders)."""
    folders = ["/usr/sbin", *map(str, Path("/usr/lib/postgresql").glob("*/bin"))]
    try:
        find_binary(name, *folders)
    except FileNotFoundError:
        return False
    return True


def find_binary(name: str, *extra_dirs: str) -> str:
    """The path of a server binary, from PATH or a distribution's private bin folders."""
    for folder in extra_dirs:
        candidate = Path(folder) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} not found on PATH or in {list(extra_dirs)}; install it (see README, 'Tests')"
        )
    return found


def wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes], what: str) -> None:
    """Poll `ready` until it holds; fail with the server's log if it exits or takes too long."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} during start-up")
        if ready():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} did not become ready within 30 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a server and reap it, killing it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
