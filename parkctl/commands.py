"""The parkctl commands: each takes the parsed arguments and the database settings."""

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from schemas.db import Operator
from schemas.db.layout_import import import_layout
from schemas.db.migrate import downgrade, upgrade
from schemas.db.settings import DatabaseSettings
from schemas.ids import is_identifier
from schemas.layout import LayoutError, parse_layout

ACTOR = "parkctl"


class CommandError(Exception):
    """A command that could not do what was asked; the message says why."""


class UsageError(CommandError):
    """A command called in a way it cannot work (exit status 2); the message says how to."""


@contextmanager
def transaction(settings: DatabaseSettings) -> Iterator[Session]:
    """A session whose transaction commits on success; the engine is closed afterwards."""
    engine = create_engine(settings.url)
    try:
        with Session(engine) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def db_upgrade(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    upgrade(settings.url, args.revision)


def db_downgrade(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    downgrade(settings.url, args.revision)


def operators_add(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    if not is_identifier(args.code):
        raise CommandError(f"operator code {args.code!r}: use 1-64 of A-Z a-z 0-9 . _ -")
    with transaction(settings) as session:
        operator = session.scalar(select(Operator).where(Operator.code == args.code))
        if operator is None:
            session.add(Operator(code=args.code, name=args.name))
            print(f"operator {args.code}: created")
        else:
            operator.name = args.name
            print(f"operator {args.code}: updated")


def lots_import(args: argparse.Namespace, settings: DatabaseSettings) -> None:
    raw = _read_input(args.file)
    try:
        layout = parse_layout(raw)
    except LayoutError as exc:
        raise LayoutError([f"{args.file}: {problem}" for problem in exc.problems]) from exc
    with transaction(settings) as session:
        report = import_layout(session, layout, actor=ACTOR)
    print(report.summary())


def _read_input(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from exc
