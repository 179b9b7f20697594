"""One table's rows read: aligned to the template, figures under their headers.

Rows with figures are collected over a table's fragments in reading order, each with the
header block above it resolved to columns (template/columns.py); the printed rows are
aligned to the template's rows (template/align.py); each matched row's figures are read
into its fields, with their provenance and doubts (template/doubts.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extractors.document import Table, TableCell
from extractors.report import CellRecord, Finding, TableValues
from extractors.template.align import Fit, Match, PrintedRow, align_rows
from extractors.template.columns import (
    ColumnMap,
    Placement,
    Placing,
    place_values,
    resolve_columns,
)
from extractors.template.doubts import alternative_suggestions, shifted_suggestions
from extractors.template.labels import Label, is_full_confidence, similarity
from extractors.template.mapped import MappedTables, RowReading, read_rows
from extractors.template.specs import (
    REVIEW_LITIGATION,
    RowSpec,
    TableKind,
    TableSpec,
)
from extractors.textnorm import clean_text, label_words
from extractors.values import ValueKind, normalize_value

# Table 4 printed wide: one unlabeled row of 3 groups x 5 fields.
WIDE_REVIEW_VALUES = 15
# A grid row this long under table 4's header is its figures. Scraped text (no spans)
# drops trailing blank cells: there any unlabeled row of figures is (a group or two
# with no case leaves only the first five or ten).
MIN_WIDE_REVIEW_VALUES = 10
# An OCR'd figure read with less confidence than this is flagged `low_confidence` and may
# get a suggested value from the checks. Chosen on scanned made-up reports: at 150 dpi,
# ±1.5°, blur, noise and JPEG 60 (tests/readers/test_scan.py) 2,388 cells were all read
# right and 1.6% of them scored below 0.92; on harsher scans (110-150 dpi, ±2.5°, JPEG
# 35-40) the 19 misread figures scored 0-0.90, all below 0.92 (or failing a check).
LOW_CONFIDENCE = 0.92


@dataclass
class _Printed:
    """A printed row with values, where it is, and the header it sits under."""

    reading: RowReading
    index: int
    table: Table
    columns: ColumnMap | None
    labels: PrintedRow


def read_kind(
    spec: TableSpec, parts: list[tuple[int, Table]], result: MappedTables
) -> None:
    """Read one kind of table from its fragments into ``result``.

    Args:
        spec: the table's spec in the format detected.
        parts: (table index, grid) of each fragment, in reading order.
        result: where values, cell records, warnings and doubts are added.
    """
    values: TableValues = {}
    printed: list[_Printed] = []
    # Label rows without figures in a table's body, with the header they sit under.
    blank: list[tuple[_Source, ColumnMap | None]] = []
    columns: ColumnMap | None = None  # carried over to a fragment with no header
    for index, table in parts:
        header: list[int] = []
        pending: str = ""  # a label-only row just above: the first line of a label
        for reading in read_rows(table):
            if not any(c.text.strip() for c in reading.values):
                if reading.labels and (columns is not None or printed):
                    # In the body: maybe a row printed blank (below).
                    blank.append((_Source(index, table, reading), columns))
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
    placed: set[str] = set()
    for entry, match in zip(printed, matches, strict=True):
        placed |= _read_matched(spec, entry, match, values, result)
    named = _note_columns(spec, printed, placed, result)
    _read_blank_rows(spec, blank, values, result)
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


def _read_blank_rows(
    spec: TableSpec,
    blank: list[tuple[_Source, ColumnMap | None]],
    values: TableValues,
    result: MappedTables,
) -> None:
    """Read template rows no printed figure matched from rows printed blank.

    Real reports leave a row of zeros empty (blank is not zero: its values are null).
    Such a row reads like a header or a label's first line, so it is taken only for a
    template row still missing, and only when its own label names that row with full
    confidence; the first line of a wrapped label has already given its row to the
    joined label below it.
    """
    labelled = [(Label.of(s.reading.labels[-1].text), s, c) for s, c in blank]
    for row in spec.rows:
        if row.key in values:
            continue
        scored = [
            (similarity(label, row.labels), i)
            for i, (label, _, _) in enumerate(labelled)
        ]
        best = max(scored, key=lambda pair: pair[0], default=None)  # first of equals
        if best is None or not is_full_confidence(best[0]):
            continue
        _, source, columns = labelled.pop(best[1])
        if not source.reading.values:  # scraped text drops empty trailing cells
            values[row.key] = dict.fromkeys(spec.fields_of(row))
            continue
        placement = place_values(
            spec.fields_of(row),
            list(source.reading.values),
            columns,
            partial=bool(spec.columns),
        )
        values[row.key] = _assign(spec, row, placement, source, result)


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
) -> set[str]:
    """Read one printed row into ``values``; return the fields it placed a cell under."""
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
        return set()
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
        return set()
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
    return set(placement.cells)


def _note_columns(
    spec: TableSpec, printed: list[_Printed], placed: set[str], result: MappedTables
) -> set[str] | None:
    """Warn of a table read without headers, and of template columns no header names
    and no row has a cell under; return those read (None when read by order)."""
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
    # A header the reader pieced together badly (a borderless table's wrapped words)
    # may name too few columns while every row still read them by order.
    named = placed.union(*(m.fields for m in maps))
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
    # Blank cells count: real reports leave a zero's cell empty.
    wide = len(cells) >= MIN_WIDE_REVIEW_VALUES or not table.spans_known
    if not wide or values:
        return
    width = len(REVIEW_LITIGATION.columns)
    # The header is used only if it names every group's fields; else the template's
    # order, five figures per group.
    grouped = (
        columns is not None
        and all(leaf.group for leaf in columns.leaves if leaf.field)
        and all(
            any(leaf.group == group.key and leaf.field for leaf in columns.leaves)
            for group in REVIEW_LITIGATION.rows
        )
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
        chunk = cells[g * width : (g + 1) * width]
        if grouped and columns is not None:
            placement = place_values(fields, cells, columns, group.key, partial=True)
            cols = [c.col for c in placement.cells.values()]
            if cols:
                chunk = [c for c in cells if min(cols) <= c.col <= max(cols)]
            _note_wide_columns(group.key, fields, placement, columns, table, result)
        else:
            placement = place_values(fields, chunk, None)
        values[group.key] = _assign(
            REVIEW_LITIGATION,
            group,
            placement,
            _Source(index, table, reading),
            result,
            tuple(chunk),
        )


def _note_wide_columns(
    group: str,
    fields: tuple[str, ...],
    placement: Placement,
    columns: ColumnMap,
    table: Table,
    result: MappedTables,
) -> None:
    """Report a group's fields of table 4 printed wide that no column was named for
    (null, and missing) or that a column was named for only by its place (doubtful)."""
    where = f"{REVIEW_LITIGATION.kind.value}.{group}"
    for name in fields:
        # A named column whose cell the row lacks was printed blank (scraped text
        # drops a row's trailing blank cells).
        leaves = [x for x in columns.leaves if x.group == group and x.field == name]
        if not leaves:
            scopes, code = result.missing, "missing_column"
            message = f"table 4 prints no column for {name} under {group} that could "
            message += "be named; its cell is null"
        elif name in placement.cells and any(leaf.by_place for leaf in leaves):
            scopes, code = result.doubtful, "column_by_place"
            message = f"the column read as {name} under {group} is named by its place "
            message += "among its group's columns; its label was not read"
        else:
            continue
        scopes.append(f"{where}.{name}")
        result.warnings.append(
            Finding(code=code, message=message, where=scopes[-1], page=table.page)
        )


def _assign(
    spec: TableSpec,
    row: RowSpec,
    placement: Placement,
    source: _Source,
    result: MappedTables,
    row_cells: tuple[TableCell, ...] | None = None,
) -> dict[str, int | float | None]:
    """Read a row's placed cells into its fields, noting extras, doubts and another
    reading that balances it; ``row_cells`` are the row's own cells when the grid row
    holds several template rows (table 4 printed wide)."""
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
    for name in spec.fields_of(row):
        scope = f"{spec.kind.value}.{row.key}.{name}"
        cell = placement.cells.get(name)
        if cell is None:
            out[name] = None
            continue
        kind = spec.field_kinds.get(name, ValueKind.COUNT)
        if kind is ValueKind.AMOUNT and _prints_yuan(table):
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
    shifted = shifted_suggestions(spec, row, out, row_cells or source.reading.values)
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
        return
    alternatives = alternative_suggestions(scope, cell, kind)
    if alternatives:
        # A reader's other readings (another split of a flattened digit run).
        message = f"read {cell.text!r}; it may also read " + ", ".join(
            repr(text) for text in cell.alternatives
        )
    elif cell.confidence is not None and cell.confidence < LOW_CONFIDENCE:
        message = f"read {cell.text!r} with confidence {cell.confidence:.2f}"
    else:
        return
    result.doubtful.append(scope)
    result.suggestions.extend(alternatives)
    result.warnings.append(
        Finding(
            code="low_confidence",
            message=f"{message}; please verify",
            where=scope,
            page=page,
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
