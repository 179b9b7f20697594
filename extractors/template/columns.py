"""Header rows to value columns: which field each value cell of a row is.

A table's header block (the rows above its first row of figures, or above each sub-table
of table 2) names its columns. Where the source kept merged cells, each grid column is
named by the lowest header cell over it that matches a template column (法人或其他组织
over its five columns, 行政复议 / 未经复议直接起诉 over table 4's fields); where it did
not (scraped text), the header cells are read in order, a parent label standing for the
row of labels under it. A value cell is then placed under its header by grid position,
or by order when the row is out of line with its header and has no more figures than it
has columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum

from extractors.document import Table, TableCell
from extractors.template.labels import (
    Label,
    is_full_confidence,
    is_label,
    near_similarity,
    similarity,
)
from extractors.template.specs import ColumnSpec, TableKind, TableSpec
from extractors.textnorm import label_key

# How far a header matching a column's synonym ranks below one printing its label.
SYNONYM_RANK = 0.01


@dataclass(frozen=True)
class Leaf:
    """One value column: its field (None for an extra column such as 备注 or a second
    合计), its group (table 4 printed wide), and where it sits."""

    field: str | None
    group: str | None
    first: int  # first grid column, or position among the row's values (span-less)
    last: int
    label: str
    score: float
    # Named by its place among its group's columns alone, its own label read as no
    # field (其地 under a seal): its figures are doubtful.
    by_place: bool = False


@dataclass(frozen=True)
class ColumnMap:
    """A header block resolved to columns."""

    leaves: tuple[Leaf, ...]
    by_position: bool  # span-less: the k-th value cell is under the k-th leaf

    @property
    def fields(self) -> set[str]:
        """The fields the header names."""
        return {leaf.field for leaf in self.leaves if leaf.field is not None}


class Placing(str, Enum):
    """How a row's value cells were put under their headers."""

    GRID = "grid"  # by grid column, under the header cell above
    ORDER = "order"  # by order: one cell per header column, out of line with it
    TEMPLATE = "template"  # by the template's field order (no usable header)


@dataclass(frozen=True)
class Placement:
    """A row's value cells by field, how they were placed, and cells under no field."""

    cells: dict[str, TableCell]
    placing: Placing
    extra: tuple[TableCell, ...] = ()


@dataclass(frozen=True)
class _HeaderCell:
    cell: TableCell
    field: str | None
    score: float
    parent: bool
    group: str | None


def resolve_columns(
    spec: TableSpec, table: Table, header_rows: list[int]
) -> ColumnMap | None:
    """The columns a header block names, or None when it names none (or leaves a
    parent label without the labels under it).

    Args:
        spec: the table's template spec (its headers, parents and, for table 4, groups).
        table: the grid.
        header_rows: grid rows of the block, top first.

    Returns:
        The leaves in left-to-right order, or None.
    """
    rows = table.rows_of_cells()
    seen: set[int] = set()
    block: list[list[_HeaderCell]] = []
    # The last header cell of each column that named nothing, by (col, col_span).
    pending: dict[tuple[int, int], tuple[list[_HeaderCell], int]] = {}
    for r in header_rows:
        line: list[_HeaderCell] = []
        for cell in rows.get(r, []):
            if id(cell) in seen or not is_label(cell):
                continue
            seen.add(id(cell))
            header = _classify(spec, cell)
            key = (cell.col, cell.col_span)
            if (
                table.spans_known
                and header.field is None
                and not header.parent
                and key in pending
            ):
                # A header word wrapped in a narrow column (商业企 / 业 on a scan):
                # joined with the piece above it when only the whole names a column.
                # Only where grid columns are real: span-less rows read in order.
                above_line, at = pending.pop(key)
                above = above_line[at].cell
                joined = _classify(
                    spec,
                    above.model_copy(
                        update={
                            "text": above.text + cell.text,
                            "row_span": cell.row + cell.row_span - above.row,
                        }
                    ),
                )
                if joined.field is not None:
                    above_line[at] = joined
                    continue
            if header.field is None and not header.parent:
                pending[key] = (line, len(line))
            else:
                pending.pop(key, None)
            line.append(header)
        block.append(line)
    if not any(h.field for line in block for h in line):
        return None
    by_grid = table.spans_known
    leaves = _leaves_by_grid(block) if by_grid else _leaves_in_order(block)
    if leaves is None:
        return None
    return ColumnMap(_one_leaf_per_field(leaves), by_position=not table.spans_known)


def place_values(
    fields: tuple[str, ...],
    values: list[TableCell],
    columns: ColumnMap | None,
    group: str | None = None,
    partial: bool = False,
) -> Placement:
    """Put a row's value cells under their fields.

    Args:
        fields: the fields the row has, in template order.
        values: the row's value cells, left to right.
        columns: the header's columns, if one was resolved and names every field.
        group: for table 4 printed wide, the group whose columns are wanted.
        partial: whether the header may name only some of the fields.

    Returns:
        The cells by field: by grid column when the row lines up with its header, by
        order when it has no more figures than header columns, else by template order.
    """
    leaves = [
        leaf
        for leaf in (columns.leaves if columns else ())
        if group is None or leaf.group in (group, None)
    ]
    named = {leaf.field for leaf in leaves}
    # Table 3 and 4 headers may lack a column (its cells stay unread); a table-2 header
    # names every field of its sub-table, else it is another sub-table's.
    usable = set(fields) <= named or (partial and bool(named & set(fields)))
    if columns is None or not usable:
        return _by_template(fields, values)
    if not columns.by_position:
        placed = _by_grid(fields, values, columns.leaves, set(leaves))
        if placed is not None:
            return placed
    filled = trim_blanks(values)
    every = columns.leaves  # all groups: a wide row's k-th cell is under the k-th
    if len(filled) <= len(every):
        wanted = set(leaves)
        cells = {
            leaf.field: cell
            for leaf, cell in zip(every, values, strict=False)
            if leaf in wanted and leaf.field in fields
        }
        return Placement(
            cells, Placing.ORDER if not columns.by_position else Placing.GRID
        )
    return _by_template(fields, values)


def _by_template(fields: tuple[str, ...], values: list[TableCell]) -> Placement:
    filled = [c for c in values if c.text.strip()]
    if len(fields) == 1 and len(filled) == 1:
        # A single figure printed across merged columns (2021 table 2: 行政许可).
        values = filled
    values = trim_blanks(values)
    return Placement(
        dict(zip(fields, values, strict=False)),
        Placing.TEMPLATE,
        tuple(values[len(fields) :]),
    )


def _by_grid(
    fields: tuple[str, ...],
    values: list[TableCell],
    leaves: tuple[Leaf, ...],
    wanted: set[Leaf],
) -> Placement | None:
    cells: dict[str, TableCell] = {}
    for cell in values:
        under = [
            leaf
            for leaf in leaves
            if leaf.first <= cell.col + cell.col_span - 1 and cell.col <= leaf.last
        ]
        if len(under) != 1:
            if cell.text.strip():
                return None
            continue
        name = under[0].field
        if name is None or name not in fields or under[0] not in wanted:
            continue
        if name in cells:
            return None
        cells[name] = cell
    return Placement(cells, Placing.GRID)


def trim_blanks(values: list[TableCell]) -> list[TableCell]:
    """The cells less trailing blanks (scraped text drops them; never a figure)."""
    out = list(values)
    while out and not out[-1].text.strip():
        out.pop()
    return out


def _classify(spec: TableSpec, cell: TableCell) -> _HeaderCell:
    label = Label.of(cell.text)
    best: tuple[float, ColumnSpec | None] = (0.0, None)
    for column in spec.headers:
        # Headers are matched at full confidence only: a label-only row between data
        # rows (（六）其他处理 over its first sub-row) must not pass for a header.
        if not is_full_confidence(similarity(label, column.labels)):
            continue
        # A synonym ranks just below the printed label: 总计 beats a second 合计.
        score = max(
            similarity(label, column.labels[:1]),
            similarity(label, column.labels) - SYNONYM_RANK,
        )
        if score > best[0]:
            best = (score, column)
    parent = similarity(label, spec.column_parents) > best[0]
    group = None
    if spec.kind is TableKind.REVIEW_LITIGATION and best[1] is None:
        top = max((similarity(label, row.labels), row.key) for row in spec.rows)
        group = top[1] if is_full_confidence(top[0]) else None
    field = None if parent or best[1] is None else best[1].key
    return _HeaderCell(cell, field, best[0], parent, group)


def _leaves_by_grid(block: list[list[_HeaderCell]]) -> list[Leaf] | None:
    cover: dict[int, list[_HeaderCell]] = {}
    for line in block:
        for h in line:
            for c in range(h.cell.col, h.cell.col + h.cell.col_span):
                cover.setdefault(c, []).append(h)
    heads: list[tuple[int, _HeaderCell, str | None]] = []
    for c in sorted(cover):
        chain = sorted(cover[c], key=lambda h: h.cell.row)
        named = [h for h in chain if h.field]
        group = next((h.group for h in chain if h.group), None)
        lowest = chain[-1]
        if named:
            heads.append((c, named[-1], group))
        elif lowest.parent:
            return None  # a parent whose columns the block does not name
        elif heads or lowest.group is not None:
            # An extra column after the named ones, or a group's column whose field
            # label the source lost (named below from a sibling group).
            heads.append((c, lowest, group))
        # else: the label columns' header (信息内容, the 勾稽关系 note)
    # A header cell wider than its group (a 总计 merged into the next column) belongs to
    # the group over any of its columns.
    group_of: dict[int, str] = {}
    for _, head, group in heads:
        if group is not None:
            group_of.setdefault(id(head), group)
    leaves: list[Leaf] = []
    previous: tuple[int, str | None] | None = None
    for c, head, over in heads:
        group = over or group_of.get(id(head))
        spanned = previous == (id(head), group) and head.group is None
        if spanned and leaves[-1].last == c - 1:
            leaves[-1] = replace(leaves[-1], last=c)
        else:
            leaves.append(Leaf(head.field, group, c, c, head.cell.text, head.score))
        previous = (id(head), group)
    return _fields_from_sibling_group(leaves)


def _fields_from_sibling_group(leaves: list[Leaf]) -> list[Leaf]:
    # Table 4's groups share their five fields: a group whose field labels were lost
    # (a Word 2003 export merges them into one blank cell) has its sibling's, when it
    # has as many columns. So does a column whose label is misprinted or misread
    # (尚末审结 under a seal) when the rest of its group is named as its sibling is
    # and its label is a near match of the sibling's; a lone column whose label is too
    # short to judge but shares a character with the sibling's (其地 for 其他结果) is
    # named by its place too, and marked so (备注 is not).
    by_group: dict[str, list[Leaf]] = {}
    for leaf in leaves:
        if leaf.group is not None:
            by_group.setdefault(leaf.group, []).append(leaf)
    named = [g for g in by_group.values() if all(leaf.field for leaf in g)]
    if not named:
        return leaves
    pattern = named[0]
    renamed: dict[int, Leaf] = {}
    for group in by_group.values():
        if len(group) != len(pattern) or any(
            leaf.field not in (None, model.field)
            for leaf, model in zip(group, pattern, strict=True)
        ):
            continue
        unnamed = sum(leaf.field is None for leaf in group)
        lost = unnamed == len(group)
        for leaf, model in zip(group, pattern, strict=True):
            if leaf.field is not None:
                continue
            near = lost or _misprinted(leaf.label, model.label)
            if near or (unnamed == 1 and _partly_read(leaf.label, model.label)):
                renamed[id(leaf)] = replace(
                    leaf,
                    field=model.field,
                    label=model.label,
                    score=model.score,
                    by_place=not near,
                )
    return [renamed.get(id(leaf), leaf) for leaf in leaves]


def _misprinted(label: str, sibling: str) -> bool:
    return near_similarity(label_key(label), label_key(sibling)) > 0


def _partly_read(label: str, sibling: str) -> bool:
    return bool(set(label_key(label)) & set(label_key(sibling)))


def _leaves_in_order(block: list[list[_HeaderCell]]) -> list[Leaf] | None:
    sequence: list[_HeaderCell] = []
    groups: list[str] = []
    for line in block:
        groups.extend(h.group for h in line if h.group)
        first = next((i for i, h in enumerate(line) if h.field or h.parent), None)
        if first is None:
            continue
        items = [h for h in line[first:] if h.group is None]
        parent = next((i for i, h in enumerate(sequence) if h.parent), None)
        if parent is None:
            sequence.extend(items)
        else:
            sequence[parent : parent + 1] = items
    if any(h.parent for h in sequence):
        return None
    size = len(sequence) // len(groups) if groups else 0
    grouped = bool(groups) and size * len(groups) == len(sequence)
    return [
        Leaf(
            h.field, groups[i // size] if grouped else None, i, i, h.cell.text, h.score
        )
        for i, h in enumerate(sequence)
    ]


def _one_leaf_per_field(leaves: list[Leaf]) -> tuple[Leaf, ...]:
    # Two headers naming one field (总计 and a second 合计): the better-named keeps it,
    # the other is an extra column.
    best: dict[tuple[str | None, str], Leaf] = {}
    for leaf in leaves:
        if leaf.field is None:
            continue
        key = (leaf.group, leaf.field)
        if key not in best or leaf.score > best[key].score:
            best[key] = leaf
    return tuple(
        leaf
        if leaf.field is None or best[(leaf.group, leaf.field)] is leaf
        else replace(leaf, field=None)
        for leaf in leaves
    )
