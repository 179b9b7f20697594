"""Consistency checks (TEMPLATE.md §4): findings about the report, never changes to it.

R1–R4 are equations between printed cells: the sum of one side against the sum of the
other, blank cells counting as 0. S1 compares figures stated in the narrative with the
table. A check over cells nobody read (their row or column was not found), or whose cells
are all blank, is ``skipped`` with the reason: 0 = 0 over nothing read is no pass. When exactly one cell of a failing equation was unreadable, the equation fixes its
value, which is proposed in `suggestions` and never written into the figures.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from extractors.report import Check, CheckStatus, Rule, Suggestion, TableValues
from extractors.template.specs import REQUEST_COLUMNS, REVIEW_FIELDS, REVIEW_LITIGATION
from extractors.textnorm import fold

Term = tuple[str, str, str]  # (table, row, field)
Tables = dict[str, TableValues]

APPLICANT_COLUMNS = tuple(c.key for c in REQUEST_COLUMNS if c.key != "total")
REQUEST_FIELDS = tuple(c.key for c in REQUEST_COLUMNS)
# Result rows （一）…（六） are every row between the carried-over row and the total.
_NOT_RESULT_ROWS = {
    "new_received",
    "carried_over",
    "result_total",
    "carried_to_next_year",
}


@dataclass(frozen=True)
class Equation:
    """`sum(left) == sum(right)`, named by rule and scope."""

    rule: Rule
    scope: str
    left: tuple[Term, ...]
    right: tuple[Term, ...]
    description: str


@dataclass(frozen=True)
class NarrativeFigure:
    """A figure the narrative states, where to find it, and the table value it states."""

    scope: str
    pattern: re.Pattern[str]
    terms: tuple[Term, ...]
    description: str
    # Another sum the same phrase is also used for: some narratives count received
    # requests with last year's carried-over ones (收到申请X件，含上年结转Y件).
    also: tuple[Term, ...] = ()


# Phrasings seen in reports (folded: no spaces). Each captures the figure in group 1.
NARRATIVE_FIGURES: tuple[NarrativeFigure, ...] = (
    NarrativeFigure(
        "requests.new_received.total",
        re.compile(
            r"(?:收到|受理|新收|接收)(?:各类|各项)?"
            r"(?:(?:政府信息公开|信息公开|政务公开)申请|依申请公开(?:申请)?|公开申请|申请)"
            r"(?:事项)?(?:共计|共|总计|合计|数量为)?(\d+)件"
        ),
        (("requests", "new_received", "total"),),
        "requests received",
        also=(
            ("requests", "new_received", "total"),
            ("requests", "carried_over", "total"),
        ),
    ),
    NarrativeFigure(
        "requests.carried_over.total",
        re.compile(r"上一?年度?结转(?:的)?(?:政府信息公开)?申请(\d+)件"),
        (("requests", "carried_over", "total"),),
        "requests carried over from last year",
    ),
    NarrativeFigure(
        "requests.carried_to_next_year.total",
        re.compile(r"(\d+)件(?:申请)?(?:顺延|结转)(?:到|至)下一?年度"),
        (("requests", "carried_to_next_year", "total"),),
        "requests carried to next year",
    ),
    NarrativeFigure(
        "review_litigation.review.total",
        # Only reviews the text ties to disclosure; a body's other reviews are not table 4's.
        re.compile(r"政府信息公开(?:工作)?(?:被申请)?行政复议(?:案件)?(?:共)?(\d+)件"),
        (("review_litigation", "review", "total"),),
        "administrative reviews",
    ),
    NarrativeFigure(
        "review_litigation.litigation.total",
        re.compile(r"政府信息公开(?:工作)?(?:被提起)?行政诉讼(?:案件)?(?:共)?(\d+)件"),
        (
            ("review_litigation", "litigation_direct", "total"),
            ("review_litigation", "litigation_after_review", "total"),
        ),
        "administrative lawsuits",
    ),
)


def consistency_equations(requests_rows: Iterable[str]) -> list[Equation]:
    """R1–R4 for a table 3 with these row keys (2019 and 2021 differ in （六）)."""
    rows = list(requests_rows)
    results = [r for r in rows if r not in _NOT_RESULT_ROWS]
    equations = []
    for col in REQUEST_FIELDS:
        equations.append(
            Equation(
                "R1",
                f"requests.{col}",
                (("requests", "new_received", col), ("requests", "carried_over", col)),
                (
                    ("requests", "result_total", col),
                    ("requests", "carried_to_next_year", col),
                ),
                "new_received+carried_over vs result_total+carried_to_next_year",
            )
        )
    for col in REQUEST_FIELDS:
        equations.append(
            Equation(
                "R2",
                f"requests.{col}",
                tuple(("requests", r, col) for r in results),
                (("requests", "result_total", col),),
                "sum of result rows vs result_total",
            )
        )
    for row in rows:
        equations.append(
            Equation(
                "R3",
                f"requests.{row}",
                tuple(("requests", row, c) for c in APPLICANT_COLUMNS),
                (("requests", row, "total"),),
                "sum of applicant columns vs total",
            )
        )
    parts = tuple(f.key for f in REVIEW_FIELDS if f.key != "total")
    for group in REVIEW_LITIGATION.rows:
        equations.append(
            Equation(
                "R4",
                f"review_litigation.{group.key}",
                tuple(("review_litigation", group.key, p) for p in parts),
                (("review_litigation", group.key, "total"),),
                "maintained+corrected+other+pending vs total",
            )
        )
    return equations


def checked_cells(
    requests_rows: Iterable[str],
) -> dict[tuple[Rule, str], tuple[Term, ...]]:
    """The cells each check compares, by the (rule, scope) its :class:`Check` carries.

    Views mark these cells when a check fails, without knowing how checks are built.

    Args:
        requests_rows: the row keys of the report's table 3 (the 2019 and 2021
            formats differ in （六）).

    Returns:
        For R1–R4 both sides of the equation; for S1 the table cells the narrative
        figure is compared with. S2 (two reports) is not here.

    Example:
        >>> checked_cells(report.requests)[("R3", "requests.new_received")][-1]
        ('requests', 'new_received', 'total')
    """
    cells: dict[tuple[Rule, str], tuple[Term, ...]] = {}
    for eq in consistency_equations(requests_rows):
        cells[(eq.rule, eq.scope)] = (*eq.left, *eq.right)
    for figure in NARRATIVE_FIGURES:
        cells[("S1", figure.scope)] = figure.terms
    return cells


def check_report(
    tables: Tables,
    narrative: str,
    unreadable: Iterable[str] = (),
    missing: Iterable[str] = (),
) -> tuple[list[Check], list[Suggestion]]:
    """Run every applicable check.

    Args:
        tables: canonical values by table key (`requests`, `review_litigation`, …).
        narrative: the report's running text (for S1).
        unreadable: scopes (`requests.disclosed.total`) of cells that could not be read.
        missing: scopes of template cells nobody read; checks over them are skipped.

    Returns:
        One check per equation and narrative figure, and suggestions for unreadable
        cells that a failing equation determines.
    """
    unreadable_terms = {_term(s) for s in unreadable}
    missing_terms = {_term(s) for s in missing}
    checks: list[Check] = []
    proposed: dict[str, list[Suggestion]] = {}
    for eq in consistency_equations(tables.get("requests", {}).keys()):
        check = _check_equation(eq, tables, missing_terms)
        checks.append(check)
        if check.status is CheckStatus.FAIL:
            suggestion = _suggest(eq, tables, unreadable_terms)
            if suggestion is not None:
                proposed.setdefault(suggestion.scope, []).append(suggestion)
    checks.extend(check_narrative(tables, narrative, missing_terms))
    return checks, [_agreed(s) for s in proposed.values() if _agrees(s)]


def _agrees(suggestions: list[Suggestion]) -> bool:
    # Several equations may determine one cell; a value is proposed only if they agree.
    return len({s.value for s in suggestions}) == 1


def _agreed(suggestions: list[Suggestion]) -> Suggestion:
    first = suggestions[0]
    rules = "; ".join(s.because for s in suggestions)
    return Suggestion(scope=first.scope, value=first.value, because=rules)


def check_narrative(
    tables: Tables, narrative: str, missing: set[Term] | None = None
) -> list[Check]:
    """S1: each figure the narrative states against the table.

    Args:
        tables: canonical values by table key.
        narrative: the report's running text.
        missing: template cells nobody read; a figure over them is not compared.
    """
    text = fold(narrative)
    checks = []
    for figure in NARRATIVE_FIGURES:
        match = figure.pattern.search(text)
        table_value = _sum(figure.terms, tables)
        unread = _unread(figure.terms, tables, missing or set())
        if match is None or table_value is None or unread:
            if figure.scope == "requests.new_received.total":
                checks.append(
                    Check(
                        rule="S1",
                        scope=figure.scope,
                        status=CheckStatus.SKIPPED,
                        message="no figure stated in the text"
                        if match is None
                        else unread or "table not found",
                    )
                )
            continue
        stated = int(match.group(1))
        counted = {table_value, _sum(figure.also, tables) if figure.also else None}
        status = CheckStatus.PASS if stated in counted else CheckStatus.FAIL
        checks.append(
            Check(
                rule="S1",
                scope=figure.scope,
                status=status,
                expected=stated,
                actual=table_value,
                message=f"narrative states {stated} {figure.description} "
                f"({match.group(0)}), table says {table_value}",
            )
        )
    return checks


def _check_equation(eq: Equation, tables: Tables, missing: set[Term]) -> Check:
    left, right = _sum(eq.left, tables), _sum(eq.right, tables)
    unread = (
        "table or cells not found"
        if left is None or right is None
        else _unread((*eq.left, *eq.right), tables, missing)
    )
    if left is None or right is None or unread:
        return Check(
            rule=eq.rule,
            scope=eq.scope,
            status=CheckStatus.SKIPPED,
            message=f"{eq.description}: {unread}",
        )
    status = CheckStatus.PASS if abs(left - right) < 1e-6 else CheckStatus.FAIL
    return Check(
        rule=eq.rule,
        scope=eq.scope,
        status=status,
        expected=left,
        actual=right,
        message=f"{eq.description}: {_num(left)} vs {_num(right)}",
    )


def _sum(terms: Iterable[Term], tables: Tables) -> int | float | None:
    """Sum of the terms, blanks as 0; None when the table or every cell is absent."""
    total: int | float = 0
    present = False
    for table, row, field in terms:
        values = tables.get(table, {}).get(row)
        if values is None or field not in values:
            continue
        present = True
        total += values[field] or 0
    return total if present else None


def _unread(terms: Iterable[Term], tables: Tables, missing: set[Term]) -> str:
    """Why the terms cannot be checked (cells not read, or all blank), or ''."""
    terms = list(terms)
    lost = [t for t in terms if t in missing]
    if lost:
        return f"{len(lost)} cell(s) not read, e.g. {'.'.join(lost[0])}"
    values = [tables.get(t, {}).get(r, {}).get(f) for t, r, f in terms]
    if all(v is None for v in values):
        return "every cell is blank"
    return ""


def _suggest(eq: Equation, tables: Tables, unreadable: set[Term]) -> Suggestion | None:
    doubtful = [t for t in (*eq.left, *eq.right) if t in unreadable]
    if len(doubtful) != 1:
        return None
    missing = doubtful[0]
    left = _sum([t for t in eq.left if t != missing], tables) or 0
    right = _sum([t for t in eq.right if t != missing], tables) or 0
    value = right - left if missing in eq.left else left - right
    if value < 0:
        return None
    return Suggestion(
        scope=".".join(missing),
        value=value,
        because=f"{eq.rule} ({eq.description}) with all other cells read",
    )


def _term(scope: str) -> Term:
    table, rest = scope.split(".", 1)
    row, field = rest.rsplit(".", 1)
    return table, row, field


def _num(value: int | float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)
