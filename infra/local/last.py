"""`python -m infra.local.last --after LOCK [--stop-signal INT] -- COMMAND`: a server that stops
after its clients.

honcho stops every process at once (SIGTERM to each process group, SIGKILL 5 s later), so the
broker and the database would go down while the workers still finish their batch and
disconnect. The Procfile therefore runs each client through `infra.local.wait --hold LOCK`,
which holds a shared lock on LOCK for the client's life, and each server through this: COMMAND
runs in a session of its own, out of reach of honcho's signal; when this process is asked to
stop (SIGTERM, SIGINT) it waits until it can take LOCK exclusively (every client has exited),
at most --grace seconds, then sends COMMAND --stop-signal and waits for it to finish. If this
process dies (honcho's SIGKILL), COMMAND gets the stop signal from the kernel
(PR_SET_PDEATHSIG; `setpriv --pdeathsig keep` carries it across the change of user).
"""

import argparse
import ctypes
import fcntl
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Final

PR_SET_PDEATHSIG: Final = 1
POLL_S: Final = 0.1


def clients_gone(lock: Path, grace_s: float) -> bool:
    """Wait until LOCK can be taken exclusively (no client holds it), at most `grace_s`."""
    descriptor = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + grace_s
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_S)
            else:
                return True
    finally:
        os.close(descriptor)


def _die_with_parent(stop: signal.Signals) -> None:
    """In the child before exec: the kernel sends `stop` when this wrapper dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, int(stop), 0, 0, 0)


def run(command: Sequence[str], lock: Path, stop: signal.Signals, grace_s: float) -> int:
    """Run `command` until it exits, or until asked to stop: then clients first, then it."""
    asked: list[int] = []

    def on_stop(signum: int, _frame: object) -> None:
        asked.append(signum)

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    server = subprocess.Popen(  # noqa: S603 - the Procfile's own command line
        command,
        start_new_session=True,  # honcho's killpg of our group does not reach it
        preexec_fn=lambda: _die_with_parent(stop),  # noqa: PLW1509 - no threads here
    )
    while not asked:
        try:
            return _status(server.wait(timeout=POLL_S))
        except subprocess.TimeoutExpired:
            continue
    if clients_gone(lock, grace_s):
        print("last: its clients have stopped; stopping", flush=True)  # noqa: T201
    else:
        print(f"last: clients still running after {grace_s:g} s; stopping anyway", flush=True)  # noqa: T201
    if server.poll() is None:
        server.send_signal(stop)
    return _status(server.wait())


def _status(code: int) -> int:
    return 128 - code if code < 0 else code


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.local.last", description=__doc__)
    parser.add_argument("--after", type=Path, required=True, help="the clients' lock file")
    parser.add_argument(
        "--stop-signal",
        default="TERM",
        choices=["TERM", "INT", "QUIT"],
        help="how COMMAND is asked to stop (PostgreSQL: INT, its fast shutdown)",
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=3.0,
        help="seconds to wait for the clients (default 3: honcho kills after 5)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND [ARGS...]")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command after --")
    return run(command, args.after, signal.Signals[f"SIG{args.stop_signal}"], args.grace)


if __name__ == "__main__":
    sys.exit(main())
