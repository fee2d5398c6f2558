"""parkctl commands that share the admin API's code: the first admin, node registration,
and watching live topics.

They import `api_service` lazily, inside each command, so the other commands keep working
where the API's extra (`.[api]`: argon2, paho-mqtt, Flask) is not installed. The password
hasher stays in `api_service.passwords` (schemas must not depend on argon2); parkctl uses
it with the API's default parameters, and the API re-hashes at login if its own differ.
"""

import argparse
import getpass
import os
import sys
from typing import Any, Final

from sqlalchemy import select

from parkctl.commands import ACTOR, CommandError, UsageError, transaction
from schemas.broker_url import parse_mqtt_url
from schemas.db import ParkingLot, User
from schemas.db.settings import DatabaseSettings
from schemas.enums import Role

MQTT_URL_ENV: Final = "MQTT_URL"
BROKER_TIMEOUT_S: Final = 10.0


def _mqtt_url() -> str:
    url = os.environ.get(MQTT_URL_ENV, "")
    if not url.startswith(("mqtt://", "mqtts://")):
        raise CommandError(f"set {MQTT_URL_ENV}=mqtt://user:pass@host:1883 (a broker admin)")
    return url


NO_TERMINAL: Final = (
    "no terminal to ask for the password on: pipe it in with --password-stdin "
    "(e.g. `printf '%s\\n' \"$PASSWORD\" | parkctl users create-admin EMAIL --password-stdin`)"
)


def _password(args: argparse.Namespace) -> str:
    """The new password: the first line of standard input, or asked twice on the terminal."""
    if args.password_stdin:
        line = sys.stdin.readline()
        if not line.strip():
            raise UsageError("--password-stdin: standard input held no password line")
        return line.rstrip("\r\n")
    if not sys.stdin.isatty():
        raise UsageError(NO_TERMINAL)
    try:
        first = getpass.getpass("password: ")
        again = getpass.getpass("again: ")
    except EOFError:  # Ctrl-D, or the terminal went away
        raise UsageError(NO_TERMINAL) from None
    if first != again:
        raise CommandError("the passwords differ")
    return first


def users_create_admin(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    """Create a platform admin (the first one, typically), password from a prompt or stdin."""
    from pydantic import ValidationError  # noqa: PLC0415

    from api_service.audit import Actor, record  # noqa: PLC0415
    from api_service.models.auth import Registration  # noqa: PLC0415
    from api_service.passwords import Passwords  # noqa: PLC0415
    from api_service.settings import ApiSettings  # noqa: PLC0415

    try:
        account = Registration(email=args.email, password=_password(args))
    except ValidationError as exc:
        problems = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors())
        raise CommandError(problems) from exc
    # Defaults only (no JWT secret needed here): the argon2 parameters the API starts with.
    hashed = Passwords(ApiSettings.model_construct()).hash(account.password)
    with transaction(settings) as session:
        if session.scalar(select(User.id).where(User.email == account.email)) is not None:
            raise CommandError(f"{account.email} already has an account")
        session.add(User(email=account.email, password_hash=hashed, role=Role.ADMIN))
        record(
            session,
            Actor(None, ACTOR),
            "user.create_admin",
            ("user", account.email),
            operator_id=None,
            before=None,
            after={"email": account.email, "role": "admin"},
        )
    print(f"admin {account.email}: created")


def nodes_add(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    """Register a node for a lot with its broker credentials (as POST /admin/nodes)."""
    from api_service.audit import Actor  # noqa: PLC0415
    from api_service.broker_admin import BrokerAdmin  # noqa: PLC0415
    from api_service.services.admin_nodes import register_node  # noqa: PLC0415
    from api_service.services.errors import DomainError  # noqa: PLC0415
    from schemas.ids import is_identifier  # noqa: PLC0415

    if not is_identifier(args.node_id):
        raise CommandError(f"node id {args.node_id!r}: use 1-64 of A-Z a-z 0-9 . _ -")
    broker = BrokerAdmin(_mqtt_url(), BROKER_TIMEOUT_S)
    with transaction(settings) as session:
        lot = session.scalar(select(ParkingLot).where(ParkingLot.code == args.lot))
        if lot is None:
            raise CommandError(f"no lot {args.lot!r}")
        try:
            password = register_node(session, broker, Actor(None, ACTOR), args.node_id, lot)
        except DomainError as exc:
            raise CommandError(exc.detail) from exc
    print(f"node {args.node_id}: registered for lot {args.lot}")
    print(f"  MQTT username: {args.node_id}")
    print(f"  MQTT client id: {args.node_id}   (the only one this account may connect with)")
    print(f"  MQTT password: {password}   (shown once; store it on the node now)")


def mqtt_tail(args: argparse.Namespace, _settings: DatabaseSettings) -> None:
    """Print messages on TOPIC (a filter; wildcards allowed) until interrupted or --count.

    Fails (exit 1) with the broker's reason when it cannot be reached within --timeout, refuses
    the login, refuses the subscription (SUBACK >= 0x80, e.g. 135 not authorized) or drops the
    connection: a tail that silently receives nothing is indistinguishable from a quiet topic.
    """
    import queue  # noqa: PLC0415
    import uuid  # noqa: PLC0415

    from schemas.mqtt_client import describe, first_refusal, new_client  # noqa: PLC0415

    url = _mqtt_url()
    address = parse_mqtt_url(url)
    where = f"{address.host}:{address.port}" + (
        f" as {address.username}" if address.username else ""
    )
    client = new_client(address, f"parkctl-{uuid.uuid4().hex[:8]}")
    client.connect_timeout = args.timeout
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    client.on_connect = lambda _c, _u, _f, code, _p: events.put(("connack", code))
    client.on_subscribe = lambda _c, _u, _m, codes, _p: events.put(("suback", codes))
    client.on_message = lambda _c, _u, message: events.put(("message", message))
    client.on_disconnect = lambda _c, _u, _f, code, _p: events.put(("disconnect", code))
    try:
        client.connect(address.host, address.port)
    except (OSError, ValueError) as exc:
        raise CommandError(f"broker at {where}: cannot connect: {exc}") from exc
    client.loop_start()
    try:
        code = _expect(events, "connack", args.timeout, f"broker at {where}: no CONNACK")
        if code.is_failure:
            raise CommandError(f"broker at {where} refused the login: {describe(code)}")
        client.subscribe(args.topic, qos=1)
        granted = _expect(events, "suback", args.timeout, f"broker at {where}: no SUBACK")
        if (refused := first_refusal(granted)) is not None:
            raise CommandError(
                f"broker at {where} refused the subscription to {args.topic!r}: "
                f"{describe(refused)}; this account may not read that topic"
            )
        print(f"# subscribed to {args.topic} ({where}); Ctrl-C stops", file=sys.stderr, flush=True)
        _print_messages(events, args.count)
    except KeyboardInterrupt:
        pass
    finally:
        client.disconnect()
        client.loop_stop()


def _expect(events: "Any", kind: str, timeout_s: float, silence: str) -> Any:
    """The payload of the next `kind` event; a disconnect or `timeout_s` of silence fails."""
    import queue  # noqa: PLC0415

    try:
        got, value = events.get(timeout=timeout_s)
    except queue.Empty:
        raise CommandError(f"{silence} within {timeout_s:g} s") from None
    if got == "disconnect":
        raise CommandError(f"the broker closed the connection: {value} ({value.value})")
    if got != kind:
        raise CommandError(f"unexpected {got} from the broker while waiting for a {kind}")
    return value


def _print_messages(events: "Any", count: int | None) -> None:
    shown = 0
    while count is None or shown < count:
        kind, value = events.get()
        if kind == "disconnect":
            raise CommandError(f"the broker closed the connection: {value} ({value.value})")
        if kind != "message":
            continue
        flag = " (retained)" if value.retain else ""
        print(f"{value.topic}{flag} {value.payload.decode('utf-8', 'replace')}", flush=True)
        shown += 1
