"""The scraped-text reader: pipe rows broken across lines, artifacts, encodings."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SAMPLES
from flat_factory import plausible, to_aligned, to_flat
from hypothesis import given, settings
from hypothesis import strategies as st
from report_factory import make_report, to_text

from extractors.document import InputFormat
from extractors.readers import read_document
from extractors.readers.text import split_pipe_row

CELL = st.text(
    alphabet=st.sampled_from(list("0123456789?增减规章行政许可总计（）、. ")),
    max_size=8,
).map(str.strip)


def render(rows: list[list[str]], breaks: list[bool]) -> str:
    """Pipe rows the way the scraper writes them: a cell break is newline + indent."""
    lines = []
    for row, broken in zip(rows, breaks, strict=False):
        joiner = " \n              | " if broken else " | "
        lines.append("| " + joiner.join(row) + " |")
    return "\n".join(lines) + "\n"


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=6),
    breaks=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_broken_pipe_rows_read_back(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], breaks: list[bool]
) -> None:
    path = tmp_path_factory.mktemp("t") / "t.txt"
    path.write_text("标题\n" + render(rows, breaks), encoding="utf-8")
    document = read_document(path)
    (table,) = document.tables
    expected = [split_pipe_row("| " + " | ".join(r) + " |") for r in rows]
    grid = [[c for c in row] for row in table.grid()]
    assert [r[: len(e)] for r, e in zip(grid, expected, strict=True)] == expected
    assert all(not any(r[len(e) :]) for r, e in zip(grid, expected, strict=True))


@settings(max_examples=80, deadline=None)
@given(st.text(max_size=400))
def test_any_text_reads_without_crashing(
    tmp_path_factory: pytest.TempPathFactory, text: str
) -> None:
    path = tmp_path_factory.mktemp("t") / "t.txt"
    data = text.encode("utf-8", errors="replace")
    if not data.strip():
        return
    path.write_bytes(data)
    try:
        document = read_document(path)
    except Exception as exc:  # only load errors are allowed, never a crash
        assert type(exc).__name__ == "DocumentLoadError"
        return
    assert document.source.format in (InputFormat.TEXT, InputFormat.HTML)


def test_sample_rows_and_continuations() -> None:
    document = read_document(SAMPLES / "000_e67d0018f5985882.txt")
    assert [t.n_rows for t in document.tables] == [18, 26, 4]
    requests = document.tables[1].grid()
    assert requests[3][:3] == ["一、本年新收政府信息公开申请数量", "144", "?1"]
    assert all(not t.spans_known for t in document.tables)
    assert document.blocks[1].text == "一、总体公开情况?"


def test_split_pipe_row_drops_padding_only() -> None:
    assert split_pipe_row("| a | | b | ||") == ["a", "", "b"]
    assert split_pipe_row("| ? | 3") == ["?", "3"]


def test_gb18030_text_with_a_rare_character(tmp_path: Path) -> None:
    path = tmp_path / "gb.txt"
    path.write_bytes("一、总体情况\n䶮字在GB18030里。\n".encode("gb18030"))
    document = read_document(path)
    assert document.blocks[1].text == "䶮字在GB18030里。"


@pytest.mark.parametrize(
    ("render", "engine"),
    [
        ("pipe", "text"),
        ("flat", "flat-text"),
        ("aligned", "text-layout"),
    ],
)
def test_each_kind_of_text_goes_to_its_reader(
    tmp_path: Path, render: str, engine: str
) -> None:
    made = plausible(make_report("2021", "2021", seed=2), 2)
    text = {"pipe": to_text, "flat": to_flat, "aligned": to_aligned}[render](made)
    path = tmp_path / "r.txt"
    path.write_text(text, encoding="utf-8")
    document = read_document(path)
    assert {t.engine for t in document.tables} == {engine}
    assert len(document.tables) == 3


def test_prose_without_tables_stays_lines(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    path.write_text(
        "一、总体情况\n全年主动公开信息  1200条。\n二、其他\n无。\n", "utf-8"
    )
    document = read_document(path)
    # One line with a wide gap is no table.
    assert [b.text for b in document.blocks] == [
        "一、总体情况",
        "全年主动公开信息  1200条。",
        "二、其他",
        "无。",
    ]
    assert document.tables == []
