"""Entry point: `parkctl ...` or `python -m parkctl ...`."""

import argparse
import sys
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from parkctl import admin, commands
from schemas.db.settings import DatabaseSettings
from schemas.errors import ContractError

EXIT_FAILURE, EXIT_USAGE = 1, 2

Arguments = Callable[[argparse.ArgumentParser], Any]


def _none(_parser: argparse.ArgumentParser) -> None:
    return None


def _revision(default: str | None) -> Arguments:
    if default is None:
        return lambda p: p.add_argument("revision")
    return lambda p: p.add_argument("--revision", default=default)


def _operator(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("code")
    parser.add_argument("--name", required=True)


def _admin(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input",
    )


def _node(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("node_id")
    parser.add_argument("--lot", required=True, help="the lot's code")


def _tail(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("topic", help="topic filter, e.g. 'parking/v1/lots/+/availability'")
    parser.add_argument("--count", type=int, help="stop after this many messages")
    parser.add_argument(
        "--timeout",
        type=float,
        default=admin.BROKER_TIMEOUT_S,
        help="seconds to wait for the broker to accept the login and the subscription "
        f"(default {admin.BROKER_TIMEOUT_S:g})",
    )


GROUPS = {
    "db": "database migrations",
    "operators": "tenants (cities, private operators)",
    "lots": "parking lots and their layouts",
    "users": "accounts",
    "nodes": "camera nodes",
    "mqtt": "the broker",
}

# (group, action, help, arguments, command). Commands that need the broker read MQTT_URL.
COMMANDS: list[tuple[str, str, str, Arguments, Callable[..., None]]] = [
    (
        "db",
        "upgrade",
        "migrate to the newest schema (or --revision)",
        _revision("head"),
        commands.db_upgrade,
    ),
    (
        "db",
        "downgrade",
        "migrate back to REVISION ('base' empties it)",
        _revision(None),
        commands.db_downgrade,
    ),
    ("operators", "add", "create or rename an operator", _operator, commands.operators_add),
    (
        "lots",
        "import",
        "create or update a lot from a layout file",
        lambda p: p.add_argument("file", help="layout JSON file, or - for standard input"),
        commands.lots_import,
    ),
    (
        "users",
        "create-admin",
        "create a platform admin (password prompted)",
        _admin,
        admin.users_create_admin,
    ),
    ("nodes", "add", "register a node: its broker credentials (MQTT_URL)", _node, admin.nodes_add),
    ("mqtt", "tail", "print live messages on a topic (MQTT_URL)", _tail, admin.mqtt_tail),
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parkctl", description="Manage the parking platform's database, lots and nodes."
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")
    actions: dict[str, Any] = {}
    for group, action, text, arguments, run in COMMANDS:
        if group not in actions:
            actions[group] = groups.add_parser(group, help=GROUPS[group]).add_subparsers(
                dest="action", required=True
            )
        sub = actions[group].add_parser(action, help=text)
        arguments(sub)
        sub.set_defaults(run=run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = DatabaseSettings()
    except ValidationError as exc:
        print(f"parkctl: bad configuration: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        args.run(args, settings)
    except (ContractError, commands.UsageError) as exc:
        print(f"parkctl: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except commands.CommandError as exc:
        print(f"parkctl: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except OperationalError as exc:
        print(f"parkctl: database unreachable: {exc.orig}", file=sys.stderr)
        return EXIT_FAILURE
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
