"""HTML throughput on one core: documents per second through the reader and the pipeline.

Pages are the made-up reports of tests/markup_factory.py in three shapes: a plain page,
a Word "save as web page" export in GBK, and a portal page in GBK whose site chrome and
inline scripts pad it to the ~100 KB typical of government portals. bench/run.py calls
:func:`run_html_bench`; ``python bench/html_bench.py`` runs it alone.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from markup_factory import html_bytes  # noqa: E402
from report_factory import make_report  # noqa: E402

from extractors.document import MEDIA_TYPES, InputFormat, SourceInfo  # noqa: E402
from extractors.options import ReaderOptions  # noqa: E402
from extractors.pipeline import build_report  # noqa: E402
from extractors.readers.html import HtmlReader  # noqa: E402

GOAL_DOCS_PER_SECOND = 100.0
# Chrome to reach a portal page's usual size: menus, links and an inline script.
_PADDING = (
    "<div class='nav'><ul>"
    + "".join(f"<li><a href='/col{i}'>栏目导航{i}</a></li>" for i in range(400))
    + "</ul></div><script>"
    + "var stat = {site: 'gov', col: 1};" * 1200
    + "</script>"
)


@dataclass(frozen=True)
class HtmlBenchResult:
    """Throughput per page shape, in documents per second."""

    pages: dict[str, int]  # shape -> size in bytes
    reader_docs_per_s: dict[str, float]
    pipeline_docs_per_s: dict[str, float]
    goal_docs_per_s: float = GOAL_DOCS_PER_SECOND

    @property
    def meets_goal(self) -> bool:
        """Whether every shape goes through the whole pipeline fast enough."""
        return min(self.pipeline_docs_per_s.values()) >= self.goal_docs_per_s


def sample_pages() -> dict[str, bytes]:
    """The benchmark's pages, by shape."""
    report = make_report("2021", "2021", seed=5)
    portal = html_bytes(report, "gbk", style="portal").replace(
        b"<body>", b"<body>" + _PADDING.encode("gbk"), 1
    )
    return {
        "plain-utf8": html_bytes(report, "utf-8"),
        "word-gbk": html_bytes(report, "gbk", style="word", declared="gb2312"),
        "portal-gbk": portal,
    }


def run_html_bench(seconds_per_shape: float = 2.0) -> HtmlBenchResult:
    """Read each page shape repeatedly for a while; report documents per second.

    Args:
        seconds_per_shape: time spent on each shape, per stage measured.

    Returns:
        Reader-only and whole-pipeline throughput for each shape.
    """
    pages = sample_pages()
    reader: dict[str, float] = {}
    pipeline: dict[str, float] = {}
    for shape, data in pages.items():
        source = SourceInfo(
            file=f"{shape}.html",
            sha256=hashlib.sha256(data).hexdigest(),
            media_type=MEDIA_TYPES[InputFormat.HTML],
            format=InputFormat.HTML,
            size_bytes=len(data),
        )
        reader[shape] = _rate(partial(_read, data, source), seconds_per_shape)
        pipeline[shape] = _rate(partial(_extract, data, source), seconds_per_shape)
    return HtmlBenchResult(
        pages={shape: len(data) for shape, data in pages.items()},
        reader_docs_per_s=reader,
        pipeline_docs_per_s=pipeline,
    )


def _read(data: bytes, source: SourceInfo) -> object:
    return HtmlReader(data, source, ReaderOptions()).read()


def _extract(data: bytes, source: SourceInfo) -> object:
    return build_report(HtmlReader(data, source, ReaderOptions()).read())


def _rate(work: Callable[[], object], seconds: float) -> float:
    work()  # warm caches (jieba's dictionary, regexes) outside the clock
    count = 0
    # CPU time of this one process: documents per second on one core, unaffected by
    # whatever else the (shared, 2-core) machine runs meanwhile.
    start = time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        work()
        count += 1
    return count / elapsed


def main() -> None:
    """Print the HTML benchmark."""
    result = run_html_bench()
    for shape, size in result.pages.items():
        print(
            f"html {shape:11s} {size / 1024:6.1f} KB  "
            f"reader {result.reader_docs_per_s[shape]:7.1f} docs/s  "
            f"pipeline {result.pipeline_docs_per_s[shape]:7.1f} docs/s"
        )
    verdict = "meets" if result.meets_goal else "MISSES"
    print(f"html goal {result.goal_docs_per_s:g} docs/s on one core: {verdict}")
    print(asdict(result))


if __name__ == "__main__":
    main()
