"""OfdReader: OFD packages written object by object from made-up reports, read exact."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import lxml.html
import pytest
from expect import assert_canonical, assert_tiled
from ofd_factory import NS, TextStyle, made_up_to_ofd
from pdf_factory import made_up_to_pdf
from PIL import Image
from report_factory import MadeUpReport, make_report
from scan_factory import Degradation, degrade, render_pages

from extractors.batch import run_batch
from extractors.document import InputFormat
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.pipeline import extract
from extractors.readers import read_document
from extractors.readers.ofd_package import Glyph, OfdPackage, expand_deltas
from extractors.report import Report
from extractors.sniff import sniff_format
from flows.views.review_site import build_review_site


@pytest.fixture(scope="module")
def made_2021() -> MadeUpReport:
    return make_report("2021", "2021", seed=21)


@pytest.fixture(scope="module")
def ofd_and_pdf(
    made_2021: MadeUpReport, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """The same report as an OFD and as the PDF of the same layout."""
    folder = tmp_path_factory.mktemp("ofd")
    # Table 3 split over a page break inside its merged （四） group.
    layout = {"requests_break_before": frozenset({13})}
    return (
        made_up_to_ofd(made_2021, folder / "report.ofd", **layout),
        made_up_to_pdf(made_2021, folder / "report.pdf", **layout),
    )


def test_an_ofd_report_is_read_exact(
    ofd_and_pdf: tuple[Path, Path], made_2021: MadeUpReport
) -> None:
    ofd, _ = ofd_and_pdf
    report = extract(ofd)
    assert report.source.format is InputFormat.OFD
    assert report.source.media_type == "application/ofd"
    assert report.source.pages == 3 and not report.source.ocr
    assert_canonical(report, made_2021)


@pytest.mark.parametrize("text_style", ["glyphs", "scaled"])
def test_producers_text_styles_read_the_same(
    ofd_and_pdf: tuple[Path, Path],
    made_2021: MadeUpReport,
    tmp_path: Path,
    text_style: TextStyle,
) -> None:
    """A TextObject per glyph, or Size 1 scaled by a CTM: the same document."""
    layout = {"requests_break_before": frozenset({13})}
    path = made_up_to_ofd(
        made_2021, tmp_path / "r.ofd", text_style=text_style, **layout
    )
    with zipfile.ZipFile(path) as package:
        page = package.read("Doc_0/Pages/Page_0/Content.xml").decode()
    assert ("CTM=" in page) is (text_style == "scaled")
    runs = read_document(ofd_and_pdf[0])
    styled = read_document(path)
    assert [b.text for b in styled.blocks] == [b.text for b in runs.blocks]
    assert [t.grid() for t in styled.tables] == [t.grid() for t in runs.tables]
    assert [b.bold for b in styled.blocks] == [b.bold for b in runs.blocks]


def test_ofd_boxes_are_the_pdf_boxes_in_points(ofd_and_pdf: tuple[Path, Path]) -> None:
    """mm → pt and the top-left origin: every cell sits where the same PDF has it."""
    ofd, pdf = (read_document(p) for p in ofd_and_pdf)
    assert [t.grid() for t in ofd.tables] == [t.grid() for t in pdf.tables]
    assert [t.pages for t in ofd.tables] == [t.pages for t in pdf.tables]
    assert len(ofd.tables[1].pages) > 1  # table 3 joined over its page break
    for got, want in zip(ofd.tables, pdf.tables, strict=True):
        assert_tiled(got)
        for a, b in zip(got.cells, want.cells, strict=True):
            assert a.page == b.page and a.bbox is not None and b.bbox is not None
            assert abs(a.bbox.x0 - b.bbox.x0) < 0.01
            assert abs(a.bbox.top - b.bbox.top) < 0.01
            assert abs(a.bbox.bottom - b.bbox.bottom) < 0.01


def test_ofd_text_headings_and_template(ofd_and_pdf: tuple[Path, Path]) -> None:
    ofd, pdf = (read_document(p) for p in ofd_and_pdf)
    texts = [b.text for b in ofd.blocks]
    assert texts == [b.text for b in pdf.blocks]
    # The running header lives in the OFD's TemplatePage and is dropped as in a PDF.
    assert not any("政府信息公开专栏" in t for t in texts)
    heading = next(b for b in ofd.blocks if b.text == "一、总体情况")
    assert heading.bold and heading.font_size == pytest.approx(12.0, abs=0.01)
    title = ofd.blocks[0]
    assert title.text.endswith("政府信息公开工作年度报告")
    assert title.page == 1 and title.font_size == pytest.approx(18.0, abs=0.01)
    with zipfile.ZipFile(ofd_and_pdf[0]) as package:
        template = package.read("Doc_0/Tpls/Tpl_0/Content.xml").decode()
        page = package.read("Doc_0/Pages/Page_0/Content.xml").decode()
    assert "政府信息公开专栏" in template and "政府信息公开专栏" not in page
    assert 'Weight="700"' in page and "DeltaX=" in page and "<ofd:PathObject" in page


def test_an_image_only_ofd_page_goes_to_ocr(tmp_path: Path) -> None:
    made = make_report("2019", "2019", seed=22)
    pdf = made_up_to_pdf(made, tmp_path / "r.pdf")
    last = len(render_pages(pdf, dpi=30)) - 1
    image = degrade(render_pages(pdf, dpi=150)[last], random.Random(2), Degradation())
    png = io.BytesIO()
    image.save(png, "PNG")
    ofd = made_up_to_ofd(made, tmp_path / "scan.ofd", scanned={last: png.getvalue()})
    with zipfile.ZipFile(ofd) as package:
        assert (
            "<ofd:TextObject"
            not in package.read(f"Doc_0/Pages/Page_{last}/Content.xml").decode()
        )
    report = extract(ofd)
    assert report.source.ocr
    assert [w.page for w in report.warnings if w.code == "ocr_page"] == [last + 1]
    assert report.review_litigation == made.review_litigation
    assert report.requests == made.requests


def test_ofd_is_sniffed_by_content_under_any_name(
    ofd_and_pdf: tuple[Path, Path],
) -> None:
    data = ofd_and_pdf[0].read_bytes()
    for name in ("report.ofd", "report.zip", "report.pdf", "report"):
        assert sniff_format(data, name) is InputFormat.OFD


def test_delta_x_shorthand() -> None:
    assert expand_deltas("g 3 4.5 2 g 2 1") == [4.5, 4.5, 4.5, 2.0, 1.0, 1.0]
    assert expand_deltas(None) == []


def _package(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, text in files.items():
            package.writestr(name, text)
    return buffer.getvalue()


_ROOT = (
    f'<ofd:OFD xmlns:ofd="{NS}"><ofd:DocBody>'
    "<ofd:DocRoot>/Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)


def test_text_code_positions_ctm_and_page_box() -> None:
    """X/Y inside the Boundary, DeltaX steps, a scaling CTM and the page's own box."""
    document = (
        f'<ofd:Document xmlns:ofd="{NS}"><ofd:CommonData><ofd:PageArea>'
        "<ofd:PhysicalBox>0 0 210 297</ofd:PhysicalBox></ofd:PageArea>"
        '</ofd:CommonData><ofd:Pages><ofd:Page ID="1" BaseLoc="Pages/P1.xml"/>'
        "</ofd:Pages></ofd:Document>"
    )
    page = (
        f'<ofd:Page xmlns:ofd="{NS}"><ofd:Area><ofd:PhysicalBox>0 0 297 210'
        "</ofd:PhysicalBox></ofd:Area><ofd:Content><ofd:Layer><ofd:PageBlock>"
        '<ofd:TextObject Boundary="20 30 100 10" Size="5" CTM="2 0 0 2 0 0">'
        '<ofd:TextCode X="1" Y="4" DeltaX="g 2 3">总计7</ofd:TextCode>'
        "</ofd:TextObject></ofd:PageBlock></ofd:Layer></ofd:Content></ofd:Page>"
    )
    package = OfdPackage(
        _package(
            {
                "OFD.xml": _ROOT,
                "Doc_0/Document.xml": document,
                "Doc_0/Pages/P1.xml": page,
            }
        )
    )
    read = package.page(0)
    assert (read.width, read.height) == (297.0, 210.0)
    glyphs = [(g.text, g.x, g.y, g.size) for g in read.objects if isinstance(g, Glyph)]
    assert glyphs == [
        ("总", 22.0, 38.0, 10.0),
        ("计", 28.0, 38.0, 10.0),
        ("7", 34.0, 38.0, 10.0),
    ]


@pytest.mark.parametrize(
    ("files", "code"),
    [
        ({"OFD.xml": _ROOT}, ErrorCode.CORRUPT),
        (
            {
                "OFD.xml": _ROOT,
                "Doc_0/Document.xml": f'<ofd:Document xmlns:ofd="{NS}"/>',
            },
            ErrorCode.EMPTY,
        ),
        (
            {
                "OFD.xml": _ROOT.replace(
                    "</ofd:DocBody>",
                    "<ofd:Encryptions>Encryptions.xml</ofd:Encryptions></ofd:DocBody>",
                ),
                "Doc_0/Document.xml": f'<ofd:Document xmlns:ofd="{NS}"/>',
            },
            ErrorCode.ENCRYPTED,
        ),
        ({"OFD.xml": "<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>"}, ErrorCode.CORRUPT),
    ],
)
def test_broken_ofd_packages(
    tmp_path: Path, files: dict[str, str], code: ErrorCode
) -> None:
    path = tmp_path / "bad.ofd"
    path.write_bytes(_package(files))
    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)
    assert caught.value.code is code


def test_a_zip_without_ofd_xml_is_not_an_ofd(tmp_path: Path) -> None:
    path = tmp_path / "bad.ofd"
    path.write_bytes(_package({"readme.txt": "hello"}))
    with pytest.raises(DocumentLoadError) as caught:
        read_document(path)
    assert caught.value.code is ErrorCode.UNSUPPORTED_TYPE


def test_review_pages_show_ofd_pages_with_value_boxes(
    ofd_and_pdf: tuple[Path, Path], tmp_path: Path
) -> None:
    ofd, _ = ofd_and_pdf
    run_batch([ofd], tmp_path / "out")
    built = build_review_site(tmp_path / "out", tmp_path / "site")
    report = Report.model_validate_json((tmp_path / "out" / "report.json").read_bytes())
    located = [c for c in report.cells if c.bbox is not None and c.page is not None]
    assert len(located) > 150 and built.images == len({c.page for c in located})
    page = lxml.html.fromstring((tmp_path / "site" / "report.html").read_bytes())
    boxes = {b.get("id"): b for b in page.xpath('//a[contains(@class, "box")]')}
    for record in located:
        assert record.bbox is not None
        box = boxes[f"box-{record.table}.{record.row}.{record.column}"]
        figure = box.xpath("ancestor::figure")[0]
        assert figure.get("id") == f"page-{record.page}"
        img = figure.xpath(".//img")[0]
        style = dict(p.split(":") for p in box.get("style").rstrip(";").split(";"))
        width, height = float(img.get("width")), float(img.get("height"))
        assert float(style["left"].rstrip("%")) == pytest.approx(
            100 * record.bbox.x0 / width, abs=0.2
        )
        assert float(style["top"].rstrip("%")) == pytest.approx(
            100 * record.bbox.top / height, abs=0.2
        )
        # The page image has the cell's printed figure inside the box.
        with Image.open(tmp_path / "site" / img.get("src")) as png:
            scale = png.size[0] / width
            crop = png.convert("L").crop(
                tuple(
                    round(v * scale)
                    for v in (
                        record.bbox.x0 + 2,
                        record.bbox.top + 2,
                        record.bbox.x1 - 2,
                        record.bbox.bottom - 2,
                    )
                )
            )
            assert crop.getextrema()[0] < 128, record.raw


def test_a_malformed_page_fails_alone(
    ofd_and_pdf: tuple[Path, Path], tmp_path: Path
) -> None:
    with zipfile.ZipFile(ofd_and_pdf[0]) as package:
        files = {n: package.read(n) for n in package.namelist()}
    page = "Doc_0/Pages/Page_0/Content.xml"
    files[page] = files[page].replace(b'Size="', b'Size="x', 1)
    path = tmp_path / "bad-page.ofd"
    with zipfile.ZipFile(path, "w") as package:
        for name, data in files.items():
            package.writestr(name, data)
    document = read_document(path)
    assert [(w.code, w.page) for w in document.warnings] == [("page_failed", 1)]
    assert document.source.pages == 3
    # Page 1 is blank; the pages after it are read as usual.
    assert not [b for b in document.blocks if b.page == 1]
    assert {b.page for b in document.blocks} == {3}
    assert [t.pages for t in document.tables][-2:] == [[2, 3], [3]]
