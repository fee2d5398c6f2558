"""A throwaway PostgreSQL cluster: initdb into a temporary folder, serve on a free port."""

import signal
import subprocess
from collections.abc import Iterator, Sequence
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


def bindirs() -> list[str]:
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


# Durability off: a test cluster is thrown away, and this makes it much faster.
FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=200")


class PostgresCluster:
    """A cluster in `workdir`: initdb once, then start and stop it as often as a test likes,
    always on the same port (outage tests restart it under running clients)."""

    def __init__(self, workdir: Path, settings: Sequence[str] = FAST) -> None:
        dirs = bindirs()
        self._postgres = find_binary("postgres", *dirs)
        self._user = unprivileged_user("postgres")
        self._data, self._sockets = workdir / "data", workdir / "sockets"
        self._log = workdir / "postgres.log"
        self._sockets.mkdir(parents=True)
        hand_over(workdir, self._user)
        subprocess.run(
            [find_binary("initdb", *dirs), "-D", str(self._data), "-U", SUPERUSER,
             "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
            check=True, capture_output=True, user=self._user,
        )  # fmt: skip
        self.server = PostgresServer("127.0.0.1", free_port())
        self._settings = [arg for setting in settings for arg in ("-c", setting)]
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            self._postgres, "-D", str(self._data), "-p", str(self.server.port),
            "-h", "127.0.0.1", "-k", str(self._sockets), *self._settings,
        ]  # fmt: skip
        with self._log.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, user=self._user
            )
        wait_until(lambda: accepts_connections(self.server), self._process, "PostgreSQL")

    def stop(self, *, fast: bool = False) -> None:
        """Stop the server: a smart shutdown (SIGTERM, waits for clients to leave, killed
        after a while), or `fast` (SIGINT, as `pg_ctl stop -m fast`: clients are
        disconnected, open transactions rolled back, a clean shutdown checkpoint)."""
        if self._process is not None:
            if fast and self._process.poll() is None:
                self._process.send_signal(signal.SIGINT)
                with suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=30)
            stop(self._process)
            self._process = None


@contextmanager
def running_postgres(workdir: Path) -> Iterator[PostgresServer]:
    """Run a fresh cluster in `workdir` until the context exits; its data goes with it."""
    cluster = PostgresCluster(workdir)
    cluster.start()
    try:
        yield cluster.server
    finally:
        cluster.stop()


def accepts_connections(server: PostgresServer) -> bool:
    try:
        server.admin().close()
    except psycopg.OperationalError:
        return False
    return True
