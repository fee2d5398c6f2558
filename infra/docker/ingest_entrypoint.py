"""Container entry point of an ingest worker: a stable MQTT client id, then `parking-ingest`.

A worker's broker session (and the share of messages queued for it while it restarts) lives
under its client id, so the id must survive restarts and re-creation of the container. Docker
gives a replica a random hostname, but Compose names it `<project>-ingest-<n>` and Docker's
embedded DNS answers a reverse (PTR) query for the container's address with that name: `svc-` (the
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
import secrets
import socket
import struct
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from schemas.broker_roles import SERVICE_CLIENT_PREFIX

PROGRAM = "parking-ingest"
REPLICA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*-\d+$")


def replica_name(ptr_name: str) -> str | None:
    """`parking-ingest-3.parking_default` -> `parking-ingest-3` (None if not a replica name)."""
    first = ptr_name.split(".", 1)[0]
    return first if REPLICA_NAME.match(first) and len(first) <= 64 else None


def ptr_query(address: str, ident: int) -> bytes:
    """A DNS query (recursion desired) for the PTR record of an IPv4 address."""
    name = ".".join(reversed(address.split("."))) + ".in-addr.arpa"
    labels = b"".join(bytes([len(part)]) + part.encode("ascii") for part in name.split("."))
    header = struct.pack("!6H", ident, 0x0100, 1, 0, 0, 0)
    return header + labels + b"\0" + struct.pack("!2H", 12, 1)  # type PTR, class IN


def read_name(message: bytes, offset: int) -> tuple[str, int]:
    """The domain name at `offset` (following compression pointers) and the offset after it."""
    labels: list[str] = []
    end = None
    for _ in range(128):  # bounded: a malicious answer cannot loop us
        length = message[offset]
        if length & 0xC0 == 0xC0:  # a pointer: the rest of the name is elsewhere
            end = offset + 2 if end is None else end
            offset = ((length & 0x3F) << 8) | message[offset + 1]
        elif length == 0:
            return ".".join(labels), offset + 1 if end is None else end
        else:
            labels.append(message[offset + 1 : offset + 1 + length].decode("ascii", "replace"))
            offset += 1 + length
    raise ValueError("DNS name too long")


def ptr_answer(message: bytes, ident: int) -> str | None:
    """The first PTR name in a DNS response to our query, or None."""
    got_ident, flags, questions, answers = struct.unpack_from("!4H", message)
    if got_ident != ident or flags & 0x000F or not answers:
        return None
    offset = 12
    for _ in range(questions):
        offset = read_name(message, offset)[1] + 4
    for _ in range(answers):
        offset = read_name(message, offset)[1]
        kind, _cls, _ttl, size = struct.unpack_from("!2HIH", message, offset)
        offset += 10
        if kind == 12:
            return read_name(message, offset)[0]
        offset += size
    return None


def nameserver(resolv_conf: Path = Path("/etc/resolv.conf")) -> str | None:
    """The first nameserver of resolv.conf (Docker's embedded DNS: 127.0.0.11)."""
    try:
        lines = resolv_conf.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            return fields[1]
    return None


def reverse_lookup() -> str | None:
    """The DNS name of this container's own address, asked of the DNS server itself.

    Not socket.gethostbyaddr: it reads /etc/hosts first, where Docker maps the address to the
    container's random hostname. Docker's embedded DNS answers with `<container name>.<network>`.
    """
    server = nameserver()
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return None
    if server is None:
        return None
    ident = secrets.randbits(16)
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2.0)
            sock.connect((server, 53))
            sock.send(ptr_query(address, ident))
            return ptr_answer(sock.recv(4096), ident)
    except (OSError, ValueError, IndexError, struct.error):
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
