"""`python -m infra.local.wait --tcp HOST:PORT ... -- COMMAND`: start COMMAND once servers listen.

The Procfile's `depends_on`: honcho starts every process at once, so clients wait here
(bounded) for the broker and the database instead of logging connection errors.
"""

import argparse
import fcntl
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_TIMEOUT = 3


def listening(address: str) -> bool:
    """Whether a TCP connection to `host:port` succeeds now."""
    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=0.5).close()
    except OSError:
        return False
    return True


def wait_for(addresses: Sequence[str], timeout_s: float) -> list[str]:
    """Poll until every address listens or the time is up; returns those still silent."""
    deadline = time.monotonic() + timeout_s
    pending = list(addresses)
    while pending and time.monotonic() < deadline:
        pending = [address for address in pending if not listening(address)]
        if pending:
            time.sleep(0.2)
    return pending


def hold(lock: Path) -> None:
    """A shared lock on `lock`, kept across exec until the command exits (its descriptor is
    inherited, and the kernel releases the lock when the last copy closes)."""
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(descriptor, fcntl.LOCK_SH)
    os.set_inheritable(descriptor, True)


def main(argv: Sequence[str] | None = None) -> int:  # noqa: RET503 - ends in exec
    """Wait, then replace this process with the command (so signals reach it directly)."""
    parser = argparse.ArgumentParser(prog="python -m infra.local.wait", description=__doc__)
    parser.add_argument("--tcp", action="append", default=[], help="HOST:PORT to wait for")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument(
        "--hold",
        type=Path,
        help="hold a shared lock on this file for the command's life: the servers started by "
        "infra.local.last stop only once every holder has exited",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command after --")
    if args.hold is not None:
        hold(args.hold)
    silent = wait_for(args.tcp, args.timeout)
    if silent:
        waited = f"{', '.join(silent)} not listening after {args.timeout:g} s"
        print(f"wait: {waited}", file=sys.stderr)  # noqa: T201
        return EXIT_TIMEOUT
    os.execvp(command[0], command)  # noqa: S606 - the Procfile's own command line


if __name__ == "__main__":
    sys.exit(main())
