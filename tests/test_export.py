"""Spreadsheet export: the workbook and CSVs hold exactly the values of the JSON outputs."""

from __future__ import annotations

import csv
import re
import shutil
from pathlib import Path

import pytest
from conftest import SAMPLES
from openpyxl import load_workbook
from report_factory import make_report, to_text

from extractors.batch import run_batch
from extractors.report import Report
from flows.cli import main
from flows.views.labels import TABLE_KINDS

META = ("file", "issuer", "region", "year", "template")


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    """Both real samples and made-up reports in both formats (one mixed), extracted."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("000_e67d0018f5985882.txt", "szfgs2024.pdf"):
        shutil.copy(SAMPLES / name, inbox / name)
    for active, requests, year in (
        ("2019", "2019", 2020),
        ("2021", "2021", 2022),
        ("2019", "2021", 2021),
    ):
        made = make_report(active, requests, seed=year, year=year)
        (inbox / f"made_{year}.txt").write_text(to_text(made), encoding="utf-8")
    out = tmp_path / "out"
    run_batch(sorted(inbox.iterdir()), out)
    return out


def reports(out: Path) -> dict[str, Report]:
    found = {}
    for path in out.glob("*.json"):
        if not path.name.startswith("_"):
            report = Report.model_validate_json(path.read_bytes())
            found[report.source.file] = report
    return found


def header_keys(headers: list[str]) -> list[str]:
    """`本年新收·自然人 (new_received.natural_person)` → `new_received.natural_person`."""
    keys = []
    for header in headers:
        match = re.fullmatch(r"\S.* \(([\w.]+)\)", header)
        assert match, header
        keys.append(match.group(1))
    return keys


def expected_row(report: Report, kind: str, keys: list[str]) -> dict[str, object]:
    meta = report.report
    row: dict[str, object] = {
        "file": report.source.file,
        "issuer": meta.issuer,
        "region": meta.region,
        "year": meta.year,
        "template": meta.template_by_table.get(kind) or meta.template,
    }
    values = getattr(report, kind)
    for key in keys[len(META) :]:
        name, field = key.rsplit(".", 1)
        row[key] = values.get(name, {}).get(field)
    return row


def test_xlsx_holds_exactly_the_json_values(batch: Path, tmp_path: Path) -> None:
    target = tmp_path / "batch.xlsx"
    assert main(["export", str(batch), "--xlsx", str(target)]) == 0
    expected = reports(batch)
    book = load_workbook(target, read_only=True)
    assert book.sheetnames == list(TABLE_KINDS)
    for kind in TABLE_KINDS:
        rows = list(book[kind].iter_rows(values_only=True))
        keys = header_keys([str(h) for h in rows[0]])
        assert tuple(keys[: len(META)]) == META
        assert (
            "本年新收·自然人 (new_received.natural_person)" in rows[0]
            or kind != "requests"
        )
        body = rows[1:]
        assert sorted(str(r[0]) for r in body) == sorted(expected)
        for values in body:
            report = expected[str(values[0])]
            assert dict(zip(keys, values, strict=True)) == expected_row(
                report, kind, keys
            )
            # Every value of the JSON has its column: nothing is left out.
            for row, fields in getattr(report, kind).items():
                assert {f"{row}.{f}" for f in fields} <= set(keys)
            # Blank stays blank: a null is an empty cell, never 0.
            nulls = [
                k
                for k in keys[len(META) :]
                if expected_row(report, kind, keys)[k] is None
            ]
            assert all(values[keys.index(k)] is None for k in nulls)


def test_csv_holds_the_same_values(batch: Path, tmp_path: Path) -> None:
    folder = tmp_path / "csv"
    assert main(["export", str(batch), "--csv", str(folder)]) == 0
    expected = reports(batch)
    for kind in TABLE_KINDS:
        with (folder / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        keys = header_keys(rows[0])
        assert len(rows) - 1 == len(expected)
        for values in rows[1:]:
            want = expected_row(expected[values[0]], kind, keys)
            assert values == ["" if want[k] is None else str(want[k]) for k in keys]


def test_export_needs_a_target(batch: Path) -> None:
    assert main(["export", str(batch)]) == 2
