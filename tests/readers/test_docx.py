"""DocxReader and DocReader: merges, styles, body order, protected and broken files."""

from __future__ import annotations

import io
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from markup_factory import html_bytes, requests_rows, to_docx
from msoffcrypto.format.ooxml import OOXMLFile
from report_factory import MadeUpReport, make_report, to_text

from extractors.document import InputFormat, SourceInfo, Table
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.readers import READERS, read_document
from extractors.readers.doc import DocReader, find_soffice
from extractors.report import Report
from extractors.sniff import sniff_format

TEMPLATES = [("2019", "2019"), ("2021", "2021"), ("2019", "2021")]
needs_soffice = pytest.mark.skipif(
    find_soffice() is None, reason="LibreOffice (libreoffice-writer) is not installed"
)


def canonical(report: Report) -> tuple[object, ...]:
    return (
        report.active_disclosure,
        report.requests,
        report.review_litigation,
        report.report.template,
        report.report.template_by_table,
        report.report.region,
        report.report.year,
    )


def assert_canonical(report: Report, expected: MadeUpReport) -> None:
    assert report.active_disclosure == expected.active_disclosure
    assert report.requests == expected.requests
    assert report.review_litigation == expected.review_litigation
    assert report.report.template == expected.template
    assert report.report.region == expected.region
    assert [(s.level, s.category) for s in report.sections if s.level == 1] == [
        (1, category) for _, category in expected.level1
    ]
    assert all(
        c.status.value == "pass" for c in report.checks if c.rule.startswith("R")
    )
    assert report.status.value == "success"


@pytest.fixture(scope="module")
def soffice_doc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MadeUpReport]:
    """A .doc made by LibreOffice from a generated .docx (2021 format)."""
    soffice = find_soffice()
    if soffice is None:
        pytest.skip("LibreOffice (libreoffice-writer) is not installed")
    folder = tmp_path_factory.mktemp("doc")
    expected = make_report("2021", "2021", seed=7)
    source = to_docx(expected, folder / "report.docx")
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         "doc:MS Word 97", "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / "out" / "report.doc", expected


@pytest.mark.parametrize(("active", "requests"), TEMPLATES)
def test_every_canonical_value_is_read(
    tmp_path: Path, active: str, requests: str
) -> None:
    expected = make_report(active, requests, seed=3)
    report = extract(to_docx(expected, tmp_path / "report.docx"))
    assert_canonical(report, expected)


def test_text_html_and_docx_give_the_same_report(tmp_path: Path) -> None:
    expected = make_report("2019", "2021", seed=11)
    text = tmp_path / "report.txt"
    text.write_text(to_text(expected), encoding="utf-8")
    page = tmp_path / "report.html"
    page.write_bytes(html_bytes(expected, "gbk", style="word", declared="gb2312"))
    reports = [
        extract(text),
        extract(page),
        extract(to_docx(expected, tmp_path / "r.docx")),
    ]
    assert [r.source.format.value for r in reports] == ["text", "html", "docx"]
    first = canonical(reports[0])
    assert first[:3] == (
        expected.active_disclosure,
        expected.requests,
        expected.review_litigation,
    )
    for report in reports[1:]:
        assert canonical(report) == first
    categories = [[(s.level, s.category) for s in r.sections] for r in reports]
    assert categories[0] == categories[1] == categories[2]
    assert {c for _, c in expected.level1 + expected.level2} == {
        c for _, c in categories[0]
    }


def test_merges_become_one_cell_with_spans(tmp_path: Path) -> None:
    expected = make_report("2019", "2021")
    document = read_document(to_docx(expected, tmp_path / "r.docx"))
    table = next(t for t in document.tables if t.n_cols == 10)
    assert table.n_rows == len(requests_rows(expected))
    spans = {c.text: (c.row, c.col, c.row_span, c.col_span) for c in table.cells}
    assert spans["三、本年度办理结果"] == (5, 0, 22, 1)  # vMerge
    assert spans["申请人情况"] == (0, 3, 1, 7)  # gridSpan
    assert spans["法人或其他组织"] == (1, 4, 1, 5)
    assert spans["（三）不予公开"] == (7, 1, 8, 1)
    assert spans["（七）总计"] == (26, 1, 1, 2)
    note = next(c for c in table.cells if c.text.startswith("（本列数据"))
    assert (note.row, note.col, note.row_span, note.col_span) == (0, 0, 3, 3)
    slots = [
        (r, c)
        for cell in table.cells
        for r in range(cell.row, cell.row + cell.row_span)
        for c in range(cell.col, cell.col + cell.col_span)
    ]
    assert len(slots) == len(set(slots)) == table.n_rows * table.n_cols
    review = next(t for t in document.tables if t.n_cols == 15)
    assert [c.text for c in review.row_cells(3)] == [
        str(expected.review_litigation[g][f])
        for g in ("review", "litigation_direct", "litigation_after_review")
        for f in ("maintained", "corrected", "other", "pending", "total")
    ]


def test_styles_order_and_bold(tmp_path: Path) -> None:
    word = docx.Document()
    word.add_heading("一、总体情况", level=1)
    word.add_paragraph().add_run("（一）主动公开情况").bold = True
    mixed = word.add_paragraph()
    mixed.add_run("部分").bold = True
    mixed.add_run("加粗")
    word.add_table(rows=1, cols=2).cell(0, 0).text = "行政许可"
    word.add_heading("二、主动公开政府信息情况", level=2)
    path = tmp_path / "styles.docx"
    word.save(str(path))
    document = read_document(path)
    items = document.items()
    assert [type(i).__name__ for i in items] == ["TextBlock"] * 3 + [
        "Table",
        "TextBlock",
    ]
    first, second, third, table, last = items
    assert isinstance(table, Table) and table.grid() == [["行政许可", ""]]
    assert [b.heading_level for b in document.blocks] == [1, None, None, 2]
    assert [b.bold for b in document.blocks] == [True, True, False, True]
    assert first.order < second.order < third.order < table.order < last.order
    assert all(b.page is None for b in document.blocks)


def test_a_password_protected_docx_is_refused(tmp_path: Path) -> None:
    plain = to_docx(make_report(), tmp_path / "plain.docx")
    locked = tmp_path / "locked.docx"
    with plain.open("rb") as source, locked.open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    with pytest.raises(DocumentLoadError) as caught:
        extract(locked)
    assert caught.value.code is ErrorCode.ENCRYPTED


def test_a_broken_docx_is_corrupt(tmp_path: Path) -> None:
    good = to_docx(make_report(), tmp_path / "good.docx").read_bytes()
    broken = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(broken, "w") as out,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = data[: len(data) // 2]
            out.writestr(item, data)
    path = tmp_path / "broken.docx"
    path.write_bytes(broken.getvalue())
    with pytest.raises(DocumentLoadError) as caught:
        extract(path)
    assert caught.value.code is ErrorCode.CORRUPT
    path.write_bytes(good[: len(good) // 3])
    with pytest.raises(DocumentLoadError) as caught:
        extract(path)
    assert caught.value.code is ErrorCode.CORRUPT


def test_an_empty_docx_warns(tmp_path: Path) -> None:
    path = tmp_path / "empty.docx"
    docx.Document().save(str(path))
    report = extract(path)
    assert {"no_text", "not_a_report"} <= {w.code for w in report.warnings}


@needs_soffice
def test_a_doc_is_read_through_libreoffice(
    soffice_doc: tuple[Path, MadeUpReport],
) -> None:
    path, expected = soffice_doc
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    report = extract(path)
    assert report.source.format.value == "doc"
    assert_canonical(report, expected)


def test_a_doc_without_libreoffice_names_the_package(tmp_path: Path) -> None:
    class NoOffice(DocReader):
        soffice_names = ()
        soffice_paths = ()

    path = tmp_path / "report.doc"  # sites serve RTF under .doc names
    path.write_bytes(b"{\\rtf1\\ansi \\u25919?\\u24220? report}")
    assert READERS[sniff_format(path.read_bytes(), path.name)] is DocReader
    with pytest.raises(DocumentLoadError) as caught:
        NoOffice(path.read_bytes(), _source(path), ReaderOptions()).read()
    assert caught.value.code is ErrorCode.MISSING_DEPENDENCY
    assert "libreoffice-writer" in caught.value.message


@needs_soffice
def test_a_hung_conversion_times_out(soffice_doc: tuple[Path, MadeUpReport]) -> None:
    class Impatient(DocReader):
        timeout_s = 0.05

    path, _ = soffice_doc
    with pytest.raises(DocumentLoadError) as caught:
        Impatient(path.read_bytes(), _source(path), ReaderOptions()).read()
    assert caught.value.code is ErrorCode.TIMEOUT


def _source(path: Path) -> SourceInfo:
    return SourceInfo(
        file=path.name,
        sha256="0" * 64,
        media_type="application/msword",
        format=InputFormat.DOC,
        size_bytes=path.stat().st_size,
    )
