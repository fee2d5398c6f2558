"""The local database: a cluster under the state folder, created once, migrated on every start."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from infra.local.credentials import DEV_DB_NAME, DEV_DB_PASSWORD, DEV_DB_USER
from infra.local.system import hand_over


def database_url(port: int, driver: str = "postgresql+psycopg") -> str:
    """The URL of the local database (the dev credentials of schemas.db.settings)."""
    return f"{driver}://{DEV_DB_USER}:{DEV_DB_PASSWORD}@127.0.0.1:{port}/{DEV_DB_NAME}"


def init_cluster(state: Path, bindir: Path, user: str | None) -> bool:
    """initdb into `state/data` unless a cluster is there; True when one was created."""
    data = state / "data"
    (state / "run").mkdir(parents=True, exist_ok=True)
    if (data / "PG_VERSION").exists():
        hand_over(state, user)
        return False
    password_file = state / "initdb-password"
    password_file.write_text(DEV_DB_PASSWORD, encoding="utf-8")
    hand_over(state, user)
    try:
        subprocess.run(  # noqa: S603 - fixed server binaries
            [bindir / "initdb", "-D", data, "-U", DEV_DB_USER, "-A", "scram-sha-256",
             "--pwfile", password_file, "-E", "UTF8", "--locale=C"],
            check=True, capture_output=True, user=user,
        )  # fmt: skip
    except subprocess.CalledProcessError as exc:
        raise RuntimeError(f"initdb failed:\n{exc.stderr.decode(errors='replace')}") from exc
    finally:
        password_file.unlink()
    return True


def server_options(state: Path, port: int) -> str:
    """postgres options: loopback only, sockets in our own folder."""
    return f"-p {port} -h 127.0.0.1 -k {state / 'run'}"


def _pg_ctl(argv: list[str | Path], user: str | None, log: Path) -> None:
    try:
        subprocess.run(argv, check=True, capture_output=True, user=user)  # noqa: S603
    except subprocess.CalledProcessError as exc:
        tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-5:]
        said = exc.stderr.decode(errors="replace").strip()
        raise RuntimeError(f"pg_ctl failed: {said}\n  " + "\n  ".join(tail)) from exc


@contextmanager
def temporary_server(state: Path, bindir: Path, port: int, user: str | None) -> Iterator[str]:
    """Run the cluster while preparing (migrations, seed data); stopped before honcho starts it."""
    data, log = state / "data", state / "prepare.log"
    options = server_options(state, port)
    _pg_ctl([bindir / "pg_ctl", "-D", data, "-o", options, "-l", log, "-w", "start"], user, log)
    try:
        ensure_database(port)
        yield database_url(port)
    finally:
        _pg_ctl([bindir / "pg_ctl", "-D", data, "-m", "fast", "-w", "stop"], user, log)


def ensure_database(port: int) -> None:
    """Create the application database on first start."""
    admin = database_url(port, driver="postgresql").rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DEV_DB_NAME,)
        ).fetchone()
        if exists is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DEV_DB_NAME)))
