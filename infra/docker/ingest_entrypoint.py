"""Container entry point of an ingest worker: a stable MQTT client id, then `parking-ingest`.

A worker's broker session (and the share of messages queued for it while it restarts) lives
under its client id, so the id must survive restarts and re-creation of the container. Docker
gives a replica a random hostname, but Compose names it `<project>-ingest-<n>` and Docker's
embedded DNS answers a reverse lookup of the container's address with that name: that name is
the id. INGEST_CLIENT_ID, when set, wins; without either, parking-ingest falls back to its own
default (the hostname) and we say that it will change on re-creation.
"""

import os
import re
import socket
import sys
from collections.abc import Callable, Mapping

REPLICA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*-\d+$")


def replica_name(ptr_name: str) -> str | None:
    """`parking-ingest-3.parking_default` -> `parking-ingest-3` (None if not a replica name)."""
    first = ptr_name.split(".", 1)[0]
    return first if REPLICA_NAME.match(first) and len(first) <= 64 else None


def reverse_lookup() -> str | None:
    """The DNS name of this container's own address, if the resolver knows one."""
    try:
        address = socket.gethostbyname(socket.gethostname())
        return socket.gethostbyaddr(address)[0]
    except OSError:
        return None


def client_id(environ: Mapping[str, str], lookup: Callable[[], str | None]) -> str | None:
    """INGEST_CLIENT_ID, else the Compose replica name, else None (parking-ingest's default)."""
    configured = environ.get("INGEST_CLIENT_ID", "").strip()
    if configured:
        return configured
    found = lookup()
    return replica_name(found) if found else None


def main(argv: list[str]) -> None:
    """Exec parking-ingest with `--client-id` prepended to our arguments."""
    chosen = client_id(os.environ, reverse_lookup)
    if chosen is None:
        print(  # noqa: T201
            "ingest-entrypoint: no INGEST_CLIENT_ID and no Compose replica name; using the "
            "hostname, which changes when the container is re-created",
            file=sys.stderr,
        )
        command = ["parking-ingest", *argv]
    else:
        command = ["parking-ingest", "--client-id", chosen, *argv]
    os.execvp(command[0], command)  # noqa: S606 - our own console script


if __name__ == "__main__":
    main(sys.argv[1:])
