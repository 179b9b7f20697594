"""The complete, versioned store: every cell, finding and suggestion of the JSON is in
it, on DuckDB and PostgreSQL; re-loads give the same rows; an old store upgrades; the
analysts' views answer from the rows; `load --postgres` creates a missing database.

The reports are the real samples (PDF boxes, flat-text warnings, errors, suggestions),
two made-up consecutive years (S2) and one made-up report given every kind of finding.
"""

from __future__ import annotations

import hashlib
import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from conftest import SAMPLES
from report_factory import following_year, make_report, to_text
from sqlalchemy.engine import make_url

from extractors.batch import run_batch
from extractors.document import BBox
from extractors.layout import report_jsons
from extractors.report import ErrorItem, Finding, Report, Status, Suggestion
from flows.cli import main
from flows.store import (
    load_outputs,
    load_report,
    open_store,
    refresh_cross_year,
    report_rows,
)
from flows.store.database import StoreUnavailable, ensure_database
from flows.store.migrate import current_version, latest_version, migrations
from flows.store.schema import TABLES
from flows.store.views import table_view_name, view_column_label
from flows.views.labels import TABLE_KINDS, all_value_keys

SAMPLE_FILES = (
    "000_e67d0018f5985882.txt",
    "pingtan2019_page.txt",
    "pingtan2021_page.txt",
    "pingtan2024_page.txt",
    "szfgs2024.pdf",
)
ENGINES = ["duckdb", "postgres"]
Rows = list[tuple[Any, ...]]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Report JSONs: the samples, two made-up years of one issuer, one with findings."""
    out = tmp_path_factory.mktemp("store-out")
    summary = run_batch([SAMPLES / name for name in SAMPLE_FILES], out / "samples")
    assert summary.counts["processed"] == len(SAMPLE_FILES)
    inbox = tmp_path_factory.mktemp("store-in")
    first = make_report(
        "2021", "2021", seed=7, issuer="测试市人民政府", region="测试市"
    )
    second = following_year(first, 8, "2021")
    for key in ("rules", "normative_documents"):  # in-force stock carried too
        now = second.active_disclosure[key]
        now["in_force"] = (
            int(first.active_disclosure[key]["in_force"] or 0)
            + int(now["issued"] or 0)
            - int(now["repealed"] or 0)
        )
    for made in (first, second):
        (inbox / f"made-up-{made.year}.txt").write_text(to_text(made), "utf-8")
    run_batch(sorted(inbox.iterdir()), out / "made-up")
    (out / "made-up" / "with-findings.json").write_text(
        _with_findings(_read(out / "made-up" / "made-up-2022.json")).model_dump_json(),
        "utf-8",
    )
    return out


def _read(path: Path) -> Report:
    return Report.model_validate(json.loads(path.read_text("utf-8")))


def _with_findings(report: Report) -> Report:
    """Another document with warnings, errors, suggestions, boxes, OCR confidence and a
    second reading of one value (the store keeps the first, as the mapper does)."""
    made = report.model_copy(deep=True)
    made.source.sha256 = hashlib.sha256(b"with-findings").hexdigest()
    made.source.file = "made-up/with-findings.pdf"
    made.report.issuer, made.report.region, made.report.year = "某县政府", "某县", 2020
    for i, cell in enumerate(made.cells[:5]):
        cell.page = 2
        cell.bbox = BBox(x0=10.5 + i, top=200.25, x1=40.125 + i, bottom=212.0)
        cell.confidence = 0.875
    second = made.cells[0].model_copy(update={"raw": "again", "grid_row": 99})
    made.cells.append(second)
    made.warnings = [
        Finding(code="ocr_low", message="识别可信度低", where="requests.total", page=2),
        Finding(code="split_label", message="a label split over two lines"),
    ]
    made.errors = [
        ErrorItem(
            code="cells_missing", message="row 3 not read", page=2, component="mapper"
        )
    ]
    made.suggestions = [
        Suggestion(scope="requests.new_received.other_org", value=3, because="R1"),
        Suggestion(scope="active_disclosure.rules.fee", value=12.5, because="R4 sum"),
    ]
    made.status = Status.PARTIAL_SUCCESS
    return made


def _reports(out: Path) -> list[Report]:
    return [_read(p) for p in report_jsons(out)]


# What the JSON says each table must hold, built from the model (not from the store code).


def _json_rows(report: Report) -> dict[str, Rows]:
    sha, meta = report.source.sha256, report.report
    first: dict[tuple[str, str, str], Any] = {}
    for cell in report.cells:
        first.setdefault((cell.table, cell.row, cell.column), cell)
    cells = []
    for table in TABLE_KINDS:
        for row, fields in getattr(report, table).items():
            for column, value in fields.items():
                c = first.get((table, row, column))
                box = c.bbox if c else None
                cells.append(
                    (sha, table, row, column, value)
                    + (
                        (
                            c.raw,
                            c.page,
                            c.confidence,
                            c.source_table,
                            c.grid_row,
                            c.grid_col,
                            c.note,
                        )
                        if c
                        else (None,) * 7
                    )
                    + ((box.x0, box.top, box.x1, box.bottom) if box else (None,) * 4)
                )
    return {
        "documents": [
            (
                sha,
                report.source.file,
                report.pipeline_version,
                report.schema_version,
                report.status.value,
                meta.issuer,
                meta.region,
                meta.year,
                meta.template,
                *tuple(meta.template_by_table.get(t) for t in TABLE_KINDS),
                len(report.errors),
                len(report.warnings),
            )
        ],
        "sections": [
            (sha, i, s.level, s.number, s.heading, s.category, s.text, s.page)
            for i, s in enumerate(report.sections)
        ],
        "cells": cells,
        "checks": [
            (
                sha,
                "report",
                i,
                c.rule,
                c.scope,
                c.status.value,
                c.expected,
                c.actual,
                c.message,
            )
            for i, c in enumerate(report.checks)
        ],
        "findings": [
            (sha, "warning", i, w.code, w.message, w.where, w.page, None)
            for i, w in enumerate(report.warnings)
        ]
        + [
            (sha, "error", i, e.code, e.message, None, e.page, e.component)
            for i, e in enumerate(report.errors)
        ],
        "suggestions": [
            (sha, i, s.scope, s.value, s.because)
            for i, s in enumerate(report.suggestions)
        ],
    }


STORED = {
    "documents": "sha256, file, pipeline_version, schema_version, status, issuer, "
    "region, year, template, template_active_disclosure, template_requests, "
    "template_review_litigation, errors, warnings FROM documents",
    "sections": "sha256, ordinal, level, number, heading, category, text, page "
    "FROM sections",
    "cells": "sha256, table_name, row_key, column_key, value, raw, page, confidence, "
    "source_table, grid_row, grid_col, note, bbox_x0, bbox_top, bbox_x1, bbox_bottom "
    "FROM cells",
    "checks": "sha256, origin, ordinal, rule, scope, status, expected, actual, message "
    "FROM checks WHERE origin = 'report'",
    "findings": "sha256, severity, ordinal, code, message, scope, page, component "
    "FROM findings",
    "suggestions": "sha256, ordinal, scope, value, because FROM suggestions",
}


def _stored(engine: sa.Engine, sha: str | None = None) -> dict[str, Rows]:
    found = {}
    with engine.connect() as conn:
        for name, query in STORED.items():
            sql = f"SELECT {query}"
            if sha is not None:
                sql += (" AND" if " WHERE " in query else " WHERE") + " sha256 = :sha"
            found[name] = sorted(
                (tuple(r) for r in conn.execute(sa.text(sql), {"sha": sha})),
                key=lambda r: tuple(map(str, r[:4])),
            )
    return found


def _expected(reports: list[Report]) -> dict[str, Rows]:
    merged: dict[str, Rows] = {name: [] for name in STORED}
    for report in reports:
        for name, rows in _json_rows(report).items():
            merged[name].extend(rows)
    return {
        n: sorted(r, key=lambda r: tuple(map(str, r[:4]))) for n, r in merged.items()
    }


def _dump(engine: sa.Engine) -> dict[str, Rows]:
    """Every row of every table, in key order: what must not change on a re-load."""
    with engine.connect() as conn:
        return {
            name: [
                tuple(r)
                for r in conn.execute(
                    sa.select(table).order_by(*table.primary_key.columns)
                )
            ]
            for name, table in TABLES.items()
        }


@pytest.fixture
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty store: a DuckDB file, or a new database on the test server."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'store.duckdb'}"
        return
    server = make_url(request.getfixturevalue("postgres_url"))
    url = server.set(database=f"nianbao_{uuid.uuid4().hex[:12]}")
    assert ensure_database(url.render_as_string(hide_password=False))
    yield url.render_as_string(hide_password=False)


@pytest.mark.parametrize("store_url", ENGINES, indirect=True)
def test_every_stored_row_equals_the_json(outputs: Path, store_url: str) -> None:
    engine = open_store(store_url)
    try:
        summary = load_outputs(engine, outputs)
        reports = _reports(outputs)
        assert summary.rejected == {} and summary.documents == len(reports) == 8
        stored, expected = _stored(engine), _expected(reports)
    finally:
        engine.dispose()
    for name in STORED:
        assert stored[name] == expected[name], name
    # Not vacuous: the comparison covered boxes, confidences, findings and suggestions.
    assert sum(row[12] is not None for row in stored["cells"]) >= 200
    assert {row[1] for row in stored["findings"]} == {"warning", "error"}
    assert len(stored["suggestions"]) >= 50
    # No reading of a value is lost: every cell record's key has its row.
    keys = {row[:4] for row in stored["cells"]}
    for report in reports:
        sha = report.source.sha256
        assert {(sha, c.table, c.row, c.column) for c in report.cells} <= keys


@pytest.mark.parametrize("store_url", ENGINES, indirect=True)
def test_reload_is_idempotent_and_a_changed_report_replaces_its_rows(
    outputs: Path, store_url: str
) -> None:
    engine = open_store(store_url)
    try:
        load_outputs(engine, outputs)
        first = _dump(engine)
        assert first["checks"] and any(row[1] == "store" for row in first["checks"])
        load_outputs(engine, outputs)
        assert _dump(engine) == first
        changed = _read(outputs / "made-up" / "with-findings.json")
        sha = changed.source.sha256
        changed.warnings = changed.warnings[1:]
        changed.suggestions.append(
            Suggestion(scope="requests.carried_over.total", value=4, because="S2")
        )
        changed.requests["carried_over"]["total"] = 999
        load_report(engine, changed)
        assert _stored(engine, sha) == _expected([changed])
        after = _dump(engine)
        for name, rows in first.items():  # every other document's rows as they were
            assert [r for r in after[name] if r[0] != sha] == [
                r for r in rows if r[0] != sha
            ], name
    finally:
        engine.dispose()


def _columns(conn: sa.Connection, table: str) -> list[str]:
    return list(conn.execute(sa.text(f"SELECT * FROM {table} LIMIT 0")).keys())


def _old_store(url: str, reports: list[Report]) -> None:
    """A store as the release before versioning left it: its four tables (migration 1
    is that release's DDL), no version table, its rows written by its loader (which
    wrote exactly today's columns of those tables) and its S2 rows."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for statement in migrations()[0].statements:
                conn.exec_driver_sql(statement)
            columns = {
                name: set(_columns(conn, name))
                for name in ("documents", "sections", "cells", "checks")
            }
            assert "bbox_x0" not in columns["cells"]
            for report in reports:
                for name, rows in report_rows(report).items():
                    if name in columns and rows:
                        old = [{k: row[k] for k in columns[name]} for row in rows]
                        conn.execute(
                            sa.table(name, *map(sa.column, columns[name])).insert(), old
                        )
            refresh_cross_year(conn, [r.source.sha256 for r in reports])
    finally:
        engine.dispose()


@pytest.mark.parametrize("store_url", ENGINES, indirect=True)
def test_an_old_store_upgrades_and_loads_everything(
    outputs: Path, store_url: str
) -> None:
    reports = _reports(outputs)
    _old_store(store_url, reports)
    engine = open_store(store_url)
    try:
        with engine.connect() as conn:
            assert current_version(conn) == latest_version() == len(migrations()) >= 2
            for name, table in TABLES.items():  # the files make what the code declares
                assert _columns(conn, name) == [c.name for c in table.columns], name
            old_cells = conn.execute(sa.text("SELECT count(*) FROM cells")).scalar()
        assert old_cells == len(_expected(reports)["cells"])  # the old rows survived
        load_outputs(engine, outputs)
        assert _stored(engine) == _expected(reports)
    finally:
        engine.dispose()
    again = open_store(store_url)  # an up-to-date store: nothing more to apply
    try:
        with again.connect() as conn:
            versions = conn.execute(sa.text("SELECT version FROM schema_version"))
            assert sorted(v for (v,) in versions) == list(
                range(1, latest_version() + 1)
            )
    finally:
        again.dispose()


def test_view_column_labels_are_distinct_chinese_identifiers() -> None:
    for kind in TABLE_KINDS:
        labels = [view_column_label(kind, r, f) for r, f in all_value_keys(kind)]
        assert len(set(labels)) == len(labels), kind
        assert all(len(label.encode()) <= 63 for label in labels)
    assert view_column_label("requests", "new_received", "natural_person") == (
        "本年新收·自然人"
    )


def _views(engine: sa.Engine) -> dict[str, Rows]:
    with engine.connect() as conn:
        return {
            name: sorted(
                (tuple(r) for r in conn.execute(sa.text(f'SELECT * FROM "{name}"'))),
                key=lambda r: tuple(map(str, r)),
            )
            for name in (
                *(table_view_name(k) for k in TABLE_KINDS),
                "failed_checks",
                "failed_checks_per_issuer_year",
                "s2_pairs",
            )
        }


def test_views_answer_from_the_rows_alike_on_both_engines(
    outputs: Path, tmp_path: Path, postgres_url: str
) -> None:
    reports = {r.source.sha256: r for r in _reports(outputs)}
    duck = open_store(f"duckdb:///{tmp_path / 'views.duckdb'}")
    name = f"nianbao_{uuid.uuid4().hex[:12]}"
    pg_url = make_url(postgres_url).set(database=name).render_as_string(False)
    pg = open_store(pg_url)
    try:
        for engine in (duck, pg):
            load_outputs(engine, outputs)
        views = _views(duck)
        assert _views(pg) == views
        with duck.connect() as conn:
            wide = conn.execute(sa.text("SELECT * FROM report_requests"))
            columns = list(wide.keys())
            wide_rows = [dict(zip(columns, row, strict=True)) for row in wide]
            s2 = conn.execute(sa.text("SELECT * FROM s2_pairs")).mappings().all()
            failed_s2 = conn.execute(
                sa.text(
                    "SELECT count(*) FROM checks WHERE rule = 'S2' AND status = 'fail'"
                )
            ).scalar()
    finally:
        duck.dispose()
        pg.dispose()
    assert columns[:6] == ["sha256", "文件", "发布机关", "地区", "年度", "模板"]
    assert len(wide_rows) == len(reports)  # one row per report
    for row in wide_rows:
        report = reports[row["sha256"]]
        assert row["年度"] == report.report.year
        for key in ("natural_person", "total"):
            assert row[
                f"本年新收·{'自然人' if key == 'natural_person' else '总计'}"
            ] == (report.requests.get("new_received", {}).get(key))
    failed = [
        (sha, c.rule, c.scope)
        for sha, r in reports.items()
        for c in r.checks
        if c.status.value == "fail"
    ]
    in_view = views["failed_checks"]
    assert sorted(
        (row[5], row[7], row[8]) for row in in_view if row[6] == "report"
    ) == sorted(failed)
    assert sum(row[6] == "store" for row in in_view) == failed_s2
    assert sum(row[4] for row in views["failed_checks_per_issuer_year"]) == len(in_view)
    # The made-up pair: 2023 compared with 2022 of 测试市, everything carried over.
    pair = next(p for p in s2 if p["issuer"] == "测试市人民政府")
    assert (pair["year"], pair["previous_year"]) == (2023, 2022)
    assert pair["failed"] == 0 and pair["passed"] == pair["checks"] > 0


def test_cli_load_creates_a_missing_database(outputs: Path, postgres_url: str) -> None:
    name = f"nianbao_cli_{uuid.uuid4().hex[:8]}"
    url = make_url(postgres_url).set(database=name).render_as_string(False)
    assert main(["load", str(outputs / "made-up"), "--postgres", url]) == 0
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM documents")).scalar()
    finally:
        engine.dispose()
    assert count == 3


def test_cli_load_says_what_to_run_when_the_login_cannot_create_it(
    outputs: Path, postgres_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"reader_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN NOCREATEDB")
    finally:
        admin.dispose()
    url = make_url(postgres_url).set(username=role, database="nianbao_denied")
    assert main(["load", str(outputs), "--postgres", url.render_as_string(False)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    port = make_url(postgres_url).port
    assert (
        f"createdb -h 127.0.0.1 -p {port} -U postgres -O {role} nianbao_denied" in err
    )


def test_cli_load_with_the_server_down_is_one_line(
    outputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://postgres@127.0.0.1:{port}/nianbao"
    assert main(["load", str(outputs), "--postgres", url]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "Traceback" not in err
    assert f"port {port} failed" in err and "start the server" in err


def test_a_missing_role_named_like_the_database_is_not_taken_for_it(
    postgres_url: str,
) -> None:
    url = make_url(postgres_url).set(username="ghost", database="ghost")
    with pytest.raises(StoreUnavailable, match='role "ghost" does not exist') as raised:
        ensure_database(url.render_as_string(False))
    assert "createdb" not in str(raised.value) and "start the server" in str(
        raised.value
    )
