"""Table grids to canonical values: which table is which, in which format, row by row.

Rows are matched by their label text, never by position. A row's labels are its cells
with Chinese text that do not read as figures; its values are the cells after its last
label, in the template's column order. Fragments of one table (split over pages and not
joined by the reader) are merged in reading order.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from extractors.document import Document, Table, TableCell
from extractors.report import CellRecord, Finding, Suggestion, TableValues
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
from extractors.textnorm import edit_distance, has_cjk, label_key, label_words
from extractors.values import ValueKind, is_value_text, normalize_value

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
# An OCR'd label matches a synonym approximately with at most one edit per this many
# characters (at least one): a 12-character label survives one misread character.
NEAR_EDITS_PER = 8
# Synonyms shorter than this are only matched whole (`其他` must not match `其他处理`).
MIN_PARTIAL_LABEL = 4


@dataclass(frozen=True)
class Label:
    """A label's two comparison forms: without and with its bracketed words."""

    key: str
    words: str

    @classmethod
    def of(cls, text: str) -> Label:
        """Both forms of a printed label."""
        return cls(label_key(text), label_words(text))


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
        last_label = max((i for i, c in enumerate(cells) if _is_label(c)), default=-1)
        labels = tuple(c for c in cells[: last_label + 1] if _is_label(c))
        values = list(cells[last_label + 1 :])
        while values and not values[-1].text.strip():
            values.pop()
        readings.append(RowReading(r, labels, tuple(values)))
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
    labels = {Label.of(c.text) for c in table.cells if _is_label(c)}
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
    keys = {label_key(c.text) for t in tables for c in t.cells if _is_label(c)}
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
                max(_label_score(label.key, s), _label_score(label.words, s)),
                len(s),
            )
            for s in row.labels
        )
        if best[0] > 0:
            scored.append((best, row))
    if near and not scored:
        scored = [
            ((0.5, len(s)), row)
            for row in spec.rows
            for s in row.labels
            if _is_near(label.key, s)
        ]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return tuple(row for _, row in scored)


def _is_near(key: str, synonym: str) -> bool:
    """Whether a label is within NEAR_EDITS_PER edits of a synonym (另 read as 男)."""
    if min(len(key), len(synonym)) < MIN_PARTIAL_LABEL:
        return False
    limit = max(1, len(synonym) // NEAR_EDITS_PER)
    return (
        abs(len(key) - len(synonym)) <= limit and edit_distance(key, synonym) <= limit
    )


def _label_score(key: str, synonym: str) -> int:
    if key == synonym:
        return 3
    if len(synonym) >= MIN_PARTIAL_LABEL and synonym in key:
        return 2
    if len(key) >= MIN_PARTIAL_LABEL and key in synonym:
        return 1
    return 0


def _matched_keys(spec: TableSpec, labels: set[Label]) -> set[str]:
    matched = set()
    for label in labels:
        row = match_row(spec, [label])
        if row is not None:
            matched.add(row.key)
    return matched


def _is_label(cell: TableCell) -> bool:
    return has_cjk(cell.text) and not is_value_text(cell.text)


def _read_kind(
    spec: TableSpec, parts: list[tuple[int, Table]], result: MappedTables
) -> None:
    values: TableValues = {}
    groups: tuple[str, ...] = ()
    previous: str | None = None
    for index, table in parts:
        for reading in read_rows(table):
            labels = reading.label_forms
            if len(labels) > 1:
                groups = tuple(label.key for label in labels[:-1])
            if not reading.values:
                continue
            if spec.kind is TableKind.REVIEW_LITIGATION and not reading.labels:
                _read_wide_review(reading, index, table, values, result)
                continue
            # Cells with confidences were read by OCR, which misreads a character now
            # and then: their labels may match a synonym approximately.
            near = any(c.confidence is not None for c in reading.labels)
            row = match_row(spec, labels, groups, previous, near)
            if row is None:
                if reading.labels and any(c.text.strip() for c in reading.values):
                    names = " / ".join(label.key for label in labels)
                    result.warnings.append(
                        Finding(
                            code="unmatched_row",
                            message=f"row {names!r} matches no canonical row",
                            where=spec.kind.value,
                            page=table.page,
                        )
                    )
                continue
            if row.key in values:
                result.warnings.append(
                    Finding(
                        code="duplicate_row",
                        message=f"{row.key} printed twice; the first is kept",
                        where=f"{spec.kind.value}.{row.key}",
                        page=table.page,
                    )
                )
                continue
            previous = row.key
            values[row.key] = _assign(
                spec, row, list(reading.values), reading.grid_row, index, table, result
            )
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
    result.values[spec.kind] = {r.key: values[r.key] for r in spec.rows}


def _read_wide_review(
    reading: RowReading,
    index: int,
    table: Table,
    values: TableValues,
    result: MappedTables,
) -> None:
    cells = list(reading.values)
    if len(cells) < MIN_WIDE_REVIEW_VALUES or values:
        return
    if len(cells) > WIDE_REVIEW_VALUES:
        result.warnings.append(
            Finding(
                code="extra_values",
                message=f"table 4 row has {len(cells)} values, expected 15; "
                "the first 15 are read",
                where="review_litigation",
                page=table.page,
            )
        )
    width = len(REVIEW_LITIGATION.columns)
    for g, group in enumerate(REVIEW_LITIGATION.rows):
        chunk = cells[g * width : (g + 1) * width]
        values[group.key] = _assign(
            REVIEW_LITIGATION, group, chunk, reading.grid_row, index, table, result
        )


def _assign(
    spec: TableSpec,
    row: RowSpec,
    cells: list[TableCell],
    grid_row: int,
    index: int,
    table: Table,
    result: MappedTables,
) -> dict[str, int | float | None]:
    fields = spec.fields_of(row)
    filled = [c for c in cells if c.text.strip()]
    if len(fields) == 1 and len(filled) == 1:
        # A single figure printed across merged columns (2021 table 2: 行政许可).
        cells = filled
    if len(cells) > len(fields):
        result.warnings.append(
            Finding(
                code="extra_values",
                message=f"{len(cells)} values for {len(fields)} fields; "
                "the first ones are read",
                where=f"{spec.kind.value}.{row.key}",
                page=table.page,
            )
        )
    out: dict[str, int | float | None] = {}
    yuan = _prints_yuan(table)  # cached per table
    for position, name in enumerate(fields):
        scope = f"{spec.kind.value}.{row.key}.{name}"
        if position >= len(cells):
            out[name] = None
            continue
        cell = cells[position]
        kind = spec.field_kinds.get(name, ValueKind.COUNT)
        if kind is ValueKind.AMOUNT and yuan:
            kind = ValueKind.AMOUNT_YUAN
        read = normalize_value(cell.text, kind)
        out[name] = read.value
        if read.unreadable:
            result.unreadable.append(scope)
            result.warnings.append(
                Finding(
                    code="unreadable_value",
                    message=f"cannot read {cell.text!r} as a number; left null",
                    where=scope,
                    page=cell.page or table.page,
                )
            )
        elif cell.alternatives:
            _note_alternatives(cell, scope, kind, result)
        elif cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
            result.doubtful.append(scope)
            result.warnings.append(
                Finding(
                    code="low_confidence",
                    message=f"OCR read {cell.text!r} with confidence "
                    f"{cell.confidence:.2f}; please verify",
                    where=scope,
                    page=cell.page or table.page,
                )
            )
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
                source_table=index,
                grid_row=grid_row,
                grid_col=cell.col,
                note=read.note,
            )
        )
    return out


def _note_alternatives(
    cell: TableCell, scope: str, kind: ValueKind, result: MappedTables
) -> None:
    """A cell the reader could read several ways (another split of a flattened digit
    run): doubtful, and each other reading proposed as a suggestion, never applied."""
    result.doubtful.append(scope)
    result.warnings.append(
        Finding(
            code="low_confidence",
            message=f"{cell.text!r} is one of several readings "
            f"({', '.join(cell.alternatives)}); please verify",
            where=scope,
            page=cell.page,
        )
    )
    chosen = normalize_value(cell.text, kind).value
    seen = {chosen}
    for text in cell.alternatives:
        value = normalize_value(text, kind).value
        if value is not None and value not in seen:
            seen.add(value)
            result.suggestions.append(
                Suggestion(
                    scope=scope,
                    value=value,
                    because=f"another reading of the printed figures: {text!r}",
                )
            )


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
