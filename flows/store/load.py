"""The report store: tidy tables in DuckDB (default) or PostgreSQL, and Parquet export.

Six tables, every row keyed by the document's sha256:

- ``documents``: one row per report (source, versions, issuer, region, year, templates,
  status, counts of errors and warnings);
- ``sections``: one row per heading, in order;
- ``cells``: one row per canonical value (table, row key, column key, value) with where
  it came from (raw text, page, box, confidence, grid position);
- ``checks``: the report's own checks (``origin='report'``) and the cross-year check S2
  computed here (``origin='store'``);
- ``findings``: the report's warnings and errors, with codes and places;
- ``suggestions``: the values the rules propose for unreadable cells.

The schema is versioned (:mod:`flows.store.migrate`); opening a store upgrades it and
recreates the analysts' views (:mod:`flows.store.views`).

Loading a report replaces its rows in one transaction, so a re-load is idempotent and a
failed load leaves the previous rows (or none) — never half of a document. The same
SQLAlchemy Core statements run on both engines; DuckDB goes through duckdb-engine.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from pydantic import ValidationError

from extractors.crossyear import Tables, cross_year_checks
from extractors.layout import report_jsons
from extractors.report import Report
from flows.store.database import ensure_database
from flows.store.migrate import upgrade
from flows.store.rows import check_rows, report_rows
from flows.store.schema import (
    ORIGIN_STORE,
    STORE_TABLES,
    TABLES,
    arrow_schema,
    cells,
    checks,
    documents,
)
from flows.store.views import create_views

DEFAULT_DUCKDB_NAME = "nianbao.duckdb"


@dataclass
class LoadSummary:
    """What a load did: rows written per table, and the JSON files it refused."""

    documents: int = 0
    rows: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STORE_TABLES, 0))
    s2_checks: int = 0
    rejected: dict[str, str] = field(default_factory=dict)


def store_url(
    db: Path | None = None, postgres: str | None = None, out_dir: Path = Path("output")
) -> str:
    """The SQLAlchemy URL of the store: PostgreSQL when given, else a DuckDB file.

    The DuckDB file defaults to ``<out_dir>/nianbao.duckdb``, beside the JSON it holds.
    """
    if postgres:
        # A bare postgresql:// URL would pick psycopg2; the project ships psycopg 3.
        if postgres.startswith("postgresql://") or postgres.startswith("postgres://"):
            return "postgresql+psycopg://" + postgres.split("://", 1)[1]
        return postgres
    return f"duckdb:///{(db or out_dir / DEFAULT_DUCKDB_NAME).resolve()}"


def open_store(url: str) -> sa.Engine:
    """An engine on the store, upgraded to the latest schema, with fresh views.

    A missing PostgreSQL database is created when the login may; otherwise, or when
    the server is down, :class:`~flows.store.database.StoreUnavailable` says what to do.
    """
    if url.startswith("duckdb:///"):
        Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
    ensure_database(url)
    engine = sa.create_engine(url)
    upgrade(engine)
    with engine.begin() as conn:
        create_views(conn)
    return engine


def load_report(
    engine: sa.Engine,
    report: Report,
    json_file: str | None = None,
    cross_year: bool = True,
) -> dict[str, int]:
    """Replace one document's rows (and refresh S2 around it) in one transaction.

    Args:
        engine: the store.
        report: the report to load.
        json_file: the JSON it was read from, kept in ``documents``.
        cross_year: refresh S2 of this document and of its issuer's next year now;
            :func:`load_outputs` turns this off and refreshes once after the batch.

    Returns:
        Rows written per table (``checks`` counts the report's own checks; S2 rows
        are counted under ``s2``).
    """
    with engine.begin() as conn:
        written, targets = _replace_rows(conn, report, json_file)
        written["s2"] = refresh_cross_year(conn, targets) if cross_year else 0
    return written


def _replace_rows(
    conn: sa.Connection, report: Report, json_file: str | None
) -> tuple[dict[str, int], set[str]]:
    """Delete and insert one document's rows; returns them counted, and whose S2 to redo."""
    rows = report_rows(report, json_file)
    sha = report.source.sha256
    before = conn.execute(
        sa.select(documents.c.issuer_key, documents.c.year).where(
            documents.c.sha256 == sha
        )
    ).first()
    for table in TABLES.values():
        conn.execute(table.delete().where(table.c.sha256 == sha))
    for name, table_rows in rows.items():
        _insert(conn, TABLES[name], table_rows)
    document = rows["documents"][0]
    # S2 of this document, and of next year's documents of its issuer (and of its
    # issuer/year as last loaded, if a new pipeline version read them otherwise).
    targets = {sha} | set(
        _documents_of(conn, document["issuer_key"], document["year"], 1)
    )
    if before is not None:
        targets |= set(_documents_of(conn, before.issuer_key, before.year, 1))
    return {name: len(table_rows) for name, table_rows in rows.items()}, targets


def refresh_cross_year(conn: sa.Connection, shas: Iterable[str]) -> int:
    """Recompute the S2 rows of these documents against their issuer's previous year.

    When the store holds several documents of the issuer's previous year (one report
    as PDF and as HTML), the one with the most values is the reference (ties: lowest
    sha256), named in ``other_sha256`` — one comparison per document keeps a batch
    linear however many duplicates it holds.

    Returns:
        How many S2 rows were written.
    """
    written = 0
    tables: dict[str, Tables] = {}  # previous years are shared by many documents

    def tables_of(sha: str) -> Tables:
        if sha not in tables:
            tables[sha] = _tables_of(conn, sha)
        return tables[sha]

    references: dict[tuple[str, int], tuple[str, str] | None] = {}
    for sha in sorted(shas):
        conn.execute(
            checks.delete().where(
                (checks.c.sha256 == sha) & (checks.c.origin == ORIGIN_STORE)
            )
        )
        meta = conn.execute(
            sa.select(documents.c.issuer_key, documents.c.year).where(
                documents.c.sha256 == sha
            )
        ).first()
        if meta is None or meta.issuer_key is None or meta.year is None:
            continue
        key = (meta.issuer_key, meta.year - 1)
        if key not in references:
            references[key] = _reference_of(conn, *key)
        reference = references[key]
        if reference is None:
            continue
        other, other_file = reference
        label = f"{Path(other_file).name}, {other[:12]}"
        found = [
            {**row, "other_sha256": other}
            for row in check_rows(
                sha,
                ORIGIN_STORE,
                cross_year_checks(tables_of(sha), tables_of(other), label),
            )
        ]
        _insert(conn, checks, found)
        written += len(found)
    return written


def _reference_of(conn: sa.Connection, key: str, year: int) -> tuple[str, str] | None:
    count = sa.func.count(cells.c.sha256)
    row = conn.execute(
        sa.select(documents.c.sha256, documents.c.file, count.label("n"))
        .select_from(documents.outerjoin(cells, cells.c.sha256 == documents.c.sha256))
        .where((documents.c.issuer_key == key) & (documents.c.year == year))
        .group_by(documents.c.sha256, documents.c.file)
        .order_by(count.desc(), documents.c.sha256)
        .limit(1)
    ).first()
    return (row.sha256, row.file) if row is not None else None


def load_outputs(
    engine: sa.Engine,
    out_dir: Path,
    progress: Callable[[Path], None] | None = None,
) -> LoadSummary:
    """Load every report JSON of an output folder (``_summary.json`` and such skipped).

    Each document is replaced in its own transaction; S2 is then refreshed for every
    document loaded and its issuer's next year, in one more. A file that is not a
    report JSON (unreadable, not valid against the model) is recorded in ``rejected``
    and the others still load.
    """
    summary = LoadSummary()
    targets: set[str] = set()
    for path in report_jsons(out_dir):
        try:
            report = Report.model_validate(json.loads(path.read_text("utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            summary.rejected[str(path)] = f"{type(exc).__name__}: {exc}"[:500]
        else:
            with engine.begin() as conn:
                written, affected = _replace_rows(conn, report, str(path))
            targets |= affected
            summary.documents += 1
            for name in STORE_TABLES:
                summary.rows[name] += written[name]
        if progress is not None:
            progress(path)
    # S2 is derived from rows already committed: refreshed once for the whole batch,
    # so loading N years of an issuer costs N comparisons, not N².
    with engine.begin() as conn:
        summary.s2_checks = refresh_cross_year(conn, targets)
    return summary


def table_counts(engine: sa.Engine) -> dict[str, int]:
    """Rows per store table."""
    with engine.connect() as conn:
        return {
            name: int(
                conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
            )
            for name, t in TABLES.items()
        }


def export_parquet(engine: sa.Engine, folder: Path) -> list[Path]:
    """Write each store table to ``<folder>/<table>.parquet``, rows in key order."""
    import pyarrow as pa  # only the export needs Arrow
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with engine.connect() as conn:
        for name, table in TABLES.items():
            schema = arrow_schema(table)
            result = conn.execute(sa.select(table).order_by(*table.primary_key.columns))
            data = [dict(row._mapping) for row in result]
            target = folder / f"{name}.parquet"
            pq.write_table(pa.Table.from_pylist(data, schema=schema), target)
            written.append(target)
    return written


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "duckdb":
        conn.execute(table.insert(), rows)  # psycopg pipelines executemany
        return
    # DuckDB runs executemany row by row (~50 ms a document); an Arrow table scanned
    # by one INSERT … SELECT on the same connection is one statement in the same
    # transaction.
    import pyarrow as pa

    data = pa.Table.from_pylist(rows, schema=arrow_schema(table))
    raw = conn.connection.driver_connection
    assert raw is not None  # an open connection always has its driver's
    columns = ", ".join(f'"{c.name}"' for c in table.columns)
    raw.register("_nianbao_rows", data)
    try:
        raw.execute(
            f"INSERT INTO {table.name} ({columns}) SELECT {columns} FROM _nianbao_rows"
        )
    finally:
        raw.unregister("_nianbao_rows")


def _documents_of(
    conn: sa.Connection, key: str | None, year: int | None, offset: int
) -> dict[str, str]:
    """sha256 → file of the issuer's documents ``offset`` years from ``year``."""
    if key is None or year is None:
        return {}
    result = conn.execute(
        sa.select(documents.c.sha256, documents.c.file)
        .where((documents.c.issuer_key == key) & (documents.c.year == year + offset))
        .order_by(documents.c.sha256)
    )
    return {row.sha256: row.file for row in result}


def _tables_of(conn: sa.Connection, sha: str) -> Tables:
    result = conn.execute(
        sa.select(
            cells.c.table_name, cells.c.row_key, cells.c.column_key, cells.c.value
        )
        .where(cells.c.sha256 == sha)
        .order_by(cells.c.table_name, cells.c.row_key, cells.c.column_key)
    )
    tables: Tables = {}
    for row in result:
        value = row.value
        # Doubles come back as floats; counts compare and print as the ints they are.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        tables.setdefault(row.table_name, {}).setdefault(row.row_key, {})[
            row.column_key
        ] = value
    return tables
