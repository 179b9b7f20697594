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

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from extractors.document import Document, Table, TableCell
from extractors.report import CellRecord, Finding, Suggestion, TableValues
from extractors.template.align import Fit, Match, PrintedRow, align_rows
from extractors.template.columns import (
    ColumnMap,
    Placement,
    Placing,
    place_values,
    resolve_columns,
)
from extractors.template.doubts import alternative_suggestions, shifted_suggestions
from extractors.template.labels import (
    MIN_PARTIAL_LABEL,
    Label,
    exact_score,
    is_label,
    near_similarity,
)
from extractors.template.specs import (
    KIND_MARKERS,
    KIND_STARTS,
    REVIEW_LITIGATION,
    SPECS,
    RowSpec,
    TableKind,
    TableSpec,
    TemplateVersion,
)
from extractors.textnorm import clean_text, label_key, label_words
from extractors.values import ValueKind, normalize_value

_log = logging.getLogger(__name__)

# A table needs this much evidence (matched row labels + marker words) to count as one
# of the three; the real sample's smallest fragment (table 2, 2021, page 4) scores 6.
MIN_KIND_SCORE = 3
# Table 4 printed wide: one unlabeled row of 3 groups x 5 fields.
WIDE_REVIEW_VALUES = 15
# Scraped text drops trailing blank cells, so a wide row this long is still table 4's.
MIN_WIDE_REVIEW_VALUES = 10
# An OCR'd figure read with less confidence than this is flagged `low_confidence` and may
# get a suggested value from the checks. Chosen on scanned made-up reports: at 150 dpi,
# ±1.5°, blur, noise and JPEG 60 (tests/readers/test_scan.py) 2,388 cells were all read
# right and 1.6% of them scored below 0.92; on harsher scans (110-150 dpi, ±2.5°, JPEG
# 35-40) the 19 misread figures scored 0-0.90, all below 0.92 (or failing a check).
LOW_CONFIDENCE = 0.92
__all__ = ["MIN_PARTIAL_LABEL", "Label", "MappedTables", "map_tables", "match_row"]


@dataclass(frozen=True)
class RowReading:
    """One grid row split into its label cells and its value cells."""

    grid_row: int
    labels: tuple[TableCell, ...]
    values: tuple[TableCell, ...]

    @property
    def label_forms(self) -> list[Label]:
        """The row's labels, outermost first."""
        return [f for f in (Label.of(c.text) for c in self.labels) if f.key]


@dataclass
class MappedTables:
    """What the mapper found: values, their provenance, formats and doubts."""

    values: dict[TableKind, TableValues] = field(default_factory=dict)
    cells: list[CellRecord] = field(default_factory=list)
    templates: dict[TableKind, TemplateVersion] = field(default_factory=dict)
    kinds: dict[int, TableKind] = field(default_factory=dict)  # table index → kind
    warnings: list[Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # scopes of unreadable cells
    doubtful: list[str] = field(default_factory=list)  # scopes read with low confidence
    # Template cells nobody read (row not found, column not resolved): a document with
    # any is not `success`, and checks over them are not passes.
    missing: list[str] = field(default_factory=list)
    # Other readings of the grid the labels do not support but the rules would (a cell
    # shifted by a merged cell, another split of a flattened digit run): never applied.
    suggestions: list[Suggestion] = field(default_factory=list)


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
        _read_kind(SPECS[kind][template], parts, result)
    return result


def read_rows(table: Table) -> list[RowReading]:
    """Split every grid row of a table into labels and values."""
    readings = []
    rows = table.rows_of_cells()
    for r in range(table.n_rows):
        cells = rows.get(r, [])
        # Text after the figures (a 备注 column) is not the row's label.
        figures = [i for i, c in enumerate(cells) if c.text.strip() and not is_label(c)]
        labelled = [i for i, c in enumerate(cells) if is_label(c)]
        before = [i for i in labelled if figures and i < figures[-1]]
        last_label = max(before or labelled, default=-1)
        labels = tuple(c for c in cells[: last_label + 1] if is_label(c))
        readings.append(RowReading(r, labels, tuple(cells[last_label + 1 :])))
    return readings


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


@dataclass
class _Printed:
    """A printed row with values, where it is, and the header it sits under."""

    reading: RowReading
    index: int
    table: Table
    columns: ColumnMap | None
    labels: PrintedRow


def _read_kind(
    spec: TableSpec, parts: list[tuple[int, Table]], result: MappedTables
) -> None:
    values: TableValues = {}
    printed: list[_Printed] = []
    columns: ColumnMap | None = None  # carried over to a fragment with no header
    for index, table in parts:
        header: list[int] = []
        pending: str = ""  # a label-only row just above: the first line of a label
        for reading in read_rows(table):
            if not any(c.text.strip() for c in reading.values):
                header.append(reading.grid_row)
                pending = reading.labels[-1].text if reading.labels else ""
                continue
            if header:
                columns = resolve_columns(spec, table, header) or columns
                header = []
            if spec.kind is TableKind.REVIEW_LITIGATION and not reading.labels:
                _read_wide_review(reading, index, table, columns, values, result)
            else:
                labels = _printed_labels(reading, pending)
                printed.append(_Printed(reading, index, table, columns, labels))
            pending = ""
    matches = align_rows(spec, [p.labels for p in printed])
    for entry, match in zip(printed, matches, strict=True):
        _read_matched(spec, entry, match, values, result)
    named = _note_columns(spec, printed, result)
    for row in spec.rows:
        if row.key not in values:
            values[row.key] = dict.fromkeys(spec.fields_of(row))
            result.missing.extend(
                f"{spec.kind.value}.{row.key}.{name}" for name in spec.fields_of(row)
            )
            result.warnings.append(
                Finding(
                    code="missing_row",
                    message=f"no row for {row.key} ({row.labels[0]}) was found",
                    where=f"{spec.kind.value}.{row.key}",
                )
            )
        elif named is not None:
            result.missing.extend(
                f"{spec.kind.value}.{row.key}.{name}"
                for name in spec.fields_of(row)
                if name not in named
            )
    result.values[spec.kind] = {r.key: values[r.key] for r in spec.rows}


def _printed_labels(reading: RowReading, pending: str) -> PrintedRow:
    forms = reading.label_forms
    texts = [c.text for c in reading.labels]
    inner = forms[-1:]
    if len(texts) > 1:
        # A label split over two cells, or merged with its group's label.
        inner += [Label.of("".join(texts[-2:])), Label.of("".join(texts))]
    if pending and texts:
        inner.append(Label.of(pending + texts[-1]))  # a label wrapped onto two rows
    printed = " / ".join(clean_text(t) for t in texts if clean_text(t))
    return PrintedRow(tuple(inner), tuple(forms[:-1]), printed)


def _read_matched(
    spec: TableSpec,
    entry: _Printed,
    match: Match,
    values: TableValues,
    result: MappedTables,
) -> None:
    table, reading = entry.table, entry.reading
    where = spec.kind.value
    if match.row is None:
        if reading.labels:
            result.warnings.append(
                Finding(
                    code="unmatched_row",
                    message=f"row {entry.labels.printed!r} matches no canonical row",
                    where=where,
                    page=table.page,
                )
            )
        return
    row = match.row
    if match.fit is Fit.DUPLICATE:
        result.warnings.append(
            Finding(
                code="duplicate_row",
                message=f"{row.key} printed twice; the first is kept",
                where=f"{where}.{row.key}",
                page=table.page,
            )
        )
        return
    if match.fit in (Fit.NEAR, Fit.OUT_OF_ORDER):
        how = "near its label" if match.fit is Fit.NEAR else "out of template order"
        result.warnings.append(
            Finding(
                code="approximate_row",
                message=f"row {entry.labels.printed!r} read as {row.key} "
                f"({row.labels[0]}): {how}, similarity {match.score:.2f}",
                where=f"{where}.{row.key}",
                page=table.page,
            )
        )
    fields = spec.fields_of(row)
    placement = place_values(
        fields, list(reading.values), entry.columns, partial=bool(spec.columns)
    )
    values[row.key] = _assign(
        spec, row, placement, _Source(entry.index, table, reading), result
    )


def _note_columns(
    spec: TableSpec, printed: list[_Printed], result: MappedTables
) -> set[str] | None:
    """Warn of a table read without headers, and of template columns no header names;
    return the fields the headers name (None when read by order)."""
    if not spec.headers or not printed:
        return None
    maps = [p.columns for p in printed if p.columns is not None]
    if len(maps) < len(printed):
        result.warnings.append(
            Finding(
                code="columns_by_order",
                message=f"table {spec.kind.value}: no header names the columns of "
                f"{len(printed) - len(maps)} row(s); read in the template's order",
                where=spec.kind.value,
            )
        )
    if not spec.columns or not maps:
        return None
    named = set().union(*(m.fields for m in maps))
    for column in spec.columns:
        if column.key not in named:
            result.warnings.append(
                Finding(
                    code="missing_column",
                    message=f"table {spec.kind.value} prints no column "
                    f"{column.labels[0]} ({column.key}); its cells are null",
                    where=f"{spec.kind.value}.*.{column.key}",
                )
            )
    return named


@dataclass(frozen=True)
class _Source:
    index: int
    table: Table
    reading: RowReading


def _read_wide_review(
    reading: RowReading,
    index: int,
    table: Table,
    columns: ColumnMap | None,
    values: TableValues,
    result: MappedTables,
) -> None:
    cells = list(reading.values)
    filled = [c for c in cells if c.text.strip()]
    if len(filled) < MIN_WIDE_REVIEW_VALUES or values:
        return
    width = len(REVIEW_LITIGATION.columns)
    grouped = columns is not None and all(
        leaf.group for leaf in columns.leaves if leaf.field
    )
    if not grouped and len(cells) > WIDE_REVIEW_VALUES:
        result.warnings.append(
            Finding(
                code="extra_values",
                message=f"table 4 row has {len(cells)} values, expected 15; "
                "the first 15 are read",
                where="review_litigation",
                page=table.page,
            )
        )
    for g, group in enumerate(REVIEW_LITIGATION.rows):
        fields = REVIEW_LITIGATION.fields_of(group)
        if grouped:
            placement = place_values(fields, cells, columns, group.key, partial=True)
        else:
            chunk = cells[g * width : (g + 1) * width]
            placement = place_values(fields, chunk, None)
        values[group.key] = _assign(
            REVIEW_LITIGATION,
            group,
            placement,
            _Source(index, table, reading),
            result,
        )


def _assign(
    spec: TableSpec,
    row: RowSpec,
    placement: Placement,
    source: _Source,
    result: MappedTables,
) -> dict[str, int | float | None]:
    table = source.table
    if placement.extra:
        result.warnings.append(
            Finding(
                code="extra_values",
                message=f"{len(placement.extra)} value(s) beyond the "
                f"{len(spec.fields_of(row))} fields; the first ones are read",
                where=f"{spec.kind.value}.{row.key}",
                page=table.page,
            )
        )
    if placement.placing is Placing.ORDER:
        result.warnings.append(
            Finding(
                code="cells_out_of_line",
                message="the row's cells do not line up with its header; "
                "read one per column in the header's order",
                where=f"{spec.kind.value}.{row.key}",
                page=table.page,
            )
        )
    out: dict[str, int | float | None] = {}
    yuan = _prints_yuan(table)  # cached per table
    for name in spec.fields_of(row):
        scope = f"{spec.kind.value}.{row.key}.{name}"
        cell = placement.cells.get(name)
        if cell is None:
            out[name] = None
            continue
        kind = spec.field_kinds.get(name, ValueKind.COUNT)
        if kind is ValueKind.AMOUNT and yuan:
            kind = ValueKind.AMOUNT_YUAN
        read = normalize_value(cell.text, kind)
        out[name] = read.value
        _note_doubts(scope, cell, read.unreadable, kind, table, result)
        result.cells.append(
            CellRecord(
                table=spec.kind.value,
                row=row.key,
                column=name,
                value=read.value,
                raw=cell.text,
                page=cell.page or table.page,
                bbox=cell.bbox,
                confidence=cell.confidence,
                source_table=source.index,
                grid_row=source.reading.grid_row,
                grid_col=cell.col,
                note=read.note,
            )
        )
    shifted = shifted_suggestions(spec, row, out, source.reading.values)
    if shifted:
        where = f"{spec.kind.value}.{row.key}"
        result.suggestions.extend(shifted)
        result.doubtful.extend(f"{where}.{name}" for name in spec.fields_of(row))
        result.warnings.append(
            Finding(
                code="other_reading_balances",
                message=f"{where} does not sum to its total as read under its headers; "
                f"another reading of its cells does (see suggestions)",
                where=where,
                page=table.page,
            )
        )
    return out


def _note_doubts(
    scope: str,
    cell: TableCell,
    unreadable: bool,
    kind: ValueKind,
    table: Table,
    result: MappedTables,
) -> None:
    page = cell.page or table.page
    if unreadable:
        result.unreadable.append(scope)
        result.warnings.append(
            Finding(
                code="unreadable_value",
                message=f"cannot read {cell.text!r} as a number; left null",
                where=scope,
                page=page,
            )
        )
    elif cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
        result.doubtful.append(scope)
        result.warnings.append(
            Finding(
                code="low_confidence",
                message=f"OCR read {cell.text!r} with confidence "
                f"{cell.confidence:.2f}; please verify",
                where=scope,
                page=page,
            )
        )
    alternatives = alternative_suggestions(scope, cell, kind)
    if alternatives:
        result.doubtful.append(scope)
        result.suggestions.extend(alternatives)


def _prints_yuan(table: Table) -> bool:
    """Whether the table's amount header is in 元 (采购总金额（元）) rather than 万元."""
    return _prints_yuan_in(tuple(c.text for c in table.cells if "金额" in c.text))


@lru_cache(maxsize=256)
def _prints_yuan_in(texts: tuple[str, ...]) -> bool:
    for text in texts:
        words = label_words(text)
        if "金额" in words and "元" in words and "万元" not in words:
            return True
    return False
