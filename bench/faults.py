"""Fault-matrix benchmark: what each fault costs, end to end, with real nodes and servers.

    python -m bench.faults [--events 5000] [--rate 500] [--nodes 2] [--faults abcde]
                           [--down-s 1] [--quiet-s 1.5] [--resend-after-s S]

Runs the scenario of `tests/support/faults.py` (the one the fault-matrix test asserts on): a
throwaway PostgreSQL and Mosquitto (dynamic security, persistence, the repo's flow control),
two ingest worker processes, in-process camera nodes emitting at a bounded rate; the events
are split evenly over the faults, each struck mid-stream:

  a  Mosquitto SIGTERM, restart on the same port and persistence folder
  b  Mosquitto SIGKILL, restart
  c  SIGKILL of one ingest worker, restart with the same client id
  d  PostgreSQL restart (fast shutdown, start)
  e  a session-takeover attempt: a node's credentials with a worker's client id

and prints per fault: sent, stored, lost, duplicated (ids stored twice), redelivered (copies
the workers found already stored), the time from the fault to the last change before the
system was quiet with every outbox empty, and slots whose detected state is not their newest
observation; for (e) whether the broker refused the connection and whether the worker was kicked.
After a broker restart the node replays its outbox as soon as it is back, usually before the
workers have resubscribed (Mosquitto 2.0 drops what no subscription takes), so those faults
converge only once the node's resend interval (NODE_RESEND_AFTER_S, default 15 s;
--resend-after-s) has passed without a receipt.

There is no same-run baseline: the node has one delivery path and no switch to trust the
broker's PUBACK instead of ingest's receipt, so the old behaviour cannot be measured beside
the new one. Figures of the old behaviour (node outbox emptied on PUBACK, no client-id
binding), measured with this scenario before the receipt change, 5,000 events at 500/s:
(a) lost 595 of 1000, (b) lost 596 of 1000, (c) and (d) lost 0, (e) accepted (the impostor
received 266 of the worker's messages, the worker was kicked) and lost 251 of 1000.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from tests.support.faults import (
    FAULTS,
    FaultResult,
    MatrixOptions,
    dynsec_plugin,
    fault_scenario,
)
from tests.support.processes import find_binary


def out(text: str = "") -> None:
    """A line of the report on standard output."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


HEADER = (
    f"{'fault':<62} {'sent':>5} {'stored':>6} {'lost':>5} {'dup':>4} {'redeliv':>7} "
    f"{'converge s':>10} {'slots off':>9}"
)


def row(result: FaultResult) -> str:
    """One fault's line of the table."""
    name = f"({result.fault}) {result.label}"
    converge = f"{result.converge_s:.2f}" if result.converged else "timeout"
    return (
        f"{name:<62} {result.sent:>5} {result.stored:>6} {result.lost:>5} "
        f"{result.duplicated:>4} {result.redelivered:>7} {converge:>10} "
        f"{len(result.slots_wrong):>9}"
    )


def takeover_line(result: FaultResult) -> str | None:
    """What the takeover attempt did, if this fault was one."""
    t = result.takeover
    if t is None:
        return None
    verdict = "refused" if t.refused else "ACCEPTED"
    kicked = "kicked" if t.worker_kicked else "kept its connection"
    return (
        f"    takeover as {t.client_id}: {verdict} (CONNACK {t.reason}); the worker {kicked}; "
        f"the impostor received {t.stolen} messages"
    )


def mosquitto_version() -> str:
    try:
        done = subprocess.run(  # noqa: S603 - our own fixed arguments
            [find_binary("mosquitto", "/usr/sbin"), "-h"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return "mosquitto (version unknown)"
    lines = (done.stdout or done.stderr).splitlines()
    return lines[0].strip() if lines else "mosquitto (version unknown)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=5000, help="in total, over all faults")
    parser.add_argument("--rate", type=float, default=500.0, help="events/s over all nodes")
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--faults", default="".join(FAULTS), help="which, in order (abcde)")
    parser.add_argument("--down-s", type=float, default=1.0, help="how long a server is down")
    parser.add_argument("--quiet-s", type=float, default=1.5, help="quiet that means converged")
    parser.add_argument(
        "--resend-after-s", type=float, default=None, help="the nodes' resend interval"
    )
    args = parser.parse_args(argv)
    faults = list(args.faults)
    if not faults or any(f not in FAULTS for f in faults) or args.events < len(faults):
        parser.error(f"--faults: letters of {''.join(FAULTS)}, at most --events of them")
    if dynsec_plugin() is None:
        out("skipped: Mosquitto's dynamic-security plugin is missing (it comes with Mosquitto 2)")
        return 1
    options = MatrixOptions(
        events=args.events,
        rate=args.rate,
        nodes=args.nodes,
        faults=tuple(faults),
        down_s=args.down_s,
        quiet_s=args.quiet_s,
        resend_after_s=args.resend_after_s,
    )
    out(
        f"Fault matrix: {args.events} events at {args.rate:g}/s from {args.nodes} node(s), "
        f"2 ingest workers, {os.cpu_count()} CPUs, {mosquitto_version()}, loopback; "
        f"servers down {args.down_s:g} s per restart\n"
    )
    out(HEADER)
    started = time.monotonic()
    results: list[FaultResult] = []

    def show(result: FaultResult) -> None:
        results.append(result)
        out(row(result))
        line = takeover_line(result)
        if line is not None:
            out(line)

    with (
        tempfile.TemporaryDirectory(prefix="bench-faults-") as folder,
        fault_scenario(Path(folder), options) as scenario,
    ):
        scenario.run(on_result=show)
    sent, stored = sum(r.sent for r in results), sum(r.stored for r in results)
    out(
        f"\nTotal: sent {sent}, stored {stored}, lost {sent - stored}, duplicated "
        f"{sum(r.duplicated for r in results)}, redelivered {sum(r.redelivered for r in results)}"
        f"; {time.monotonic() - started:.0f} s"
    )
    out(
        "redelivered: copies the workers found already stored (ingest_duplicates_total; what a "
        "killed worker counted after its last scrape is not included). converge s: from the "
        "fault until the last change before every outbox was empty and the workers quiet for "
        f"{args.quiet_s:g} s. slots off: touched slots whose detected state is not their newest "
        "observation. No same-run baseline: the node has no switch back to trusting PUBACK "
        "(the module docstring has the figures measured before the receipt change)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
