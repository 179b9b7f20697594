"""Write review pages for report JSONs: one HTML page each, source page images, an index.

The pages themselves come from :mod:`flows.views.review`; this module does the file work: read
outputs and the batch summary, find each PDF the reports were read from (by a sources
folder or the path the summary recorded, always checked against the report's sha256),
render the pages values came from, and write everything into one folder that opens from
disk.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pypdfium2 as pdfium
from pydantic import ValidationError

from extractors.batch import SUMMARY_NAME, BatchSummary, FileOutcome, Target, summarize
from extractors.document import InputFormat
from extractors.layout import report_jsons
from extractors.readers.ofd import ofd_to_pdf
from extractors.report import Report
from flows.views.review import index_page, review_page
from flows.views.review_pages import PageImage

_log = logging.getLogger(__name__)

# 1.5 × 72 dpi = 108 dpi: table digits stay legible on a phone and an A4 page is ~200 KB.
DEFAULT_PAGE_SCALE = 1.5
PAGES_DIR = "pages"
INDEX_NAME = "index.html"
# Inputs whose boxes are on pages the site can draw: PDFs, and OFDs drawn as PDFs.
PAGED_FORMATS = (InputFormat.PDF, InputFormat.OFD)


@dataclass
class ReviewSite:
    """What a review run wrote."""

    out_dir: Path
    pages: dict[Path, Path] = field(default_factory=dict)
    index: Path | None = None
    images: int = 0
    missing_sources: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def read_report(path: Path) -> Report:
    """Read one output JSON as a :class:`Report` (raises ``ValidationError`` if it is not)."""
    return Report.model_validate_json(path.read_bytes())


def find_reports(
    path: Path, on_read: Callable[[Path], None] | None = None
) -> tuple[list[tuple[Path, Report]], list[Path]]:
    """Report JSONs in an output folder (or one JSON file), and files that are not reports.

    A folder is searched in its subfolders too (outputs mirror the inputs' layout);
    files starting with `_` (the batch summary) are not looked at. ``on_read`` is
    called after each file (progress display).
    """
    targets = report_jsons(path) if path.is_dir() else [path]
    reports: list[tuple[Path, Report]] = []
    skipped: list[Path] = []
    for target in targets:
        try:
            reports.append((target, read_report(target)))
        except (OSError, ValidationError) as exc:
            _log.warning("%s is not a report JSON: %s", target, exc)
            skipped.append(target)
        if on_read is not None:
            on_read(target)
    return reports, skipped


def load_summary(path: Path) -> BatchSummary | None:
    """The batch summary in an output folder, or None if there is none."""
    target = path / SUMMARY_NAME
    if not target.is_file():
        return None
    return BatchSummary.model_validate_json(target.read_bytes())


def find_source(report: Report, candidates: Iterable[Path]) -> Path | None:
    """The first candidate file whose bytes are the ones the report was read from."""
    for candidate in candidates:
        try:
            if not candidate.is_file():
                continue
            digest = hashlib.sha256(candidate.read_bytes()).hexdigest()
        except OSError:
            continue
        if digest == report.source.sha256:
            return candidate
    return None


def source_candidates(
    report: Report,
    sources: Path | None,
    recorded: str | None,
    output_dir: Path | None = None,
) -> list[Path]:
    """Where the report's input may be: in the sources folder, or where the batch read it.

    A recorded path is relative to where `nianbao extract` ran; that is usually the
    output folder's parent (`samples/` and `output/` side by side), so it is tried from
    there as well as from here.
    """
    found: list[Path] = []
    name = report.source.file
    if sources is not None:
        found.append(sources / name)
        found.extend(sorted(sources.rglob(Path(name).name)))
    if recorded:
        found.append(Path(recorded))
        if output_dir is not None and not Path(recorded).is_absolute():
            found.append(output_dir.resolve().parent / recorded)
    return found


def render_pages(
    pdf: Path,
    numbers: Iterable[int],
    out_dir: Path,
    prefix: str,
    scale: float = DEFAULT_PAGE_SCALE,
) -> dict[int, PageImage]:
    """Render PDF pages (1-based) to PNGs under ``out_dir/pages``.

    Args:
        pdf: the source PDF.
        numbers: the pages to render; numbers outside the document are ignored.
        out_dir: the site folder (images go to its ``pages`` folder).
        prefix: file name prefix, the report's stem.
        scale: pixels per PDF point.

    Returns:
        The rendered pages by number, with sizes in points for the box overlays.
    """
    images: dict[int, PageImage] = {}
    (out_dir / PAGES_DIR).mkdir(parents=True, exist_ok=True)
    try:
        document = pdfium.PdfDocument(str(pdf))
    except pdfium.PdfiumError as exc:
        _log.warning("cannot open %s for page images: %s", pdf, exc)
        return images
    try:
        for number in sorted(set(numbers)):
            if not 1 <= number <= len(document):
                continue
            page = document[number - 1]
            try:
                width, height = page.get_size()
                name = f"{prefix}-p{number}.png"
                page.render(scale=scale).to_pil().save(
                    out_dir / PAGES_DIR / name, optimize=True
                )
            except pdfium.PdfiumError as exc:
                # One bad page costs its image only; the page's values stay listed.
                _log.warning("cannot render page %d of %s: %s", number, pdf, exc)
                continue
            finally:
                page.close()
            images[number] = PageImage(number, f"{PAGES_DIR}/{name}", width, height)
    finally:
        document.close()
    return images


def build_review_site(
    path: Path,
    out_dir: Path,
    sources: Path | None = None,
    scale: float = DEFAULT_PAGE_SCALE,
    on_page: Callable[[Path, int], None] | None = None,
) -> ReviewSite:
    """Write review pages for one report JSON or a folder of them.

    A folder also gets ``index.html`` listing every file of its ``_summary.json`` (or, if
    there is none, every report found), failed files included.

    Args:
        path: a report JSON, or an output folder of `nianbao extract`.
        out_dir: where the pages go.
        sources: a folder holding the input files, to render PDF pages from.
        scale: pixels per PDF point of page images.
        on_page: called with each report JSON and the number of them, once its page
            is written (progress display).

    Returns:
        What was written.

    Example:
        >>> build_review_site(Path("output"), Path("review"), Path("samples"))
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    site = ReviewSite(out_dir=out_dir)
    folder = path if path.is_dir() else path.parent
    summary = load_summary(folder)
    files = summary.files if summary else []
    by_output = {f.output: f for f in files if f.output}
    reports, skipped = find_reports(path)
    site.skipped.extend(str(p) for p in skipped)
    index_href = INDEX_NAME if path.is_dir() else None
    links: dict[str, str] = {}
    for target, report in reports:
        name = target.relative_to(folder).as_posix()
        outcome = by_output.get(name)
        page = out_dir / page_name(name)
        images = _page_images(report, target, outcome, sources, out_dir, scale, site)
        page.write_text(
            review_page(report, images, outcome, index_href), encoding="utf-8"
        )
        site.pages[target] = page
        if on_page is not None:
            on_page(target, len(reports))
        links[outcome.name or name if outcome else name] = page.name
    if path.is_dir():
        if summary is None:
            summary = BatchSummary(
                files=[
                    summarize(
                        Path(r.source.file),
                        r,
                        Target(t.relative_to(folder).as_posix(), r.source.file, ""),
                        0.0,
                    )
                    for t, r in reports
                ]
            )
        site.index = out_dir / INDEX_NAME
        site.index.write_text(index_page(summary, links), encoding="utf-8")
    return site


def page_name(json_name: str) -> str:
    """The review page of ``anshan/2019.json``: ``anshan__2019.html``, one flat folder
    so every page reaches the stylesheet and page images by the same relative links."""
    return json_name.removesuffix(".json").replace("/", "__") + ".html"


def _page_images(
    report: Report,
    target: Path,
    outcome: FileOutcome | None,
    sources: Path | None,
    out_dir: Path,
    scale: float,
    site: ReviewSite,
) -> dict[int, PageImage]:
    numbers = {c.page for c in report.cells if c.page is not None and c.bbox}
    if not numbers or report.source.format not in PAGED_FORMATS:
        return {}
    recorded = outcome.file if outcome else None
    candidates = source_candidates(report, sources, recorded, target.parent)
    pdf = find_source(report, candidates)
    if pdf is None:
        _log.warning("source of %s not found; pass --sources", target.name)
        site.missing_sources.append(report.source.file)
        return {}
    prefix = page_name(target.name).removesuffix(".html")
    if outcome and outcome.output:
        prefix = page_name(outcome.output).removesuffix(".html")
    if report.source.format is InputFormat.OFD:
        # An OFD's pages are drawn as the reader drew them, boxes and all.
        with tempfile.TemporaryDirectory(prefix="nianbao-ofd-") as tmp:
            drawn = Path(tmp) / f"{prefix}.pdf"
            drawn.write_bytes(ofd_to_pdf(pdf.read_bytes())[0])
            images = render_pages(drawn, numbers, out_dir, prefix, scale)
    else:
        images = render_pages(pdf, numbers, out_dir, prefix, scale)
    site.images += len(images)
    return images
