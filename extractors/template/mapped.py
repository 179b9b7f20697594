"""What the mapper found, and a grid row split into labels and values."""

from __future__ import annotations

from dataclasses import dataclass, field

from extractors.document import Table, TableCell
from extractors.report import CellRecord, Finding, Suggestion, TableValues
from extractors.template.labels import Label, is_label
from extractors.template.specs import TableKind, TemplateVersion


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
