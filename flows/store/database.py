"""Reaching the store's PostgreSQL database: create it when missing, or say what to run.

A server that is down, a database that cannot be created, a login that is refused: each
becomes a :class:`StoreUnavailable` with one line saying what to do, which the CLI prints
as a usage error (exit 2) instead of a driver traceback.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

# The database every PostgreSQL cluster has, to connect to while creating another.
MAINTENANCE_DATABASE = "postgres"


class StoreUnavailable(Exception):
    """The store's database cannot be used; the message says what to do, in one line."""


def ensure_database(url: str) -> bool:
    """Make sure a PostgreSQL store's database exists, creating it if it can.

    Args:
        url: the store's SQLAlchemy URL; anything but PostgreSQL is left alone.

    Returns:
        True when the database was created now.

    Raises:
        StoreUnavailable: the server cannot be reached, or the database is missing and
            this login may not create it (the message names the command to run).
    """
    target = make_url(url)
    if target.get_backend_name() != "postgresql" or not target.database:
        return False
    problem = _connect_problem(target)
    if problem is None:
        return False
    # Only this message means "create it": a missing role named like the database
    # (user nianbao, database nianbao) must not be taken for it.
    if f'database "{target.database}" does not exist' not in problem:
        raise StoreUnavailable(_unreachable(target, problem))
    engine = sa.create_engine(
        target.set(database=MAINTENANCE_DATABASE), isolation_level="AUTOCOMMIT"
    )
    try:
        with engine.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote_identifier(target.database)
            conn.exec_driver_sql(f"CREATE DATABASE {quoted}")
    except sa.exc.DBAPIError as exc:
        raise StoreUnavailable(
            f"database {target.database!r} does not exist on {_server(target)} and "
            f"{target.username or 'this login'} cannot create it ({_first_line(exc)}); "
            f"run: {create_command(target)}"
        ) from exc
    finally:
        engine.dispose()
    return True


def create_command(target: URL) -> str:
    """The shell command that creates the store's database, owned by its login."""
    parts = ["createdb"]
    if target.host:
        parts += ["-h", target.host]
    if target.port:
        parts += ["-p", str(target.port)]
    parts += ["-U", "postgres"]  # a role that may create databases
    if target.username:
        parts += ["-O", target.username]
    parts.append(str(target.database))
    return " ".join(parts)


def _connect_problem(target: URL) -> str | None:
    engine = sa.create_engine(target)
    try:
        with engine.connect():
            return None
    except sa.exc.DBAPIError as exc:
        return _first_line(exc)
    finally:
        engine.dispose()


def _unreachable(target: URL, problem: str) -> str:
    return (
        f"cannot use the database {target.render_as_string(hide_password=True)}: "
        f"{problem}; start the server or check the URL (host, port, user, password)"
    )


def _server(target: URL) -> str:
    return f"{target.host or 'localhost'}:{target.port or 5432}"


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
