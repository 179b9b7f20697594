from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extractors.values import ValueKind, is_value_text, normalize_value


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("144", ValueKind.COUNT, 144),
        ("?1", ValueKind.COUNT, 1),
        ("0?", ValueKind.COUNT, 0),
        ("１２３", ValueKind.COUNT, 123),
        ("1,234", ValueKind.COUNT, 1234),
        ("12件", ValueKind.COUNT, 12),
        ("3\u200b", ValueKind.COUNT, 3),
        ("增63", ValueKind.CHANGE, 63),
        ("减5", ValueKind.CHANGE, -5),
        ("持平", ValueKind.CHANGE, 0),
        ("0", ValueKind.CHANGE, 0),
        ("49050.9万元", ValueKind.AMOUNT, 49050.9),
        ("96171.6", ValueKind.AMOUNT, 96171.6),
    ],
)
def test_normalize_reads_printed_figures(
    raw: str, kind: ValueKind, value: float
) -> None:
    read = normalize_value(raw, kind)
    assert read.value == value
    assert read.raw == raw
    assert not read.unreadable


@pytest.mark.parametrize("raw", ["", "  ", "?", "/", "—", "-", "无", "／"])
def test_blank_and_markers_are_null_not_zero(raw: str) -> None:
    read = normalize_value(raw)
    assert read.value is None
    assert not read.unreadable
    assert read.raw == raw


def test_amount_in_yuan_is_converted_and_recorded() -> None:
    read = normalize_value("39400元", ValueKind.AMOUNT)
    assert read.value == 3.94
    assert read.note is not None and "元" in read.note


@pytest.mark.parametrize("raw", ["abc", "1O", "12.5"])
def test_unreadable_count_is_null_with_flag(raw: str) -> None:
    read = normalize_value(raw)
    assert read.value is None
    assert read.unreadable


def test_label_text_is_not_a_value() -> None:
    assert not is_value_text("行政许可")
    assert not is_value_text("（四）无")
    assert is_value_text("增63")
    assert is_value_text("无")


@given(st.integers(min_value=0, max_value=10**9))
def test_any_printed_count_reads_back(n: int) -> None:
    assert normalize_value(f"{n:,}").value == n
    assert normalize_value(f"?{n}?").value == n


@given(st.text(max_size=30))
def test_normalize_never_raises(raw: str) -> None:
    read = normalize_value(raw, ValueKind.CHANGE)
    assert read.raw == raw
    assert read.value is None or isinstance(read.value, int)
