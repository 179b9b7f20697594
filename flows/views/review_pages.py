"""Source page images with a box over every value read from them, for review pages.

Boxes are placed in percent of the page (bboxes are in PDF points, top-left origin as
pdfplumber gives them), so they stay on their cells at any screen width.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from extractors.report import Report
from flows.views.labels import field_label, row_label


@dataclass(frozen=True)
class PageImage:
    """A rendered source page: where its PNG is (relative to the HTML) and its size in pt."""

    number: int
    src: str
    width: float
    height: float


@dataclass(frozen=True)
class BoxView:
    """A cell's box on its page image, in percent of the page so it scales."""

    scope: str
    label: str
    classes: str
    left: float
    top: float
    width: float
    height: float


@dataclass(frozen=True)
class PageView:
    """A source page with the boxes of the values read from it."""

    image: PageImage
    boxes: tuple[BoxView, ...] = field(default_factory=tuple)


def page_views(
    report: Report, images: dict[int, PageImage], failing: Iterable[str] = ()
) -> list[PageView]:
    """Source pages with a box per value read from them, scaled from PDF points.

    Args:
        report: the extracted report (its `cells` carry page and bbox).
        images: rendered pages by number.
        failing: scopes (`requests.disclosed.total`) of cells in a failed check.
    """
    failing = set(failing)
    views = []
    for number in sorted(images):
        image = images[number]
        boxes = []
        for record in report.cells:
            if record.page != number or record.bbox is None:
                continue
            box = record.bbox
            scope = f"{record.table}.{record.row}.{record.column}"
            classes = ["box"]
            if record.value is None:
                classes.append("null")
            if scope in failing:
                classes.append("fail")
            boxes.append(
                BoxView(
                    scope=scope,
                    label=f"{row_label(record.table, record.row)}·"
                    f"{field_label(record.table, record.column)}",
                    classes=" ".join(classes),
                    left=round(100 * box.x0 / image.width, 3),
                    top=round(100 * box.top / image.height, 3),
                    width=round(100 * (box.x1 - box.x0) / image.width, 3),
                    height=round(100 * (box.bottom - box.top) / image.height, 3),
                )
            )
        views.append(PageView(image=image, boxes=tuple(boxes)))
    return views
