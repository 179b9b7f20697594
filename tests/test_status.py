"""A report's status grows out of what was expected and what was read (TEMPLATE.md §5).

`success` only when all three tables were found and every template cell was read or
printed blank; anything lost makes `partial_success` with errors naming it; a document
that says it is a report but yields no table is a `failure` (`tables_unreadable`), and a
check over cells nobody read is `skipped`, never `pass`.
"""

from __future__ import annotations

import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import SAMPLES
from pdf_factory import made_up_to_pdf
from report_factory import APPLICANTS, assert_values, make_report, to_text
from reportlab.pdfgen.canvas import Canvas

from extractors.pipeline import extract
from extractors.report import CheckStatus, Report, Status


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def _codes(report: Report) -> list[str]:
    return [e.code for e in report.errors]


def _error(report: Report, code: str) -> str:
    return next(e.message for e in report.errors if e.code == code)


def _checks_over(report: Report, needle: str) -> list[str]:
    """Statuses of R checks whose scope or message concerns ``needle``."""
    return [c.status.value for c in report.checks if needle in c.scope]


def test_a_complete_made_up_report_is_success(tmp_path: Path) -> None:
    made = make_report("2021", "2021", seed=4)
    report = extract(_write(tmp_path, "r.txt", to_text(made)))
    assert (report.status, report.errors) == (Status.SUCCESS, [])
    assert_values(report, made)
    assert all(c.status is not CheckStatus.FAIL for c in report.checks)


def test_the_real_text_sample_stays_success_with_its_three_findings() -> None:
    report = extract(SAMPLES / "000_e67d0018f5985882.txt")
    assert report.status is Status.SUCCESS
    failed = [f"{c.rule} {c.scope}" for c in report.checks if c.status.value == "fail"]
    assert failed == [
        "R1 requests.commercial_enterprise",
        "R1 requests.other_org",
        "S1 requests.new_received.total",
    ]
    # It prints blank cells in table 4: blank is read (null), not lost.
    assert report.review_litigation["litigation_after_review"]["corrected"] is None


def _without_table_figures(text: str) -> str:
    """The report with its tables flattened to their labels: no grid, no figures."""
    lines = []
    for line in text.splitlines():
        if line.startswith("|"):
            words = [c.strip() for c in line.strip("|").split("|")]
            line = " ".join(w for w in words if w and not re.fullmatch(r"[\d.,]+", w))
        lines.append(line)
    return "\n".join(lines)


def test_a_report_whose_tables_cannot_be_read_fails_as_unreadable(
    tmp_path: Path,
) -> None:
    made = make_report(seed=2)
    report = extract(_write(tmp_path, "r.txt", _without_table_figures(to_text(made))))
    assert report.status is Status.FAILURE
    assert "tables_unreadable" in _codes(report)
    assert "not_a_report" not in [w.code for w in report.warnings]
    message = _error(report, "tables_unreadable")
    assert "政府信息公开工作年度报告" in message  # names its evidence: the title


def test_title_and_headings_alone_with_tables_as_images_fail_unreadable(
    tmp_path: Path,
) -> None:
    made = make_report(seed=3)
    text = "\n".join(
        line for line in to_text(made).splitlines() if not line.startswith("|")
    )
    report = extract(_write(tmp_path, "r.txt", text))
    assert report.status is Status.FAILURE
    assert _codes(report) == ["tables_unreadable"]
    assert report.requests == {}


def test_a_document_that_is_no_report_fails_as_not_a_report(tmp_path: Path) -> None:
    report = extract(_write(tmp_path, "n.txt", "会议纪要\n今天讨论了食堂菜单。\n"))
    assert report.status is Status.FAILURE
    assert _codes(report) == ["not_a_report"]
    assert [w.code for w in report.warnings] == ["not_a_report"]


def test_rows_deleted_from_table_3_make_partial_success_naming_them(
    tmp_path: Path,
) -> None:
    made = make_report(seed=5)
    text = "\n".join(
        line
        for line in to_text(made).splitlines()
        if "商业秘密" not in line and "结转下年度继续办理" not in line
    )
    report = extract(_write(tmp_path, "r.txt", text))
    assert report.status is Status.PARTIAL_SUCCESS
    message = _error(report, "cells_missing")
    assert "requests.carried_to_next_year.natural_person" in message
    assert report.requests["carried_to_next_year"]["total"] is None
    # R1 needs carried_to_next_year in every column: skipped, neither pass nor fail.
    r1 = [c for c in report.checks if c.rule == "R1"]
    assert len(r1) == len(APPLICANTS) + 1
    assert {c.status for c in r1} == {CheckStatus.SKIPPED}
    assert all("not read" in c.message for c in r1)
    # The rows that were read still come out exact.
    assert report.requests["new_received"] == made.requests["new_received"]


def test_a_missing_table_makes_partial_success(tmp_path: Path) -> None:
    made = make_report(seed=6)
    text = to_text(made)
    start = text.index("四、政府信息公开行政复议")
    end = text.index("五、")
    report = extract(_write(tmp_path, "r.txt", text[:start] + text[end:]))
    assert report.status is Status.PARTIAL_SUCCESS
    assert "review_litigation" in _error(report, "tables_missing")
    r4 = [c for c in report.checks if c.rule == "R4"]
    assert r4 and {c.status for c in r4} == {CheckStatus.SKIPPED}
    assert report.requests == made.requests


def _dash_blank_cells(text: str, labels: tuple[str, ...]) -> str:
    """Print `—` in the empty cells of the rows with these labels, as many reports do."""
    return "\n".join(
        re.sub(r"\|\s*(?=\|)", "| — ", line) if any(x in line for x in labels) else line
        for line in text.splitlines()
    )


BLANK_ROWS = {
    "carried_over": "二、上年结转政府信息公开申请数量",
    "carried_to_next_year": "四、结转下年度继续办理",
}


def test_all_blank_rows_skip_their_checks(tmp_path: Path) -> None:
    made = make_report(seed=7)
    for key in BLANK_ROWS:
        made.requests[key] = dict.fromkeys(made.requests[key])
    # R1 still balances with the blanks as 0; new_received equals result_total then.
    made.requests["new_received"] = dict(made.requests["result_total"])
    text = _dash_blank_cells(to_text(made), tuple(BLANK_ROWS.values()))
    report = extract(_write(tmp_path, "r.txt", text))
    for key in BLANK_ROWS:
        assert report.requests[key] == dict.fromkeys(made.requests[key])
    r3 = {c.scope: c for c in report.checks if c.rule == "R3"}
    for key in BLANK_ROWS:
        assert r3[f"requests.{key}"].status is CheckStatus.SKIPPED
        assert "blank" in r3[f"requests.{key}"].message
    assert r3["requests.disclosed"].status is CheckStatus.PASS  # printed rows checked
    r1 = [c for c in report.checks if c.rule == "R1"]
    assert r1 and all(c.status is CheckStatus.PASS for c in r1)  # half printed: checked
    # Blank is a reading, not a loss: nothing is missing, so the status stands.
    assert (report.status, report.errors) == (Status.SUCCESS, [])


def test_blank_rows_the_reader_could_not_place_skip_their_checks(
    tmp_path: Path,
) -> None:
    made = make_report(seed=7)
    for key in ("new_received", "carried_over", "result_total", "carried_to_next_year"):
        made.requests[key] = dict.fromkeys(made.requests[key])
    report = extract(_write(tmp_path, "r.txt", to_text(made)))
    r1 = [c for c in report.checks if c.rule == "R1"]
    assert r1 and all(c.status is CheckStatus.SKIPPED for c in r1)
    assert report.status is not Status.SUCCESS


def test_a_table_with_no_figure_at_all_is_not_success(tmp_path: Path) -> None:
    made = make_report(seed=8)
    for key in made.requests:
        made.requests[key] = dict.fromkeys(made.requests[key])
    report = extract(_write(tmp_path, "r.txt", to_text(made)))
    assert report.status is Status.PARTIAL_SUCCESS
    assert "requests" in _error(report, "table_blank")
    assert not [
        c
        for c in report.checks
        if c.status is CheckStatus.PASS and c.rule in {"R1", "R2", "R3"}
    ]


def _borderless_pdf(path: Path, monkeypatch: pytest.MonkeyPatch, seed: int) -> Path:
    made = make_report(seed=seed)
    with monkeypatch.context() as patch:
        patch.setattr(Canvas, "rect", lambda *args, **kwargs: None)  # no cell rules
        return made_up_to_pdf(made, path)


def _rotated_pdf(path: Path, seed: int) -> Path:
    made_up_to_pdf(make_report(seed=seed), path)
    pdf = pdfium.PdfDocument(str(path))
    for page in pdf:
        page.set_rotation(90)
    rotated = path.with_name("rotated-" + path.name)
    pdf.save(str(rotated))
    pdf.close()
    return rotated


def _assert_honest(report: Report, seed: int) -> None:
    """Success means every value exact; anything less is said, with what was lost."""
    made = make_report(seed=seed)
    if report.status is Status.SUCCESS:
        assert_values(report, made)
        assert not [c for c in report.checks if c.status is CheckStatus.FAIL]
        return
    assert report.status in {Status.PARTIAL_SUCCESS, Status.FAILURE}
    codes = set(_codes(report))
    assert codes & {
        "tables_unreadable",
        "tables_missing",
        "cells_missing",
        "table_blank",
        "unreadable_values",
        "low_confidence",
        "needs_ocr",
    }
    # No check passes over cells that were not read.
    lost = {
        m for e in report.errors for m in re.findall(r"requests\.[a-z_.]+", e.message)
    }
    for check in report.checks:
        if check.status is CheckStatus.PASS:
            assert not any(scope.startswith(check.scope + ".") for scope in lost)


def test_a_borderless_pdf_is_exact_or_says_what_it_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    report = extract(_borderless_pdf(tmp_path / "borderless.pdf", monkeypatch, 11))
    _assert_honest(report, 11)


def test_a_rotated_pdf_is_exact_or_says_what_it_lost(tmp_path: Path) -> None:
    report = extract(_rotated_pdf(tmp_path / "r.pdf", 12))
    _assert_honest(report, 12)
