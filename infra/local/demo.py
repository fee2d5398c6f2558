"""`make demo`: prepare the local stack (ports, broker, database, demo data), then run honcho.

    python -m infra.local.demo [--state-dir DIR] [--only broker,db,api] [--prepare-only]

Ports come from DEMO_MQTT_PORT (1883), DEMO_PG_PORT (5433), DEMO_API_PORT (8000) and
DEMO_DASHBOARD_PORT (8080); one that is taken is reported and replaced by a free one (0 asks
for any free port).
"""

import argparse
import fcntl
import importlib
import os
import shlex
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from infra.local import credentials
from infra.local.banner import banner
from infra.local.broker import prepare_broker
from infra.local.ports import PortChoice, choose_ports
from infra.local.postgres import database_url, init_cluster, temporary_server
from infra.local.seed import EXAMPLE_LOTS, SLOTS_PER_NODE, SeedError, seed
from infra.local.system import (
    MissingPrerequisiteError,
    binary,
    dynsec_plugin,
    hand_over,
    postgres_bindir,
    reachable_by_others,
    run_as_prefix,
    server_user,
)

REPO = Path(__file__).resolve().parents[2]
PROCFILE = REPO / "infra" / "local" / "Procfile"
BIN = Path(sys.executable).parent  # this virtualenv's scripts: parkctl, parking-*, honcho
PROCESSES = ("broker", "db", "ingest1", "ingest2", "api", "nodes", "dashboard")
DEFAULT_PORTS = {
    "DEMO_MQTT_PORT": 1883,
    "DEMO_PG_PORT": 5433,
    "DEMO_API_PORT": 8000,
    "DEMO_DASHBOARD_PORT": 8080,
}
# What each of our processes needs importable, and which issue delivers it.
SERVICES = {
    "ingest1": ("ingest_service.__main__", "the ingest service (issue 3)"),
    "ingest2": ("ingest_service.__main__", "the ingest service (issue 3)"),
    "api": ("api_service.__main__", "the API (issue 5)"),
    "nodes": ("pi_node.__main__", "the node simulator (issue 4)"),
}
SIM_MAX_RATE = "20"  # events/s over every virtual node: lively, and easy on a laptop


@dataclass(frozen=True)
class Stack:
    """Everything the banner and the Procfile need to know about a prepared stack."""

    state: Path
    ports: dict[str, PortChoice]
    env: dict[str, str]
    secrets: dict[str, str]

    def port(self, variable: str) -> int:
        """The port chosen for DEMO_..._PORT (or an ingest metrics port)."""
        return self.ports[variable].port


def check_services(processes: Sequence[str]) -> None:
    """Fail with a clear message when a process's service package cannot be imported yet."""
    for name in processes:
        if name not in SERVICES:
            continue
        module, what = SERVICES[name]
        try:
            importlib.import_module(module)
        except Exception as exc:  # any failure to import means "not ready"
            raise MissingPrerequisiteError(
                f"{what} cannot start: importing {module} failed ({type(exc).__name__}: {exc}). "
                f"Run the rest with --only, e.g. --only broker,db,api"
            ) from exc


def wanted_ports(environ: dict[str, str]) -> dict[str, int]:
    """The ports asked for (environment or defaults), plus two ingest metrics ports (any)."""
    wanted = {}
    for variable, default in DEFAULT_PORTS.items():
        raw = environ.get(variable, str(default))
        if not raw.isdigit() or int(raw) > 65535:
            raise MissingPrerequisiteError(f"{variable}={raw!r}: a port number 0-65535 is required")
        wanted[variable] = int(raw)
    return wanted | {"DEMO_INGEST1_HTTP_PORT": 0, "DEMO_INGEST2_HTTP_PORT": 0}


def mqtt_url(user: str, password: str, port: int) -> str:
    """A broker URL with credentials (token_urlsafe passwords need no quoting)."""
    return f"mqtt://{user}:{password}@127.0.0.1:{port}"


def operator_env(found: dict[str, str], mqtt_port: int, bin_dir: Path, path: str) -> dict[str, str]:
    """What a person needs after `set -a; . stack.env; set +a`: `parkctl` on PATH (this
    virtualenv's scripts first) and an MQTT_URL for `parkctl nodes add` and `parkctl mqtt
    tail`: the broker's `admin` account (dynamic-security control, node health, the lots)."""
    entries = [entry for entry in path.split(os.pathsep) if entry and entry != str(bin_dir)]
    return {
        "PATH": os.pathsep.join([str(bin_dir), *entries]),
        "MQTT_URL": mqtt_url("admin", found["mqtt_admin"], mqtt_port),
    }


def prepare(state: Path, processes: Sequence[str]) -> Stack:
    """Check the machine, choose ports, write broker and database state, seed; no server left."""
    check_services(processes)
    pg_user, mq_user = server_user("postgres"), server_user("mosquitto")
    if pg_user and not reachable_by_others(state):
        raise MissingPrerequisiteError(
            f"{state} is inside a folder other users cannot enter, and PostgreSQL runs as "
            f"{pg_user}: set DEMO_DIR to a folder such as /var/tmp/parking-demo"
        )
    bindir, mosquitto, plugin = postgres_bindir(), binary("mosquitto", "/usr/sbin"), dynsec_plugin()
    ports = choose_ports(wanted_ports(dict(os.environ)))
    found = credentials.load_or_create(state / "credentials.json")
    prepare_broker(
        state / "mosquitto",
        ports["DEMO_MQTT_PORT"].port,
        plugin,
        credentials.service_passwords(found),
        credentials.node_passwords(found),
    )
    hand_over(state / "mosquitto", mq_user)
    pg_state, pg_port = state / "postgres", ports["DEMO_PG_PORT"].port
    if init_cluster(pg_state, bindir, pg_user):
        print(f"setup: created a PostgreSQL cluster in {pg_state / 'data'}")  # noqa: T201
    with temporary_server(pg_state, bindir, pg_port, pg_user) as url:
        for line in seed(url):
            print(f"setup: {line}")  # noqa: T201
    mqtt_port = ports["DEMO_MQTT_PORT"].port
    env = {
        "DEMO_DIR": str(state),
        "DEMO_MOSQUITTO": str(mosquitto),
        "DEMO_AS_MOSQUITTO": run_as_prefix(mq_user),
        "DEMO_AS_POSTGRES": run_as_prefix(pg_user),
        "DEMO_PG_BIN": str(bindir),
        **{variable: str(choice.port) for variable, choice in ports.items()},
        "DEMO_INGEST_MQTT_URL": mqtt_url("ingest", found["mqtt_ingest"], mqtt_port),
        "DEMO_SIM_MQTT_URL": mqtt_url("simulator", found["mqtt_simulator"], mqtt_port),
        "DEMO_API_MQTT_URL": mqtt_url("api", found["mqtt_api"], mqtt_port),
        "DEMO_SIM_ARGS": " ".join(f"--lot {path.relative_to(REPO)}" for path in EXAMPLE_LOTS)
        + f" --slots-per-node {SLOTS_PER_NODE}"
        + f" --max-rate {os.environ.get('DEMO_SIM_MAX_RATE', SIM_MAX_RATE)}",
        "DATABASE_URL": database_url(pg_port),
        **credentials.api_secrets(found),
        "NODE_STATE_DIR": str(state / "node"),
        # The Procfile gives each service its own account; MQTT_URL is the operator's.
        **operator_env(found, mqtt_port, BIN, os.environ.get("PATH", "")),
    }
    write_env(state / "stack.env", env)
    return Stack(state, ports, env, found)


def write_env(path: Path, env: dict[str, str]) -> None:
    """KEY='value' lines, readable by honcho (-e) and by `set -a; . stack.env` (mode 0600)."""
    text = "".join(f"{key}={shlex.quote(value)}\n" for key, value in env.items())
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def lock_state(state: Path) -> int:
    """Hold a lock on the state folder for the stack's life (kept across exec, by honcho)."""
    descriptor = os.open(state / "demo.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise MissingPrerequisiteError(
            f"a local stack already runs on {state}; stop it (Ctrl-C) or set DEMO_DIR"
        ) from None
    os.set_inheritable(descriptor, True)
    return descriptor


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local.demo", description=__doc__)
    parser.add_argument(
        "--state-dir",
        type=Path,
        default=Path(os.environ.get("DEMO_DIR", REPO / ".local" / "demo")),
        help="where the database, broker data and secrets live (DEMO_DIR, default .local/demo)",
    )
    parser.add_argument(
        "--only", default=",".join(PROCESSES), help=f"processes to run (of {','.join(PROCESSES)})"
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="prepare and print, start nothing"
    )
    args = parser.parse_args(argv)
    args.processes = [name for name in args.only.split(",") if name]
    unknown = sorted(set(args.processes) - set(PROCESSES))
    if unknown:
        parser.error(f"unknown processes {unknown}; choose among {','.join(PROCESSES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:  # noqa: RET503 - ends in exec
    """Prepare, print the addresses, then replace this process with honcho."""
    args = parse_args(argv)
    state = args.state_dir.resolve()
    state.mkdir(parents=True, exist_ok=True)
    try:
        lock_state(state)
        stack = prepare(state, args.processes)
    except (MissingPrerequisiteError, SeedError, RuntimeError) as exc:
        print(f"demo: {exc}", file=sys.stderr)  # noqa: T201
        return 1
    print(banner(state, stack.ports, stack.secrets, args.processes), flush=True)  # noqa: T201
    if args.prepare_only:
        return 0
    honcho = str(BIN / "honcho")
    argv_ = [honcho, "-f", str(PROCFILE), "-d", str(REPO), "-e", str(state / "stack.env"),
             "start", *args.processes]  # fmt: skip
    # The Procfile's commands find our console scripts and `python` first (stack.env's PATH).
    os.environ["PATH"] = stack.env["PATH"]
    os.execv(honcho, argv_)  # noqa: S606 - our own process runner


if __name__ == "__main__":
    sys.exit(main())
