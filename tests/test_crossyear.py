"""S2 pairs one issuer's reports across years by its normalized name and region, however
the title spells the issuer (鞍山市政府 / 鞍山市人民政府, 市教育局 / 淮安市教育局)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from markup_factory import html_bytes
from report_factory import following_year, make_report, to_text

from extractors.crossyear import issuer_key
from extractors.pipeline import extract
from flows.store import load_report, open_store


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("鞍山市政府", None), ("鞍山市人民政府", "鞍山市")),
        (("江苏省淮安市洪泽区人民政府", "洪泽区"), ("洪泽区人民政府", "洪泽区")),
        (("市教育局", "淮安市"), ("淮安市教育局", "淮安市")),
        (("淮安市人民政府办公室", "淮安市"), ("淮安市政府办公室", "淮安市")),
    ],
)
def test_spellings_of_one_issuer_share_a_key(
    one: tuple[str, str | None], other: tuple[str, str | None]
) -> None:
    assert issuer_key(*one) == issuer_key(*other) is not None


@pytest.mark.parametrize(
    ("one", "other"),
    [
        (("鞍山市人民政府", "鞍山市"), ("淮安市人民政府", "淮安市")),
        (("淮安市人民政府", "淮安市"), ("淮安市教育局", "淮安市")),
        (("淮安市人民政府", "淮安市"), ("淮安市人民政府办公室", "淮安市")),
        (("国家税务总局淮安市税务局", "淮安市"), ("淮安市财政局", "淮安市")),
        (("淮安市洪泽区人民政府", "洪泽区"), ("淮安市人民政府", "淮安市")),
    ],
)
def test_different_issuers_keep_different_keys(
    one: tuple[str, str | None], other: tuple[str, str | None]
) -> None:
    assert issuer_key(*one) != issuer_key(*other)


def test_no_issuer_no_key() -> None:
    assert issuer_key(None) is None
    assert issuer_key("", "淮安市") is None


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    store = open_store(f"duckdb:///{tmp_path / 'store.duckdb'}")
    yield store
    store.dispose()


def _s2_by_year(engine: sa.Engine) -> dict[tuple[str, int], set[str]]:
    query = (
        "SELECT d.issuer, d.year, c.status FROM checks c "
        "JOIN documents d ON d.sha256 = c.sha256 WHERE c.rule = 'S2'"
    )
    found: dict[tuple[str, int], set[str]] = {}
    with engine.connect() as conn:
        for issuer, year, status in conn.execute(sa.text(query)):
            found.setdefault((issuer, year), set()).add(status)
    return found


def test_store_pairs_years_whose_titles_spell_the_issuer_differently(
    engine: sa.Engine, tmp_path: Path
) -> None:
    anshan_2019 = make_report("2019", "2019", seed=31, issuer="鞍山市政府", year=2019)
    anshan_2020 = following_year(anshan_2019, 32, "2019", issuer="鞍山市人民政府")
    education_2022 = make_report(
        "2021", "2021", seed=33, issuer="淮安市教育局", year=2022
    )
    education_2023 = following_year(education_2022, 34, "2021", issuer="市教育局")
    education_2023.site = "淮安市人民政府"  # the city only in the page's title
    for row in ("rules", "normative_documents"):  # stock in force carried over too
        before, now = (
            education_2022.active_disclosure[row],
            education_2023.active_disclosure[row],
        )
        now["in_force"] = (
            int(before["in_force"] or 0)
            + int(now["issued"] or 0)
            - int(now["repealed"] or 0)
        )
    # Another city's government the year after: same organ, another region.
    huaian_2020 = make_report(
        "2019", "2019", seed=35, issuer="淮安市人民政府", year=2020
    )
    files = {
        "anshan-2019.txt": to_text(anshan_2019).encode(),
        "anshan-2020.txt": to_text(anshan_2020).encode(),
        "education-2022.txt": to_text(education_2022).encode(),
        "education-2023.html": html_bytes(education_2023, "utf-8"),
        "huaian-2020.txt": to_text(huaian_2020).encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
        load_report(engine, extract(tmp_path / name))
    # Each later year is compared with its predecessor, every carried-over figure equal;
    # the first years and the other city have no previous report to pair with.
    assert _s2_by_year(engine) == {
        ("鞍山市人民政府", 2020): {"pass"},
        ("市教育局", 2023): {"pass"},
    }
