"""The database extension: one engine per app, one session per request, closed on teardown."""

from typing import Any, Final

import psycopg
from flask import Flask, current_app, g
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

_KEY: Final = "parking_db"


class Database:
    """Engine and session factory, attached to an app with `init_app`."""

    def __init__(self, url: str, pool_size: int) -> None:
        # pool_pre_ping: a restarted PostgreSQL must not fail the first request after it.
        # Sessions in UTC: timestamps come back as they are stored, so an instant near the
        # ends of Python's calendar (year 1, year 9999) is not shifted out of it by the
        # server's own time zone.
        self.engine: Engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_pre_ping=True,
            connect_args={"options": "-c timezone=UTC"},
        )
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    def init_app(self, app: Flask) -> None:
        app.extensions[_KEY] = self
        app.teardown_appcontext(_close_session)

    def reachable(self) -> bool:
        """Whether a trivial query succeeds (for /readyz)."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            return False
        return True


def database() -> Database:
    """The current app's database."""
    db: Database = current_app.extensions[_KEY]
    return db


def db_session() -> Session:
    """This request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    session: Session = g.db_session
    return session


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        session.close()


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction, for SQL shared with ingest
    (`schemas.db`), which runs on psycopg directly."""
    connection = session.connection().connection.driver_connection
    assert isinstance(connection, psycopg.Connection)  # noqa: S101 - the psycopg dialect
    return connection
