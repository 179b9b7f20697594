"""Check S2 (TEMPLATE.md §4): one issuer's report against its report of the year before.

These checks need two documents, so they are not part of a report's own JSON (whose
content depends on its file alone, which is what makes it cacheable by sha256). The
store runs them when both years are loaded (``flows/store/load.py``).
"""

from __future__ import annotations

from extractors.checks import REQUEST_FIELDS
from extractors.metadata import administrative_units, region_of
from extractors.report import Check, CheckStatus, TableValues
from extractors.textnorm import fold

Tables = dict[str, TableValues]

# 2021-format rows of table 2 whose stock of documents in force carries over.
IN_FORCE_ROWS = ("rules", "normative_documents")
# Spellings of one organ: 鞍山市政府 and 鞍山市人民政府 are the same issuer.
ORGAN_SYNONYMS = (("人民政府", "政府"),)
# A department named by its level alone (市教育局) drops it; its region says where.
_LEVEL_CHARS = "省市区县旗州"


def issuer_key(issuer: str | None, region: str | None = None) -> str | None:
    """The key the store pairs one issuer's years on: region and organ, normalized.

    The organ is the issuer's name after its place, with synonyms folded, so
    鞍山市政府 (2019) and 鞍山市人民政府 (2020) pair, as do 江苏省淮安市洪泽区人民政府
    and 洪泽区人民政府, and 市教育局 (region 淮安市) with 淮安市教育局.

    Args:
        issuer: the issuer as the report names it.
        region: the report's region; when None, the issuer's own (region_of).

    Returns:
        ``"region/organ"``, or the normalized name when no region is known; None
        without an issuer.
    """
    if not issuer:
        return None
    name = fold(issuer)
    units = administrative_units(name)
    if units:
        # Text before the place stays part of the organ (国家税务总局淮安市税务局).
        start = name.index(units[0])
        end = name.index(units[-1], start) + len(units[-1])
        organ = name[:start] + name[end:]
    else:
        organ = name.lstrip(_LEVEL_CHARS) if region else name
    for spelling, canonical in ORGAN_SYNONYMS:
        organ = organ.replace(spelling, canonical)
    place = region or region_of(name)
    key = f"{place}/{organ}" if place else organ
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
