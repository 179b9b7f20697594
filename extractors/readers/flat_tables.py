"""The three statistics tables inside flattened page text, back as grids.

An archived page prints a table as its header words, then each row's label glued to its
figures: `规章000规范性文件898989第二十条第（五）项信息内容…行政许可3960181…`. A table
starts at the words that open it (specs.KIND_STARTS; table 4 at its header words); a row
is the longest tail of the text before a run of figures that names a template row exactly
(the mapper's ``match_row``), the words before it are group labels or header; the run is
split into the row's fields by :mod:`extractors.readers.flat_split`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from extractors.checks import consistency_equations
from extractors.document import ReaderWarning, Table, TableCell, spanless_table
from extractors.readers.flat_joint import split_runs
from extractors.readers.flat_split import RunSplit, Slot, SplitStatus
from extractors.template.mapper import Label, match_row
from extractors.template.rows import LOW_CONFIDENCE
from extractors.template.specs import (
    ACTIVE_FIELD_LABELS,
    KIND_MARKERS,
    KIND_STARTS,
    SPECS,
    RowSpec,
    TableKind,
    TableSpec,
    TemplateVersion,
)
from extractors.textnorm import label_key, label_words
from extractors.values import ValueKind

# A value run: figures, the spaces between them, 增/减 signs and a trailing 元 unit.
_RUN = re.compile(r"[增减+\-]?\d(?:[\d.]|\s+(?=[\d增减])|[增减+\-](?=\d))*(?:万元|元)?")
# The next row's numbering glued to a run: `…00000002.其他法律…` (the template numbers
# sub-rows 1.–8., so one digit).
_GLUED_NUMBER = re.compile(r"(\d)[.．、]$")
_GROUP_NUMBER = re.compile(
    r"[（(][一二三四五六七八九十]+[)）]|[一二三四五六七八九十]+、"
)
_SUB_TABLE = re.compile(
    r"第[一二三四五六七八九十]+条第[（(][一二三四五六七八九十]+[)）]项"
)
# Characters a printed label may carry between the characters of its plain form.
_LOOSE_GAP = r"[\s（）()“”\"、，,.．:：/／·]*"
# Confidence of a cell several splits of its run read differently (below the mapper's
# LOW_CONFIDENCE, so it is flagged and its alternatives become suggestions).
AMBIGUOUS_CONFIDENCE = round(LOW_CONFIDENCE / 2, 2)


@dataclass
class FlatRow:
    """One printed row: the words before its figures, its labels and its run."""

    header: str
    groups: list[str]
    label: str
    row: RowSpec | None
    run: str


@dataclass
class FlatTable:
    """A table found in the text: where it lies and what it holds."""

    kind: TableKind
    spec: TableSpec
    start: int
    end: int
    rows: list[FlatRow] = field(default_factory=list)
    splits: list[RunSplit] = field(default_factory=list)


def loose(words: str) -> re.Pattern[str]:
    """A pattern for a label's plain form as printed: brackets, punctuation or spaces
    may stand between its characters (第二十条第一项 ~ 第二十条第（一）项)."""
    return re.compile(_LOOSE_GAP.join(re.escape(c) for c in words))


def find_tables(text: str) -> list[FlatTable]:
    """The statistics tables in a flattened text, in order, rows split into cells."""
    starts = _table_starts(text)
    tables: list[FlatTable] = []
    for i, (kind, start) in enumerate(starts):
        limit = starts[i + 1][1] if i + 1 < len(starts) else len(text)
        spec = _spec_for(kind, text[start:limit], tables)
        table = FlatTable(kind, spec, start, start)
        _read_rows(text, limit, table)
        if table.rows:
            tables.append(table)
    equations = consistency_equations(
        r.key for t in tables if t.kind is TableKind.REQUESTS for r in t.spec.rows
    )
    runs = [(row.run, _slots(t.spec, row)) for t in tables for row in t.rows]
    splits = iter(split_runs(runs, equations))
    for table in tables:
        table.splits = [next(splits) for _ in table.rows]
    return tables


def _table_starts(text: str) -> list[tuple[TableKind, int]]:
    starts: list[tuple[TableKind, int]] = []
    position = 0
    for kind in TableKind:
        found = _start_of(kind, text, position)
        if found is not None:
            starts.append((kind, found))
            position = found + 1
    return starts


def _start_of(kind: TableKind, text: str, after: int) -> int | None:
    if kind is TableKind.REVIEW_LITIGATION:
        # Its opening word (行政复议) is in the section heading too: anchor on the
        # first column label, then take in the header words printed before it.
        spec = SPECS[kind][TemplateVersion.V2019]
        anchor = loose(spec.columns[0].labels[0]).search(text, after)
        if anchor is None:
            return None
        words = {*spec.markers, *(lab for r in spec.rows for lab in r.labels)}
        start = anchor.start()
        moved = True
        while moved:
            moved = False
            for word in words:
                if text[:start].rstrip().endswith(word):
                    start = len(text[:start].rstrip()) - len(word)
                    moved = True
        return start
    hits = [m.start() for w in KIND_STARTS[kind] if (m := loose(w).search(text, after))]
    if not hits:
        return None
    start = min(hits)
    # Table 3 opens inside its bracketed note: （本列数据的勾稽关系为：…）.
    return start - 1 if start > after and text[start - 1] in "（(" else start


def _spec_for(kind: TableKind, region: str, found: list[FlatTable]) -> TableSpec:
    versions = SPECS[kind]
    follows = versions[TemplateVersion.V2019].template_follows
    if follows is not None:
        known = {t.kind: t.spec.template for t in found}
        return versions[known.get(follows, TemplateVersion.V2019)]
    words = label_words(region)
    score = {v: sum(m in words for m in s.markers) for v, s in versions.items()}
    best = max(score, key=lambda v: (score[v], v is TemplateVersion.V2019))
    return versions[best]


def _read_rows(text: str, limit: int, table: FlatTable) -> None:
    """Rows from the table's start until a text before figures names no row."""
    position = table.start
    previous: str | None = None
    groups: list[str] = []
    for match in _RUN.finditer(text, table.start, limit):
        if match.start() < position:
            continue
        if _GLUED_NUMBER.fullmatch(match.group()):
            continue  # a row's own numbering (`1.属于…`), not figures
        before = text[position : match.start()]
        run, glued = _unglue(match.group(), text, match.end())
        header, found_groups, label, row = _row_label(
            table.spec, before, groups, previous
        )
        if row is None:
            wide = table.kind is TableKind.REVIEW_LITIGATION and not table.rows
            if not wide:
                break
            header, label = before, ""
        empty: list[FlatRow] = []
        while row is not None and header.strip():
            # A row printed with no figures: its label runs into the next one's.
            found = _row_label(table.spec, header, groups, previous)
            if found[3] is None:
                break
            empty.insert(0, FlatRow(*found, run=""))
            header = found[0]
        if empty:
            empty[0].header, empty[-1].header = header, ""
            header = ""
        groups = found_groups or groups
        previous = row.key if row else previous
        table.rows.extend(empty)
        table.rows.append(FlatRow(header, found_groups, label, row, run))
        position = match.end() - len(glued)
        table.end = position
        if row is None:
            break  # table 4 printed wide: one row of all three groups


def _unglue(run: str, text: str, end: int) -> tuple[str, str]:
    """Split off the next row's numbering glued to the end of a run."""
    glued = _GLUED_NUMBER.search(run)
    if glued and end < len(text) and not text[end].isdigit():
        return run[: glued.start(1)], glued.group()
    return run, ""


def _row_label(
    spec: TableSpec, before: str, groups: list[str], previous: str | None
) -> tuple[str, list[str], str, RowSpec | None]:
    """The longest tail of ``before`` that names a row exactly, and the words before it."""
    context = tuple(Label.of(g).key for g in groups)
    for i in range(len(before)):
        tail = before[i:]
        if not tail.strip() or tail[0].isspace():
            continue
        if tail[0] in "（(" and not _GROUP_NUMBER.match(tail):
            continue  # a bracketed note (（单位：万元）) ends the header, not a label
        lead_groups = _groups(before[:i])
        label = Label.of(tail)
        row = match_row(
            spec,
            [label],
            context + tuple(Label.of(g).key for g in lead_groups),
            previous,
        )
        if row is not None and (label.key in row.labels or label.words in row.labels):
            header = before[:i]
            named = [g for g in lead_groups if g]
            if named:
                header = header[: header.find(named[0])]
            return header, named, tail.strip(), row
    return before, [], "", None


def _groups(lead: str) -> list[str]:
    """Group labels (（三）不予公开, 三、本年度办理结果) ending the words before a row:
    each numbered piece after the header; a sub-table's 第二十条第（五）项 is no group."""
    inside = [m.span() for m in _SUB_TABLE.finditer(lead)]
    marks = [
        m.start()
        for m in _GROUP_NUMBER.finditer(lead)
        if not any(a <= m.start() < b for a, b in inside)
    ]
    pieces = [*marks, len(lead)]
    return [lead[a:b].strip() for a, b in pairwise(pieces)]


def _slots(spec: TableSpec, row: FlatRow) -> list[Slot]:
    if row.row is None:  # table 4 wide: three groups of five
        return [
            Slot((spec.kind.value, group.key, name), ValueKind.COUNT)
            for group in spec.rows
            for name in spec.fields_of(group)
        ]
    return [
        Slot(
            (spec.kind.value, row.row.key, name),
            spec.field_kinds.get(name, ValueKind.COUNT),
        )
        for name in spec.fields_of(row.row)
    ]


def to_grid(table: FlatTable, order: int) -> tuple[Table, list[ReaderWarning]]:
    """The table as a span-less grid: header rows with the template's column labels,
    then each row's labels and cells (alternatives and low confidence where a run
    splits several ways)."""
    rows: list[list[TableCell]] = []
    warnings: list[ReaderWarning] = []
    for flat, split in zip(table.rows, table.splits, strict=True):
        rows.extend(_header_rows(table.spec, flat))
        cells = [
            TableCell(row=0, col=0, text=t) for t in (*flat.groups, flat.label) if t
        ]
        for i, text in enumerate(split.cells):
            others = list(split.alternatives[i]) if split.alternatives else []
            cells.append(
                TableCell(
                    row=0,
                    col=0,
                    text=text,
                    confidence=AMBIGUOUS_CONFIDENCE if others else None,
                    alternatives=others,
                )
            )
        rows.append(cells)
        if split.status is SplitStatus.NONE:
            where = flat.label or table.kind.value
            warnings.append(
                ReaderWarning(
                    code="flat_run_inconsistent",
                    message=f"no split of {split.raw.strip()!r} ({where}) satisfies the "
                    f"template's equations; read as {' / '.join(split.cells)}",
                )
            )
    return spanless_table(rows, order, "flat-text"), warnings


def _header_rows(spec: TableSpec, row: FlatRow) -> list[list[TableCell]]:
    text = row.header.strip()
    if not text:
        return []
    out: list[list[TableCell]] = []
    sub = _SUB_TABLE.search(text)
    if sub:
        out.append([_header(sub.group())])
        text = text[sub.end() :].strip()
    names = [c.labels[0] for c in spec.columns]
    first = loose(names[0]).search(text) if names else None
    lead = text[: first.start()] if first else text
    if row.row is None:  # table 4 wide: its group words, then 3 x 5 field labels
        return [*out, [_header(lead)], [_header(n) for _ in spec.rows for n in names]]
    if not names:  # table 2: each sub-table prints its own field headers
        return [*out, [_header(p) for p in _field_headers(text, spec, row.row)]]
    return [*out, [_header(lead), *(_header(n) for n in names)]]


def _field_headers(text: str, spec: TableSpec, row: RowSpec) -> list[str]:
    """Table 2's printed header cut at each field's words (本年处理决定数量, 采购总金额)."""
    fields = spec.fields_of(row)
    ends: list[int] = []
    starts: list[int] = []
    position = 0
    for name in fields:
        # The plain form: 金额 of 金额（万元） matches 采购总金额 and 本年收费金额（单位：万元）.
        found = loose(label_key(ACTIVE_FIELD_LABELS[name])).search(text, position)
        if found is None:
            return [text, *(ACTIVE_FIELD_LABELS[f] for f in fields)]
        starts.append(found.start())
        ends.append(found.end())
        position = found.end()
    ends[-1] = len(text)
    lead_end = starts[0]
    for word in KIND_MARKERS[spec.kind]:
        if text.startswith(word):
            lead_end = len(word)
    bounds = [lead_end, *ends[:-1]]
    return [text[:lead_end], *(text[a:b] for a, b in zip(bounds, ends, strict=True))]


def _header(text: str) -> TableCell:
    return TableCell(row=0, col=0, text=text.strip(), header=True)
