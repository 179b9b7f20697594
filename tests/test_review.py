"""Review pages opened in real headless Chromium: values, failed checks, page boxes, index."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest
from conftest import SAMPLES
from PIL import Image

from extractors.batch import run_batch
from extractors.report import Finding, Report, Suggestion
from flows.cli import main
from flows.views.labels import TABLE_KINDS
from flows.views.review import format_value, review_page
from flows.views.review_site import build_review_site

TEXT_SAMPLE = "000_e67d0018f5985882"
PDF_SAMPLE = "szfgs2024"
CHROMIUM_TIMEOUT = 120
SUGGESTED_CELL = ("requests", "disclosed", "total")


def chromium() -> str:
    """The Chromium binary; missing it is a failure, never a skip."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    assert found, "chromium is missing: scripts/install.sh installs it (apt-packages)"
    return found


def browse(
    page: Path, profile: Path, fragment: str = "", screenshot: Path | None = None
) -> lxml.html.HtmlElement:
    """The page's DOM after its scripts ran, optionally with a screenshot first."""
    url = page.resolve().as_uri() + fragment
    flags = [
        chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
    ]
    if screenshot is not None:
        subprocess.run(
            [*flags, "--window-size=1280,2000", f"--screenshot={screenshot}", url],
            check=True,
            capture_output=True,
            timeout=CHROMIUM_TIMEOUT,
        )
    done = subprocess.run(
        [*flags, "--dump-dom", url],
        check=True,
        capture_output=True,
        timeout=CHROMIUM_TIMEOUT,
    )
    return lxml.html.fromstring(done.stdout.decode("utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Both real samples and one broken file extracted, then reviewed."""
    root = tmp_path_factory.mktemp("review")
    broken = root / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 not really")
    inputs = [SAMPLES / f"{TEXT_SAMPLE}.txt", SAMPLES / f"{PDF_SAMPLE}.pdf", broken]
    run_batch(inputs, root / "out")
    build_review_site(root / "out", root / "site")
    return root


def load(site: Path, stem: str) -> Report:
    return Report.model_validate_json((site / "out" / f"{stem}.json").read_bytes())


def cell(
    dom: lxml.html.HtmlElement, kind: str, row: str, col: str
) -> lxml.html.HtmlElement:
    found = dom.xpath(
        f'//table[@class="values"]//td[@data-table="{kind}"]'
        f'[@data-row="{row}"][@data-col="{col}"]'
    )
    assert len(found) == 1, (kind, row, col)
    element: lxml.html.HtmlElement = found[0]
    return element


def classes(element: lxml.html.HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


@pytest.mark.parametrize("stem", [TEXT_SAMPLE, PDF_SAMPLE])
def test_every_value_is_in_its_cell(site: Path, stem: str) -> None:
    report = load(site, stem)
    shot = site / f"{stem}.png"
    dom = browse(site / "site" / f"{stem}.html", site / "profile", screenshot=shot)
    with Image.open(shot) as image:
        assert image.size == (1280, 2000)
        assert len(image.getcolors(1_000_000) or []) > 50  # rendered, not blank
    count = 0
    for kind in TABLE_KINDS:
        for row, fields in getattr(report, kind).items():
            for col, value in fields.items():
                td = cell(dom, kind, row, col)
                assert json.loads(td.get("data-value") or "") == value
                shown = td.xpath('./a[@class="v"]')[0].text_content()
                assert shown == ("空" if value is None else format_value(value))
                count += 1
    assert count == sum(
        len(f) for k in TABLE_KINDS for f in getattr(report, k).values()
    )


def test_null_differs_from_zero(site: Path) -> None:
    dom = browse(site / "site" / f"{TEXT_SAMPLE}.html", site / "profile")
    # 复议后起诉·结果纠正 is blank in the sample; 未经复议直接起诉·结果纠正 is a printed 0.
    blank = cell(dom, "review_litigation", "litigation_after_review", "corrected")
    zero = cell(dom, "review_litigation", "litigation_direct", "corrected")
    assert "null" in classes(blank)
    assert "null" not in classes(zero)
    assert "zero" in classes(zero)


def test_failed_checks_are_marked_on_their_cells(site: Path) -> None:
    dom = browse(site / "site" / f"{TEXT_SAMPLE}.html", site / "profile")
    r1_rows = ("new_received", "carried_over", "result_total", "carried_to_next_year")
    for col in ("commercial_enterprise", "other_org"):
        for row in r1_rows:
            assert "R1" in (cell(dom, "requests", row, col).get("data-fail") or "")
    for col in ("natural_person", "research_institution", "total"):
        for row in r1_rows:
            assert "R1" not in (cell(dom, "requests", row, col).get("data-fail") or "")
    footer = dom.xpath('//td[@data-check-col="commercial_enterprise"]')[0]
    assert footer.text_content().split() == [
        "R1",
        "✗",
        "应为",
        "expected",
        "1",
        "实为",
        "actual",
        "0",
    ]
    assert "R1" in dom.xpath('//td[@data-check-col="other_org"]')[0].text_content()
    assert (
        dom.xpath('//td[@data-check-col="natural_person"]')[0].text_content().strip()
        == ""
    )
    # S1 (narrative 59 vs table 148) sits in the one cell it is about.
    total = cell(dom, "requests", "new_received", "total")
    badge = total.xpath('.//span[@data-rule="S1"]')[0].text_content()
    assert "59" in badge and "148" in badge
    listed = {
        (e.get("data-rule"), e.get("data-scope"))
        for e in dom.xpath('//tr[@class="failed-check"]')
    }
    assert listed == {
        ("R1", "requests.commercial_enterprise"),
        ("R1", "requests.other_org"),
        ("S1", "requests.new_received.total"),
    }


def test_low_confidence_and_suggestions_are_marked(site: Path) -> None:
    report = load(site, TEXT_SAMPLE)
    record = next(
        c for c in report.cells if (c.table, c.row, c.column) == SUGGESTED_CELL
    )
    record.confidence = 0.42
    report.suggestions.append(
        Suggestion(
            scope=".".join(SUGGESTED_CELL),
            value=71,
            because="R3 with all other cells read",
        )
    )
    report.warnings.append(
        Finding(code="cell_doubt", message="?", where=".".join(SUGGESTED_CELL))
    )
    report.warnings.append(
        Finding(code="row_doubt", message="?", where="requests.partially_disclosed")
    )
    dom = lxml.html.fromstring(review_page(report))
    td = cell(dom, *SUGGESTED_CELL)
    assert "warned" in classes(td) and "cell_doubt" in td.text_content()
    row = dom.xpath('//table[@class="values"]//tr[@data-row="partially_disclosed"]/th')
    assert "row_doubt" in row[0].xpath('.//span[@class="warn"]')[0].get("title")
    listed = dom.xpath('//section[@id="t-requests"]//ul[contains(@class, "warnings")]')
    assert {"cell_doubt", "row_doubt"} <= set(listed[0].xpath(".//b/text()"))
    assert {"low", "suggested"} <= set(classes(td))
    assert "≈ 0.42" in td.text_content() and "建议 71" in td.text_content()
    others = dom.xpath(
        '//table[@class="values"]//td[contains(concat(" ", @class, " "), " low ")]'
    )
    assert len(others) == 1  # exact readings (confidence None) are not marked


def test_pdf_values_have_page_image_and_box(site: Path) -> None:
    report = load(site, PDF_SAMPLE)
    dom = browse(site / "site" / f"{PDF_SAMPLE}.html", site / "profile")
    images = {img.get("src"): img for img in dom.xpath('//figure[@class="page"]//img')}
    assert set(images) == {f"pages/{PDF_SAMPLE}-p{n}.png" for n in (3, 4, 5)}
    for src in images:
        with Image.open(site / "site" / src) as png:
            assert png.size[0] > 800  # A4 at 1.5 px/pt
    boxes = {b.get("id"): b for b in dom.xpath('//a[contains(@class, "box")]')}
    located = [c for c in report.cells if c.bbox is not None and c.page is not None]
    assert len(located) > 150
    for record in located:
        assert record.bbox is not None
        box = boxes[f"box-{record.table}.{record.row}.{record.column}"]
        figure = box.xpath("ancestor::figure")[0]
        assert figure.get("id") == f"page-{record.page}"
        style = dict(
            part.split(":") for part in box.get("style").rstrip(";").split(";")
        )
        left, top = float(style["left"].rstrip("%")), float(style["top"].rstrip("%"))
        assert 0 <= left < 100 and 0 <= top < 100
        # The box sits where the bbox says, in percent of the page (size in points).
        img = figure.xpath(".//img")[0]
        width, height = float(img.get("width")), float(img.get("height"))
        assert left == pytest.approx(100 * record.bbox.x0 / width, abs=0.2)
        assert top == pytest.approx(100 * record.bbox.top / height, abs=0.2)
    # Every value links to its provenance row, which links on to its box.
    row = dom.xpath('//tr[@id="src-requests.new_received.natural_person"]')[0]
    assert row.xpath('.//a[@href="#box-requests.new_received.natural_person"]')


def test_link_to_a_source_opens_it(site: Path) -> None:
    dom = browse(
        site / "site" / f"{PDF_SAMPLE}.html",
        site / "profile",
        fragment="#src-requests.new_received.total",
    )
    assert dom.xpath('//details[@id="prov-requests"]')[0].get("open") is not None
    assert "hl" in dom.xpath('//a[@id="box-requests.new_received.total"]')[0].get(
        "class"
    )


def test_index_lists_every_file_and_sorts(site: Path) -> None:
    summary = json.loads((site / "out" / "_summary.json").read_text(encoding="utf-8"))
    index = site / "site" / "index.html"
    dom = browse(index, site / "profile", fragment="#sort=failed:desc")
    rows = dom.xpath('//table[@id="files"]/tbody/tr')
    assert {r.get("data-file") for r in rows} == {f["file"] for f in summary["files"]}
    assert rows[0].get("data-file").endswith(f"{TEXT_SAMPLE}.txt")  # 3 failed checks
    broken = next(r for r in rows if r.get("data-file").endswith("broken.pdf"))
    assert broken.xpath('./td[@data-key="outcome"]')[0].text_content() == "failed"
    assert "corrupt" in broken.xpath('./td[@data-key="reason"]')[0].text_content()
    assert dom.xpath('//th[@data-key="failed"]')[0].get("aria-sort") == "descending"
    by_name = browse(index, site / "profile", fragment="#sort=file:desc")
    cells = by_name.xpath('//table[@id="files"]/tbody/tr/td[@data-key="file"]')
    names = [c.text_content() for c in cells]  # the name shown: relative to its folder
    assert names == sorted(names, reverse=True)
    assert set(names) == {f"{TEXT_SAMPLE}.txt", f"{PDF_SAMPLE}.pdf", "broken.pdf"}


def test_cli_review_with_sources_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run_batch([SAMPLES / f"{PDF_SAMPLE}.pdf"], out)
    (out / "_summary.json").unlink()  # only --sources can find the PDF now
    assert main(["review", str(out), "--out", str(tmp_path / "site")]) == 0
    assert not (tmp_path / "site" / "pages").exists() or not any(
        (tmp_path / "site" / "pages").iterdir()
    )
    assert (
        main(
            [
                "review",
                str(out),
                "--out",
                str(tmp_path / "site"),
                "--sources",
                str(SAMPLES),
            ]
        )
        == 0
    )
    assert sorted(p.name for p in (tmp_path / "site" / "pages").iterdir()) == [
        f"{PDF_SAMPLE}-p{n}.png" for n in (3, 4, 5)
    ]
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert f"{PDF_SAMPLE}.html" in index
