"""Starting and stopping throwaway server processes."""

import os
import pwd
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def unprivileged_user(name: str) -> str | None:
    """The account to run a server as: `name` when we are root (servers refuse root)."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(name)
    except KeyError:
        return "nobody"
    return name


def hand_over(path: Path, user: str | None) -> None:
    """Give `path` (recursively) to `user` so a server running as that user can write it."""
    if user is None:
        return
    entry = pwd.getpwnam(user)
    for root, dirs, files in os.walk(path):
        os.chown(root, entry.pw_uid, entry.pw_gid)
        for name in dirs + files:
            os.chown(Path(root) / name, entry.pw_uid, entry.pw_gid)


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
