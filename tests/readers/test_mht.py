"""MhtReader: browsers' single-file web pages (.mht/.mhtml), with their pictures."""

from __future__ import annotations

import io
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

import pytest
from expect import assert_canonical
from markup_factory import to_html
from pdf_factory import made_up_to_pdf
from PIL import Image
from report_factory import MadeUpReport, make_report
from scan_factory import render_pages

from extractors.document import InputFormat
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.sniff import sniff_format


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def web_archive(markup: str, charset: str, pictures: dict[str, bytes]) -> bytes:
    """A page saved as a browser does: MIME headers, the page base64, then pictures."""
    archive = MIMEMultipart("related", type="text/html")
    archive["Subject"] = "政府信息公开工作年度报告"
    archive["Snapshot-Content-Location"] = "http://www.example.gov.cn/art/report.html"
    page = MIMEText(markup, "html", charset)  # base64 for a non-ASCII page
    page["Content-Location"] = "http://www.example.gov.cn/art/report.html"
    archive.attach(page)
    for location, data in pictures.items():
        picture = MIMEImage(data, "png")
        picture["Content-Location"] = location
        archive.attach(picture)
    return archive.as_bytes()


@pytest.mark.parametrize("name", ["report.mht", "report.mhtml", "report.doc", "x.html"])
def test_a_saved_page_with_pictures_is_read_exact(tmp_path: Path, name: str) -> None:
    made = make_report("2021", "2021", seed=31)
    logo = _png(Image.new("RGB", (300, 80), (200, 30, 30)))
    markup = to_html(made, style="portal", charset="gbk").replace(
        "<body>", '<body><img src="http://www.example.gov.cn/logo.png">', 1
    )
    path = tmp_path / name
    path.write_bytes(
        web_archive(markup, "gbk", {"http://www.example.gov.cn/logo.png": logo})
    )
    assert b"<html" not in path.read_bytes().lower()  # the page is base64 inside
    assert sniff_format(path.read_bytes(), name) is InputFormat.MHT
    report = extract(path)
    assert report.source.format is InputFormat.MHT
    assert report.source.media_type == "multipart/related"
    assert not report.source.ocr  # the page had its tables; the logo is left alone
    assert_canonical(report, made)


@pytest.fixture(scope="module")
def table_picture(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[MadeUpReport, bytes]:
    """The last page of a made-up report (table 4 under its heading) as a picture."""
    made = make_report("2019", "2019", seed=32)
    pdf = made_up_to_pdf(made, tmp_path_factory.mktemp("mht") / "r.pdf")
    return made, _png(render_pages(pdf, dpi=150)[-1])


def test_tables_posted_as_pictures_are_read_by_ocr(
    tmp_path: Path, table_picture: tuple[MadeUpReport, bytes]
) -> None:
    made, picture = table_picture
    markup = (
        "<html><head><meta charset='utf-8'><title>年度报告</title></head><body>"
        f"<h1>{made.title}</h1><p>四、政府信息公开行政复议、行政诉讼情况</p>"
        '<p><img src="table4.png"></p></body></html>'
    )
    path = tmp_path / "report.mht"
    path.write_bytes(web_archive(markup, "utf-8", {"table4.png": picture}))
    document = read_document(path)
    assert document.source.ocr
    assert [
        w.code for w in document.warnings if w.code in ("ocr_image", "no_tables")
    ] == ["ocr_image"]
    assert all(c.page is None for t in document.tables for c in t.cells)
    report = extract(path)
    assert report.review_litigation == made.review_litigation


def test_pictures_stay_unread_with_ocr_off(
    tmp_path: Path, table_picture: tuple[MadeUpReport, bytes]
) -> None:
    _, picture = table_picture
    markup = "<html><body><p>年度报告</p><img src='t.png'></body></html>"
    path = tmp_path / "report.mht"
    path.write_bytes(web_archive(markup, "utf-8", {"t.png": picture}))
    document = read_document(path, ReaderOptions(do_ocr=False))
    assert not document.tables and not document.source.ocr
    assert [w.code for w in document.warnings] == ["no_tables"]
    assert "image" in document.warnings[0].message


def test_a_mime_message_without_a_page_is_corrupt(tmp_path: Path) -> None:
    archive = MIMEMultipart("related")
    archive.attach(MIMEImage(_png(Image.new("L", (10, 10))), "png"))
    path = tmp_path / "empty.mht"
    path.write_bytes(archive.as_bytes())
    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)
    assert caught.value.code is ErrorCode.CORRUPT
