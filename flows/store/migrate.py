"""Schema versions of the store: plain SQL files applied in order, recorded in a table.

``flows/store/migrations/NNNN_name.sql`` is version NNNN. A store records each version applied
in ``schema_version``; a store made before versioning has no such table and counts as
version 0, and ``0001_initial.sql`` (its four tables, ``IF NOT EXISTS``) brings it to 1
without touching its rows. Each version runs in its own transaction with its record, so
an upgrade that fails leaves the store at the last version that succeeded. The same
files run on DuckDB and PostgreSQL: they use only the SQL both share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

import sqlalchemy as sa

from flows.store.schema import schema_version

_MIGRATION_NAME = re.compile(r"(\d{4})_(\w+)\.sql")


@dataclass(frozen=True)
class Migration:
    """One SQL file: its version, name and statements."""

    version: int
    name: str
    statements: tuple[str, ...]


def migrations() -> list[Migration]:
    """The migrations shipped with the package, in version order."""
    found = []
    for entry in resources.files("flows.store.migrations").iterdir():
        match = _MIGRATION_NAME.fullmatch(entry.name)
        if match is None:
            continue
        found.append(
            Migration(int(match[1]), match[2], _statements(entry.read_text("utf-8")))
        )
    found.sort(key=lambda m: m.version)
    if [m.version for m in found] != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..n: {found}")
    return found


def latest_version() -> int:
    """The version a store has once every shipped migration ran."""
    return len(migrations())


def current_version(conn: sa.Connection) -> int:
    """The store's version: the last migration recorded, 0 before versioning."""
    if not sa.inspect(conn).has_table(schema_version.name):
        return 0
    found = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(found or 0)


def upgrade(engine: sa.Engine) -> list[int]:
    """Apply the migrations the store has not had, each in its own transaction.

    Returns:
        The versions applied now (empty when the store was up to date).
    """
    with engine.begin() as conn:
        schema_version.create(conn, checkfirst=True)
        version = current_version(conn)
    applied = []
    for migration in migrations():
        if migration.version <= version:
            continue
        with engine.begin() as conn:
            for statement in migration.statements:
                conn.exec_driver_sql(statement)
            conn.execute(
                schema_version.insert().values(
                    version=migration.version, name=migration.name
                )
            )
        applied.append(migration.version)
    return applied


def _statements(script: str) -> tuple[str, ...]:
    """The statements of a migration: split at semicolons that end a line (the files
    hold no semicolon inside a string), comment lines dropped."""
    lines = [ln for ln in script.splitlines() if not ln.lstrip().startswith("--")]
    parts = re.split(r";\s*$", "\n".join(lines), flags=re.MULTILINE)
    return tuple(p.strip() for p in parts if p.strip())
