"""How well flattened digit runs split: the made-up archived pages of tests/flat_factory.py.

Each page is read through the whole pipeline. A row's run has *one* consistent split
(the template's equations leave one), *several* (flagged: the cell carries the others as
suggestions), or *none* (the report's own figures break the equations; reported with the
raw digits). Cell accuracy counts cells whose value is exactly the made-up one; a wrong
cell that is flagged with the right value among its suggestions is counted apart.
``python bench/flat_split.py`` prints the markdown section; the lead wires
:func:`flat_section` into ``make bench``.
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from flat_factory import corpus, to_flat  # noqa: E402
from report_factory import MadeUpReport  # noqa: E402

from extractors.pipeline import extract  # noqa: E402
from extractors.readers.flat import split_header, strip_portal  # noqa: E402
from extractors.readers.flat_tables import find_tables  # noqa: E402
from extractors.report import Report  # noqa: E402


def _cells(made: MadeUpReport) -> dict[str, int | float | None]:
    out: dict[str, int | float | None] = {}
    for table in ("active_disclosure", "requests", "review_litigation"):
        for row, fields in getattr(made, table).items():
            for name, value in fields.items():
                out[f"{table}.{row}.{name}"] = value
    return out


def _read(report: Report) -> dict[str, int | float | None]:
    out: dict[str, int | float | None] = {}
    for table in ("active_disclosure", "requests", "review_litigation"):
        for row, fields in getattr(report, table).items():
            for name, value in fields.items():
                out[f"{table}.{row}.{name}"] = value
    return out


def measure() -> dict[str, int]:
    """Counts over the corpus: rows by split status, cells exact / flagged / wrong."""
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as folder:
        for name, made, style in corpus():
            text = to_flat(made, style)
            _header, body = split_header(text)
            for table in find_tables(strip_portal(" ".join(body.splitlines()))):
                counts.update(f"rows_{s.status.value}" for s in table.splits)
            path = Path(folder) / f"{name}.txt"
            path.write_text(text, encoding="utf-8")
            report = extract(path)
            read = _read(report)
            doubtful = {w.where for w in report.warnings if w.code == "low_confidence"}
            proposed = {(s.scope, s.value) for s in report.suggestions}
            for scope, value in _cells(made).items():
                counts["cells"] += 1
                if read.get(scope) == value:
                    counts["cells_exact"] += 1
                    counts["cells_exact_flagged"] += scope in doubtful
                elif scope in doubtful and (scope, value) in proposed:
                    counts["cells_flagged_right_suggested"] += 1
                else:
                    counts["cells_wrong"] += 1
            counts["pages"] += 1
    return dict(counts)


def flat_section() -> str:
    """The benchmark's markdown section for flattened archived text."""
    c = measure()
    rows = c.get("rows_one", 0) + c.get("rows_several", 0) + c.get("rows_none", 0)
    cells = c["cells"]

    def pct(n: int, of: int) -> str:
        return f"{100 * n / of:.1f}%" if of else "n/a"

    return "\n".join(
        [
            "## Flattened archived text (tests/flat_factory.py)",
            "",
            f"{c['pages']} made-up archived pages (2019 and 2021 templates, blanks, "
            "decimals, 元 amounts, spaced rows, reports breaking R1–R4), read through "
            "the whole pipeline.",
            "",
            "| rows (digit runs) | count | share |",
            "|---|---:|---:|",
            f"| one consistent split | {c.get('rows_one', 0)} | "
            f"{pct(c.get('rows_one', 0), rows)} |",
            f"| several (flagged, others suggested) | {c.get('rows_several', 0)} | "
            f"{pct(c.get('rows_several', 0), rows)} |",
            f"| none (report's own figures fail; reported) | {c.get('rows_none', 0)} | "
            f"{pct(c.get('rows_none', 0), rows)} |",
            "",
            "| cells | count | share |",
            "|---|---:|---:|",
            f"| exact | {c.get('cells_exact', 0)} | {pct(c.get('cells_exact', 0), cells)} |",
            f"| … of which flagged | {c.get('cells_exact_flagged', 0)} | "
            f"{pct(c.get('cells_exact_flagged', 0), cells)} |",
            f"| wrong, flagged, right value suggested | "
            f"{c.get('cells_flagged_right_suggested', 0)} | "
            f"{pct(c.get('cells_flagged_right_suggested', 0), cells)} |",
            f"| wrong, not flagged | {c.get('cells_wrong', 0)} | "
            f"{pct(c.get('cells_wrong', 0), cells)} |",
            "",
        ]
    )


if __name__ == "__main__":
    print(flat_section())
