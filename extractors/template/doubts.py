"""Other readings of a row or a cell, proposed as suggestions and never applied.

The mapper keeps the reading the labels support (cells under their headers). When that
reading leaves a row unbalanced (R3: the applicant columns against 总计; R4: table 4's
four results against 总计) and reading the row's figures one cell to the left or right,
or in plain order, would balance it, the other reading is proposed cell by cell, with
the evidence; the row's cells are then doubtful. A reader's other readings of one cell
(TableCell.alternatives, e.g. another split of a flattened digit run) are proposed the
same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from extractors.document import TableCell
from extractors.report import Suggestion
from extractors.template.columns import trim_blanks
from extractors.template.specs import RowSpec, TableSpec
from extractors.values import ValueKind, normalize_value

TOTAL = "total"
Reading = dict[str, int | float | None]


def alternative_suggestions(
    scope: str, cell: TableCell, kind: ValueKind
) -> list[Suggestion]:
    """One suggestion per other reading of a cell whose value differs from its text's.

    Args:
        scope: the cell's scope (``requests.disclosed.total``).
        cell: the cell with the reader's ``alternatives``.
        kind: how the field is read.

    Returns:
        Suggestions, none when the cell has no differing readable alternative.
    """
    if not cell.alternatives:
        return []
    preferred = normalize_value(cell.text, kind).value
    out: list[Suggestion] = []
    for text in cell.alternatives:
        value = normalize_value(text, kind).value
        if value is not None and value != preferred:
            out.append(
                Suggestion(
                    scope=scope,
                    value=value,
                    because=f"the cell {cell.text!r} may also read {text!r}",
                )
            )
    return out


def shifted_suggestions(
    spec: TableSpec, row: RowSpec, read: Reading, cells: Sequence[TableCell]
) -> list[Suggestion]:
    """Suggestions from the one other reading of a row's figures that balances it.

    Args:
        spec: the table's spec (rows balance when their fields include ``total``).
        row: the row read.
        read: its values as read under the headers.
        cells: the row's value cells, left to right.

    Returns:
        One suggestion per cell the balancing reading reads differently; none when the
        row balances as read, is printed blank, cannot be checked, or no single other
        reading balances.
    """
    fields = spec.fields_of(row)
    if TOTAL not in fields or len(fields) < 3 or _balances(read):
        return []
    if all(value is None for value in read.values()):
        return []  # printed blank: nothing to re-read
    figures = [
        normalize_value(c.text, spec.field_kinds.get(f, ValueKind.COUNT)).value
        for c, f in zip(trim_blanks(list(cells)), _cycle(fields), strict=False)
    ]
    others: dict[tuple[tuple[str, int | float | None], ...], str] = {}
    for how, shifted in (
        ("in printed order", figures),
        ("one cell to the left", figures[1:]),
        ("one cell to the right", [None, *figures]),
    ):
        reading = dict(zip(fields, [*shifted, *[None] * len(fields)], strict=False))
        if reading != read and _balances(reading):
            others.setdefault(tuple(sorted(reading.items())), how)
    if len(others) != 1:
        return []
    [(items, how)] = others.items()
    printed = " ".join(c.text.strip() or "_" for c in cells)
    return [
        Suggestion(
            scope=f"{spec.kind.value}.{row.key}.{name}",
            value=value,
            because=f"the row ({printed}) sums to its total if read {how} (a merged "
            "or missing cell may have shifted it); read under its headers it does not",
        )
        for name, value in items
        if value is not None and value != read.get(name)
    ]


def _balances(reading: Reading) -> bool:
    total = reading.get(TOTAL)
    if total is None:
        return False
    parts = [v or 0 for k, v in reading.items() if k != TOTAL]
    return sum(parts) == total and any(v is not None for v in reading.values())


def _cycle(fields: tuple[str, ...]) -> list[str]:
    # Every figure is read as a count or an amount of its position's kind; extra
    # figures beyond the fields are read like the last one.
    return [*fields, *[fields[-1]] * 8]
