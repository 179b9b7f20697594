"""The bad-input catalogue (docs/bad-input.md): one batch, good files mixed in.

Every kind of broken or hostile file ends with its specific outcome and code, the good
files come out exact, and nothing hangs past its limit.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import docx
import pytest
from markup_factory import html_bytes
from msoffcrypto.format.ooxml import OOXMLFile
from pdf_factory import made_up_to_pdf, register_cjk_font
from PIL import Image
from report_factory import MadeUpReport, assert_values, make_report, to_text
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from extractors.batch import FileOutcome, Outcome, find_inputs, run_batch
from extractors.options import ReaderOptions
from extractors.pipeline import extract

# Small limits so the page-count and timing cases are quick to build and to hit.
MAX_PAGES = 20
TIME_LIMIT = 30.0


def blank_pdf(pages: int, *, user_password: str | None = None) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=user_password)
    font = register_cjk_font()
    for i in range(pages):
        pdf.setFont(font, 12)
        pdf.drawString(72, 760, f"第{i + 1}页 会议纪要")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def zero_page_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 3\n0000000000 65535 f \n")
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size 3 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref)
    return out.getvalue()


def protected_docx() -> bytes:
    plain = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("一、总体情况")
    document.save(plain)
    plain.seek(0)
    encrypted = io.BytesIO()
    OOXMLFile(plain).encrypt("secret", encrypted)
    return encrypted.getvalue()


def bomb_png() -> bytes:
    # 30000 x 30000 one-bit pixels: a few hundred KB on disk, 900 MB as RGB.
    buffer = io.BytesIO()
    Image.new("1", (30_000, 30_000), 1).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("report.txt", "一、总体情况")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def made() -> MadeUpReport:
    return make_report("2021", "2021", seed=31)


@pytest.fixture(scope="module")
def batch(
    tmp_path_factory: pytest.TempPathFactory, made: MadeUpReport
) -> dict[str, FileOutcome]:
    inbox = tmp_path_factory.mktemp("catalogue")
    good_pdf = made_up_to_pdf(made, inbox / "good.pdf")
    pdf_bytes = good_pdf.read_bytes()
    files: dict[str, bytes] = {
        "good report.txt": to_text(made).encode("utf-8"),
        "淮安 市(2021)#1&'odd'.txt": to_text(made).encode("gb18030"),
        "good.html": html_bytes(made, "gbk"),
        "empty.txt": b"",
        "truncated.pdf": pdf_bytes[: len(pdf_bytes) // 3],
        "corrupt-xref.pdf": pdf_bytes.replace(
            b"startxref", b"startxref\n999999999\n", 1
        ),
        "password.pdf": blank_pdf(1, user_password="secret"),
        "protected.docx": protected_docx(),
        "zero-pages.pdf": zero_page_pdf(),
        "html-named.pdf": html_bytes(made, "utf-8"),
        "zip-named.pdf": zip_bytes(),
        "lying-charset.html": html_bytes(made, "gbk", declared="utf-8"),
        "binary.html": os.urandom(4096),
        "not-a-report.txt": "会议纪要\n今天讨论了食堂菜单。\n".encode(),
        "no-tables.txt": b"".join(
            line.encode() + b"\n"
            for line in to_text(made).splitlines()
            if not line.startswith("|")
        ),
        "many-pages.pdf": blank_pdf(MAX_PAGES + 5),
        "bomb.png": bomb_png(),
    }
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    (inbox / "folder.pdf").mkdir()
    os.mkfifo(inbox / "pipe.txt")
    options = ReaderOptions(max_pages=MAX_PAGES, time_limit_seconds=TIME_LIMIT)
    started = time.perf_counter()
    summary = run_batch(
        find_inputs([inbox]), tmp_path_factory.mktemp("out"), options=options
    )
    assert time.perf_counter() - started < 10 * TIME_LIMIT
    return {Path(f.file).name: f for f in summary.files}


CATALOGUE = [
    ("empty.txt", Outcome.FAILED, "empty"),
    ("truncated.pdf", Outcome.FAILED, "corrupt"),
    ("password.pdf", Outcome.FAILED, "encrypted"),
    ("protected.docx", Outcome.FAILED, "encrypted"),
    ("zero-pages.pdf", Outcome.FAILED, "empty"),
    ("binary.html", Outcome.FAILED, "unsupported_type"),
    ("many-pages.pdf", Outcome.FAILED, "too_large"),
    ("bomb.png", Outcome.FAILED, "too_large"),
    ("folder.pdf", Outcome.FAILED, "unreadable"),
    ("pipe.txt", Outcome.FAILED, "unreadable"),
]


@pytest.mark.parametrize(("name", "outcome", "code"), CATALOGUE)
def test_each_bad_file_has_its_specific_error(
    batch: dict[str, FileOutcome], name: str, outcome: Outcome, code: str
) -> None:
    result = batch[name]
    assert (result.outcome, result.error_code) == (outcome, code), result.message
    assert result.message


def test_a_zip_under_a_pdf_name_is_opened_as_a_bundle(
    batch: dict[str, FileOutcome],
) -> None:
    # Content decides: a ZIP of documents is a bundle whatever its name.
    member = batch["report.txt"]
    assert member.source == "zip-named.pdf/report.txt"
    assert (member.outcome, member.status) == (Outcome.PROCESSED, "failure")
    assert "zip-named.pdf" not in batch


def test_every_file_is_accounted_for_once(batch: dict[str, FileOutcome]) -> None:
    assert len(batch) == 20


@pytest.mark.parametrize(
    "name",
    [
        "good report.txt",
        "淮安 市(2021)#1&'odd'.txt",
        "good.html",
        "good.pdf",
        "html-named.pdf",
        "lying-charset.html",
        "corrupt-xref.pdf",
    ],
)
def test_good_and_repairable_files_come_out_exact(
    batch: dict[str, FileOutcome], made: MadeUpReport, name: str
) -> None:
    result = batch[name]
    assert (result.outcome, result.status) == (Outcome.PROCESSED, "success")
    assert result.output is not None
    assert_values(extract(Path(result.file)), made)


def test_a_report_without_its_tables_fails_as_unreadable(
    batch: dict[str, FileOutcome],
) -> None:
    result = batch["no-tables.txt"]
    assert (result.outcome, result.status) == (Outcome.PROCESSED, "failure")
    report = extract(Path(result.file))
    assert [e.code for e in report.errors] == ["tables_unreadable"]


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("not-a-report.txt", "not_a_report"),
        ("lying-charset.html", "declared_encoding_mismatch"),
    ],
)
def test_readable_odd_documents_are_processed_with_a_warning(
    batch: dict[str, FileOutcome], name: str, warning: str
) -> None:
    result = batch[name]
    assert result.outcome is Outcome.PROCESSED
    report = extract(Path(result.file))
    assert warning in {w.code for w in report.warnings}


def test_a_document_over_its_time_limit_fails_with_timeout(tmp_path: Path) -> None:
    made = make_report("2019", "2019", seed=3)
    pdf = made_up_to_pdf(made, tmp_path / "slow.pdf")
    options = ReaderOptions(time_limit_seconds=0.05)
    started = time.perf_counter()
    summary = run_batch([pdf], tmp_path / "out", options=options)
    assert (summary.files[0].outcome, summary.files[0].error_code) == (
        Outcome.FAILED,
        "timeout",
    )
    assert time.perf_counter() - started < 5
    assert not (tmp_path / "out" / "slow.json").exists()
