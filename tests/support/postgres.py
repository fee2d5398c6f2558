"""A throwaway PostgreSQL cluster: initdb into a temporary folder, serve on a free port."""

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.support.processes import (
    find_binary,
    free_port,
    hand_over,
    stop,
    unprivileged_user,
    wait_until,
)

SUPERUSER = "postgres"


def _bindirs() -> list[str]:
    """Where PostgreSQL's server binaries may be (Debian keeps them off PATH)."""
    found = []
    with suppress(FileNotFoundError, subprocess.CalledProcessError):
        found.append(
            subprocess.run(
                ["pg_config", "--bindir"], check=True, capture_output=True, text=True
            ).stdout.strip()
        )
    # Newest major version first.
    versions = sorted(
        (path for path in Path("/usr/lib/postgresql").glob("*/bin") if path.parent.name.isdigit()),
        key=lambda path: int(path.parent.name),
        reverse=True,
    )
    return found + [str(path) for path in versions]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def url(self, database: str, driver: str = "postgresql+psycopg") -> str:
        """A SQLAlchemy URL (or a libpq one with driver='postgresql') for `database`."""
        return f"{driver}://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[tuple[object, ...]]:
        """An autocommit connection to the maintenance database, for CREATE/DROP DATABASE."""
        return psycopg.connect(self.url("postgres", driver="postgresql"), autocommit=True)


@contextmanager
def running_postgres(workdir: Path) -> Iterator[PostgresServer]:
    """Run a fresh cluster in `workdir` until the context exits; its data goes with it."""
    bindirs = _bindirs()
    initdb, postgres = find_binary("initdb", *bindirs), find_binary("postgres", *bindirs)
    user = unprivileged_user("postgres")
    data, sockets = workdir / "data", workdir / "sockets"
    sockets.mkdir(parents=True)
    hand_over(workdir, user)
    subprocess.run(
        [initdb, "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
         "--locale=C", "--no-sync"],
        check=True, capture_output=True, user=user,
    )  # fmt: skip
    port = free_port()
    # Durability settings off: a test cluster is thrown away, and this makes it much faster.
    command = [
        postgres, "-D", str(data), "-p", str(port), "-h", "127.0.0.1", "-k", str(sockets),
        "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
        "-c", "max_connections=200",
    ]  # fmt: skip
    server = PostgresServer("127.0.0.1", port)
    with (workdir / "postgres.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, user=user)
        try:
            wait_until(lambda: accepts_connections(server), process, "PostgreSQL")
            yield server
        finally:
            stop(process)


def accepts_connections(server: PostgresServer) -> bool:
    try:
        server.admin().close()
    except psycopg.OperationalError:
        return False
    return True
