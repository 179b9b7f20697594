"""Check S2 (TEMPLATE.md §4): one issuer's report against its report of the year before.

These checks need two documents, so they are not part of a report's own JSON (whose
content depends on its file alone, which is what makes it cacheable by sha256). The
store runs them when both years are loaded (``flows/store.py``).
"""

from __future__ import annotations

import re

from extractors.checks import REQUEST_FIELDS
from extractors.report import Check, CheckStatus, TableValues

Tables = dict[str, TableValues]

# 2021-format rows of table 2 whose stock of documents in force carries over.
IN_FORCE_ROWS = ("rules", "normative_documents")
_SPACE = re.compile(r"\s+")


def issuer_key(issuer: str | None) -> str | None:
    """The issuer's name as the store matches years on (spaces dropped), or None."""
    if not issuer:
        return None
    key = _SPACE.sub("", issuer)
    return key or None


def cross_year_checks(
    current: Tables, previous: Tables, previous_label: str
) -> list[Check]:
    """S2 checks of a year-N report against the same issuer's year-N−1 report.

    Args:
        current: year N's canonical tables by name (``requests``, ``active_disclosure``).
        previous: year N−1's, the same way.
        previous_label: names the previous document in messages (its file or sha256).

    Returns:
        Per column of table 3, ``carried_over`` (N) against ``carried_to_next_year``
        (N−1), blanks as 0; and, where both years print the 2021 table 2, ``in_force``
        (N) against ``in_force`` (N−1) + ``issued`` − ``repealed`` (N). A row missing
        in either year gives one ``skipped`` check.
    """
    checks = _carried_over(current, previous, previous_label)
    checks.extend(_in_force(current, previous, previous_label))
    return checks


def _carried_over(current: Tables, previous: Tables, label: str) -> list[Check]:
    carried = current.get("requests", {}).get("carried_over")
    left = previous.get("requests", {}).get("carried_to_next_year")
    if carried is None or left is None:
        return [
            Check(
                rule="S2",
                scope="requests.carried_over",
                status=CheckStatus.SKIPPED,
                message=f"carried-over row missing in this year or in {label}",
            )
        ]
    checks = []
    for column in REQUEST_FIELDS:
        if column not in carried and column not in left:
            continue
        expected = left.get(column) or 0
        actual = carried.get(column) or 0
        checks.append(
            Check(
                rule="S2",
                scope=f"requests.carried_over.{column}",
                status=CheckStatus.PASS if expected == actual else CheckStatus.FAIL,
                expected=expected,
                actual=actual,
                message=f"carried over {actual} vs {expected} carried to next year "
                f"in the previous year's report ({label})",
            )
        )
    return checks


def _in_force(current: Tables, previous: Tables, label: str) -> list[Check]:
    checks = []
    for row in IN_FORCE_ROWS:
        now = current.get("active_disclosure", {}).get(row, {})
        before = previous.get("active_disclosure", {}).get(row, {})
        if "in_force" not in now or "in_force" not in before or "issued" not in now:
            continue  # not both on the 2021 table 2: nothing carries over
        expected = (
            (before.get("in_force") or 0)
            + (now.get("issued") or 0)
            - (now.get("repealed") or 0)
        )
        actual = now.get("in_force") or 0
        checks.append(
            Check(
                rule="S2",
                scope=f"active_disclosure.{row}.in_force",
                status=CheckStatus.PASS if expected == actual else CheckStatus.FAIL,
                expected=expected,
                actual=actual,
                message=f"in force {actual} vs {expected} = previous in force + issued "
                f"− repealed ({label})",
            )
        )
    return checks
