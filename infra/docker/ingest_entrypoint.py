"""Container entry point of an ingest worker: a stable MQTT client id, then `parking-ingest`.

A worker's broker session (and the share of messages queued for it while it restarts) lives
under its client id, so the id must survive restarts and re-creation of the container. Docker
gives a replica a random hostname, but Compose names it `<project>-ingest-<n>` and Docker's
embedded DNS answers a reverse lookup of the container's address with that name: `svc-` (the
prefix reserved for services) + that name is the id. INGEST_CLIENT_ID, when set, wins; without
either, parking-ingest falls back to its own default (the hostname) and we say that it will
change on re-creation.

Arguments pass through, with or without a leading `parking-ingest`: `docker compose run --rm
ingest parking-ingest --client-id svc-parking-ingest-3 --retire` drains the session of a replica
removed by scaling down. An id given on the command line wins, and `--retire` never gets one
derived: it must name the removed replica, not the one-shot container it runs in.
"""

import os
import re
import socket
import sys
from collections.abc import Callable, Mapping

from schemas.broker_roles import SERVICE_CLIENT_PREFIX

PROGRAM = "parking-ingest"
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
    """INGEST_CLIENT_ID, else `svc-` + the Compose replica name, else None (parking-ingest's
    default). Service client ids carry the prefix that no node id may have."""
    configured = environ.get("INGEST_CLIENT_ID", "").strip()
    if configured:
        return configured
    found = lookup()
    replica = replica_name(found) if found else None
    return f"{SERVICE_CLIENT_PREFIX}{replica}"[:64] if replica else None


def own_arguments(argv: list[str]) -> list[str]:
    """parking-ingest's arguments: ours without a leading `parking-ingest`."""
    return argv[1:] if argv[:1] == [PROGRAM] else argv


def names_session(args: list[str]) -> bool:
    """Whether the arguments choose the client id themselves (`--client-id`, `--retire`)."""
    return any(a in ("--client-id", "--retire") or a.startswith("--client-id=") for a in args)


def derived_client_id() -> str | None:
    """This container's id (see the module docstring), or None after a warning."""
    chosen = client_id(os.environ, reverse_lookup)
    if chosen is None:
        print(  # noqa: T201
            "ingest-entrypoint: no INGEST_CLIENT_ID and no Compose replica name; using the "
            "hostname, which changes when the container is re-created",
            file=sys.stderr,
        )
    return chosen


def main(argv: list[str]) -> None:
    """Exec parking-ingest with our arguments, `--client-id` prepended unless they name one."""
    args = own_arguments(argv)
    chosen = None if names_session(args) else derived_client_id()
    command = [PROGRAM, *(["--client-id", chosen] if chosen else []), *args]
    os.execvp(command[0], command)  # noqa: S606 - our own console script


if __name__ == "__main__":
    main(sys.argv[1:])
