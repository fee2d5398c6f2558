"""Entry point: `parkctl ...` or `python -m parkctl ...`."""

import argparse
import sys
from collections.abc import Sequence

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from parkctl import commands
from schemas.db.settings import DatabaseSettings
from schemas.errors import ContractError

EXIT_FAILURE, EXIT_USAGE = 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="parkctl", description="Manage the parking platform's database, lots and nodes."
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="database migrations").add_subparsers(
        dest="action", required=True
    )
    upgrade = db.add_parser("upgrade", help="migrate to the newest schema (or --revision)")
    upgrade.add_argument("--revision", default="head")
    upgrade.set_defaults(run=commands.db_upgrade)
    downgrade = db.add_parser("downgrade", help="migrate back to REVISION ('base' empties it)")
    downgrade.add_argument("revision")
    downgrade.set_defaults(run=commands.db_downgrade)

    operators = groups.add_parser("operators", help="tenants").add_subparsers(
        dest="action", required=True
    )
    add_operator = operators.add_parser("add", help="create or rename an operator")
    add_operator.add_argument("code")
    add_operator.add_argument("--name", required=True)
    add_operator.set_defaults(run=commands.operators_add)

    lots = groups.add_parser("lots", help="parking lots").add_subparsers(
        dest="action", required=True
    )
    import_lot = lots.add_parser("import", help="create or update a lot from a layout file")
    import_lot.add_argument("file", help="layout JSON file, or - for standard input")
    import_lot.set_defaults(run=commands.lots_import)
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
    except ContractError as exc:
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
