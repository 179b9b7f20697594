"""Table grids to canonical values: which table is which, in which format, row by row.

Rows are matched by their label text and order (template/align.py), never by position
alone; columns by the header labels above them (template/columns.py), by order only when
no header names them. A row's labels are its cells with Chinese text that do not read as
figures; its values are the cells after its last label that has figures after it.
Fragments of one table (split over pages and not joined by the reader) are merged in
reading order. Doubts (near labels, cells out of line, another reading that balances a
row) are reported, never resolved silently (template/doubts.py).
"""

from __future__ import annotations

from functools import lru_cache
from itertools import pairwise

from extractors.document import Document, Table
from extractors.template.labels import (
    MIN_PARTIAL_LABEL,
    Label,
    exact_score,
    is_label,
    near_similarity,
)
from extractors.template.mapped import MappedTables, RowReading, read_rows
from extractors.template.rows import read_kind
from extractors.template.specs import (
    KIND_MARKERS,
    KIND_STARTS,
    SPECS,
    RowSpec,
    TableKind,
    TableSpec,
    TemplateVersion,
)
from extractors.textnorm import label_key, label_words

# A table needs this much evidence (matched row labels + marker words) to count as one
# of the three; the real sample's smallest fragment (table 2, 2021, page 4) scores 6.
MIN_KIND_SCORE = 3
__all__ = [
    "MIN_PARTIAL_LABEL",
    "Label",
    "MappedTables",
    "RowReading",
    "map_tables",
    "match_row",
    "read_rows",
]


def map_tables(document: Document) -> MappedTables:
    """Find the three statistics tables in a document and read their values.

    Args:
        document: any reader's output.

    Returns:
        The canonical values per table kind, one :class:`CellRecord` per value, the
        template format of each table, and warnings for anything doubtful.
    """
    result = MappedTables()
    fragments: dict[TableKind, list[tuple[int, Table]]] = {}
    for index, whole in enumerate(document.tables):
        for table in split_stacked(whole):
            kind = classify_table(table)
            if kind is not None:
                result.kinds.setdefault(index, kind)
                fragments.setdefault(kind, []).append((index, table))
    for kind in TableKind:
        parts = fragments.get(kind)
        if not parts:
            continue
        template = detect_template(kind, [t for _, t in parts], result.templates)
        result.templates[kind] = template
        read_kind(SPECS[kind][template], parts, result)
    return result


def split_stacked(table: Table) -> list[Table]:
    """Cut a grid that holds more than one statistics table at each table's opening row.

    Rows keep their numbers, so provenance still points into the whole grid.
    """
    starts: list[tuple[int, TableKind]] = []
    rows = table.rows_of_cells()
    for r in range(table.n_rows):
        words = "".join(label_words(c.text) for c in rows.get(r, []))
        for kind, markers in KIND_STARTS.items():
            if any(m in words for m in markers) and (
                not starts or starts[-1][1] != kind
            ):
                starts.append((r, kind))
                break
    if len({kind for _, kind in starts}) < 2:
        return [table]
    bounds = [0] + [r for r, _ in starts[1:]] + [table.n_rows]
    return [
        table.model_copy(
            update={"cells": [c for c in table.cells if low <= c.row < high]}
        )
        for low, high in pairwise(bounds)
    ]


def classify_table(table: Table) -> TableKind | None:
    """Which of the three statistics tables a grid is, if any."""
    labels = {Label.of(c.text) for c in table.cells if is_label(c)}
    keys = {label.key for label in labels}
    scores = {
        kind: max(len(_matched_keys(spec, labels)) for spec in versions.values())
        + sum(1 for m in KIND_MARKERS[kind] if any(m in k for k in keys))
        for kind, versions in SPECS.items()
    }
    best = max(scores, key=lambda kind: scores[kind])
    return best if scores[best] >= MIN_KIND_SCORE else None


def detect_template(
    kind: TableKind,
    tables: list[Table],
    known: dict[TableKind, TemplateVersion],
) -> TemplateVersion:
    """The format of one table, from the words only that format prints."""
    versions = SPECS[kind]
    follows = versions[TemplateVersion.V2019].template_follows
    if follows is not None:
        return known.get(follows, TemplateVersion.V2019)
    keys = {label_key(c.text) for t in tables for c in t.cells if is_label(c)}
    scores = {
        version: sum(1 for m in spec.markers if any(m in k for k in keys))
        for version, spec in versions.items()
    }
    return max(scores, key=lambda v: (scores[v], v is TemplateVersion.V2019))


def match_row(
    spec: TableSpec,
    labels: list[Label],
    context: tuple[str, ...] = (),
    previous: str | None = None,
    near: bool = False,
) -> RowSpec | None:
    """The row a row's labels name: the innermost label that matches wins.

    ``context`` holds group labels of rows above (a span-less scrape prints a merged
    group label such as （六）其他处理 on the group's first row only); ``previous`` is
    the row matched just before, for rows known by their neighbours (RowSpec.after).
    ``near`` lets a label a character or so off a synonym match when nothing matches
    better (OCR'd tables).
    """
    around = [*(label.key for label in labels), *context]
    for label in reversed(labels):
        for row in _ranked_rows(spec, label, near):
            if not row.group or previous in row.after:
                return row
            if any(g in k for g in row.group for k in around):
                return row
    return None


@lru_cache(maxsize=16384)
def _ranked_rows(
    spec: TableSpec, label: Label, near: bool = False
) -> tuple[RowSpec, ...]:
    """Rows a label could name, best first (exact, then contained, then truncated;
    then, if ``near``, within a few edits)."""
    scored: list[tuple[tuple[float, int], RowSpec]] = []
    for row in spec.rows:
        best = max(
            (
                max(exact_score(label.key, s), exact_score(label.words, s)),
                len(s),
            )
            for s in row.labels
        )
        if best[0] > 0:
            scored.append((best, row))
    if near and not scored:
        scored = [
            ((near_similarity(label.key, s), len(s)), row)
            for row in spec.rows
            for s in row.labels
            if near_similarity(label.key, s) > 0
        ]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(row for _, row in scored)


def _matched_keys(spec: TableSpec, labels: set[Label]) -> set[str]:
    matched = set()
    for label in labels:
        row = match_row(spec, [label])
        if row is not None:
            matched.add(row.key)
    return matched
