"""The store: tidy rows equal the JSON, re-loads are idempotent and atomic, DuckDB and
PostgreSQL answer the same queries alike, S2 runs across years, Parquet export.

PostgreSQL is a real server started by scripts/start-postgres.sh on a loopback port (or
the one named by NIANBAO_TEST_POSTGRES_URL; fixture in conftest.py); if it cannot start,
these tests fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from report_factory import APPLICANTS, following_year, make_report, to_text

from extractors.batch import find_inputs, run_batch
from extractors.layout import report_jsons
from extractors.report import Report
from flows.cli import main
from flows.store import (
    export_parquet,
    load_outputs,
    load_report,
    open_store,
    table_counts,
)
from flows.store.schema import TABLES

ISSUER = ("江苏省淮安市洪泽区人民政府", "洪泽区")
# Queries a user of the store would run; each must give the same rows on both engines.
QUERIES = [
    "SELECT count(*) FROM documents",
    "SELECT region, year, template, status FROM documents ORDER BY sha256",
    "SELECT table_name, row_key, column_key, count(*), sum(value) FROM cells "
    "GROUP BY table_name, row_key, column_key ORDER BY 1, 2, 3",
    "SELECT d.year, c.value FROM cells c JOIN documents d ON d.sha256 = c.sha256 "
    "WHERE c.table_name = 'requests' AND c.row_key = 'new_received' "
    "AND c.column_key = 'total' ORDER BY d.year, c.value",
    "SELECT rule, origin, status, count(*) FROM checks GROUP BY rule, origin, status "
    "ORDER BY 1, 2, 3",
    "SELECT c.scope, c.expected, c.actual, d.year FROM checks c "
    "JOIN documents d ON d.sha256 = c.sha256 WHERE c.rule = 'S2' "
    "AND c.status = 'fail' ORDER BY d.year, c.scope",
    "SELECT category, count(*) FROM sections GROUP BY category ORDER BY category",
]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """JSON of four consecutive years of one issuer (2022's carry-over broken in one
    column), one 2021-format pair with in-force stock, and unrelated reports."""
    inbox = tmp_path_factory.mktemp("inputs")
    y2019 = make_report(
        "2019", "2019", seed=11, issuer=ISSUER[0], region=ISSUER[1], year=2019
    )
    y2020 = following_year(y2019, 12, "2019")
    y2021 = following_year(y2020, 13, "2021")
    y2022 = following_year(y2021, 14, "2021")
    # A publisher's slip: 2022 carries over one more natural-person request than 2021 left.
    y2022.requests["carried_over"]["natural_person"] = (
        int(y2022.requests["carried_over"]["natural_person"] or 0) + 1
    )
    y2022.requests["new_received"]["natural_person"] = (
        int(y2022.requests["new_received"]["natural_person"] or 0) - 1
    )
    for key in ("carried_over", "new_received"):
        row = y2022.requests[key]
        row["total"] = sum(int(row[c] or 0) for c in APPLICANTS)
    # In-force stock carried correctly for rules, not for normative documents.
    rules_2021 = y2021.active_disclosure["rules"]
    rules_2022 = y2022.active_disclosure["rules"]
    rules_2022["in_force"] = (
        int(rules_2021["in_force"] or 0)
        + int(rules_2022["issued"] or 0)
        - int(rules_2022["repealed"] or 0)
    )
    for report in (y2019, y2020, y2021, y2022):
        (inbox / f"honze-{report.year}.txt").write_text(to_text(report), "utf-8")
    for i in range(6):
        other = make_report(
            "2021" if i % 2 else "2019",
            "2019",
            seed=100 + i,
            year=2020 + i,
            issuer=f"测试市第{i}区人民政府",
            region=f"第{i}区",
        )
        (inbox / f"other-{i}.txt").write_text(to_text(other), "utf-8")
    (inbox / "empty.txt").write_bytes(b"")
    out = tmp_path_factory.mktemp("out")
    summary = run_batch(find_inputs([inbox]), out)
    assert summary.counts == {"processed": 10, "unchanged": 0, "failed": 1}
    return out


def _reports(out: Path) -> list[Report]:
    return [
        Report.model_validate(json.loads(p.read_text("utf-8")))
        for p in report_jsons(out)
    ]


def _query(engine: sa.Engine) -> list[list[tuple[Any, ...]]]:
    with engine.connect() as conn:
        return [[tuple(r) for r in conn.execute(sa.text(q))] for q in QUERIES]


def _s2(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                sa.text(
                    "SELECT d.year, c.scope, c.status, c.expected, c.actual FROM checks c "
                    "JOIN documents d ON d.sha256 = c.sha256 WHERE c.rule = 'S2' "
                    "ORDER BY d.year, c.scope"
                )
            )
        ]


@pytest.fixture
def duckdb_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = open_store(f"duckdb:///{tmp_path / 'store.duckdb'}")
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(postgres_url: str) -> Iterator[sa.Engine]:
    engine = open_store(postgres_url)
    with engine.begin() as conn:  # each test starts from an empty store
        for table in TABLES.values():
            conn.execute(table.delete())
    yield engine
    engine.dispose()


def test_loaded_rows_equal_the_json(outputs: Path, duckdb_engine: sa.Engine) -> None:
    summary = load_outputs(duckdb_engine, outputs)
    reports = _reports(outputs)
    expected = {
        "documents": len(reports),
        "sections": sum(len(r.sections) for r in reports),
        "cells": sum(
            len(fields)
            for r in reports
            for table in (r.active_disclosure, r.requests, r.review_litigation)
            for fields in table.values()
        ),
        "checks": sum(len(r.checks) for r in reports),
        "findings": sum(len(r.warnings) + len(r.errors) for r in reports),
        "suggestions": sum(len(r.suggestions) for r in reports),
    }
    assert summary.documents == 10 and summary.rejected == {}
    assert summary.rows == expected
    counts = table_counts(duckdb_engine)
    assert counts == {**expected, "checks": expected["checks"] + summary.s2_checks}
    with duckdb_engine.connect() as conn:
        raw = conn.execute(
            sa.text(
                "SELECT c.value, c.raw FROM cells c JOIN documents d USING (sha256) "
                "WHERE d.year = 2019 AND d.region = '洪泽区' AND c.table_name = 'requests' "
                "AND c.row_key = 'new_received' AND c.column_key = 'total'"
            )
        ).one()
    honze = next(
        r for r in reports if r.report.year == 2019 and r.report.region == "洪泽区"
    )
    assert raw == (honze.requests["new_received"]["total"], str(int(raw[0])))


def test_reload_replaces_rows_idempotently(
    outputs: Path, duckdb_engine: sa.Engine
) -> None:
    load_outputs(duckdb_engine, outputs)
    first = (table_counts(duckdb_engine), _query(duckdb_engine))
    load_outputs(duckdb_engine, outputs)
    assert (table_counts(duckdb_engine), _query(duckdb_engine)) == first


def test_duckdb_and_postgres_answer_alike(
    outputs: Path, duckdb_engine: sa.Engine, pg_engine: sa.Engine
) -> None:
    load_outputs(duckdb_engine, outputs)
    load_outputs(pg_engine, outputs)
    assert table_counts(pg_engine) == table_counts(duckdb_engine)
    assert _query(pg_engine) == _query(duckdb_engine)


def test_s2_compares_each_year_with_the_one_before(
    outputs: Path, duckdb_engine: sa.Engine
) -> None:
    # Newest first: a year loaded before its predecessor is checked once that arrives.
    for report in sorted(_reports(outputs), key=lambda r: -(r.report.year or 0)):
        load_report(duckdb_engine, report)
    s2 = _s2(duckdb_engine)
    years = {row[0] for row in s2}
    assert years == {2020, 2021, 2022}  # 2019 has no previous year in the store
    failed = [row for row in s2 if row[2] == "fail"]
    assert [(y, scope) for y, scope, *_ in failed] == [
        (2022, "active_disclosure.normative_documents.in_force"),
        (2022, "requests.carried_over.natural_person"),
        (2022, "requests.carried_over.total"),
    ]
    carried = {row[1]: row for row in s2 if row[0] == 2022}
    expected, actual = carried["requests.carried_over.natural_person"][3:]
    assert actual == expected + 1
    # The 2022 JSON itself is untouched: S2 lives in the store only.
    y2022 = next(
        r
        for r in _reports(outputs)
        if r.report.year == 2022 and r.report.region == "洪泽区"
    )
    assert all(c.rule != "S2" for c in y2022.checks)


def _broken(report: Report) -> Report:
    """The same document with a page number no INTEGER column holds: its insert fails
    after the document and section rows went in."""
    broken = report.model_copy(deep=True)
    broken.cells[-1].page = 10**12  # same sha256, so it would replace the loaded rows
    return broken


@pytest.mark.parametrize("engine_name", ["duckdb", "postgres"])
def test_failed_load_leaves_no_partial_rows(
    outputs: Path, engine_name: str, request: pytest.FixtureRequest
) -> None:
    engine: sa.Engine = request.getfixturevalue(
        f"{'pg' if engine_name == 'postgres' else 'duckdb'}_engine"
    )
    reports = _reports(outputs)
    load_report(engine, reports[0])
    before = (table_counts(engine), _query(engine))
    # PostgreSQL rejects the value; the DuckDB path already fails building its Arrow batch.
    with pytest.raises((sa.exc.DBAPIError, ValueError)):
        load_report(engine, _broken(reports[0]))  # a re-load that fails: old rows stay
    assert (table_counts(engine), _query(engine)) == before
    with pytest.raises((sa.exc.DBAPIError, ValueError)):
        load_report(engine, _broken(reports[1]))  # a first load that fails: no rows
    assert (table_counts(engine), _query(engine)) == before


def test_parquet_export_has_every_row(
    outputs: Path, duckdb_engine: sa.Engine, tmp_path: Path
) -> None:
    load_outputs(duckdb_engine, outputs)
    files = export_parquet(duckdb_engine, tmp_path / "parquet")
    counts = table_counts(duckdb_engine)
    assert {p.stem: pq.read_metadata(p).num_rows for p in files} == counts
    cells = pq.read_table(tmp_path / "parquet" / "cells.parquet")
    assert cells.schema.field("value").type == "double"


def test_cli_load_defaults_to_duckdb_beside_the_json(
    outputs: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "out"
    copy.mkdir()
    for path in outputs.glob("*.json"):
        (copy / path.name).write_bytes(path.read_bytes())
    (copy / "stray.json").write_text('{"not": "a report"}', "utf-8")
    code = main(["load", str(copy), "--parquet", str(tmp_path / "pq")])
    assert code == 1  # the stray JSON is reported, the reports still load
    engine = open_store(f"duckdb:///{copy / 'nianbao.duckdb'}")
    try:
        assert table_counts(engine)["documents"] == 10
    finally:
        engine.dispose()
    assert (tmp_path / "pq" / "cells.parquet").exists()


def test_cli_load_into_postgres(
    outputs: Path, pg_engine: sa.Engine, postgres_url: str
) -> None:
    assert main(["load", str(outputs), "--postgres", postgres_url]) == 0
    assert table_counts(pg_engine)["documents"] == 10


def test_load_flow(prefect_harness: None, outputs: Path, tmp_path: Path) -> None:
    from flows.load import load_outputs_flow

    summary = load_outputs_flow(str(outputs), db=str(tmp_path / "flow.duckdb"))
    assert summary.documents == 10 and summary.s2_checks > 0
