"""Printed labels against the template's words: one similarity for rows and columns.

A label names a template row or column when it equals one of its synonyms, contains one
(extra words), is contained in one (truncated), or, failing that, is a few characters off
one (misprinted, characters dropped or swapped, OCR misreads). Only the first three are
full confidence; the last is reported wherever it decides something.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from extractors.document import TableCell
from extractors.textnorm import edit_distance, has_cjk, label_key, label_words
from extractors.values import is_value_text

# Synonyms shorter than this are only matched whole (`其他` must not match `其他处理`).
MIN_PARTIAL_LABEL = 4
# A label this close to a synonym (1 - edits / longer length) may name it when nothing
# matches better: `其他法律行政止公开` is 0.75 of `其他法律行政法规禁止公开`, a label with
# three of eight characters dropped 0.62. Labels of unrelated rows score below 0.5.
MIN_NEAR_SIMILARITY = 0.5
# Full-confidence scores: equal, containing a synonym (extra words), truncated.
EXACT = 1.0
CONTAINS = 0.95
TRUNCATED = 0.9
# A near match never outranks a full-confidence one.
NEAR_WEIGHT = 0.8


@dataclass(frozen=True)
class Label:
    """A label's two comparison forms: without and with its bracketed words."""

    key: str
    words: str

    @classmethod
    def of(cls, text: str) -> Label:
        """Both forms of a printed label."""
        return cls(label_key(text), label_words(text))


def is_label(cell: TableCell) -> bool:
    """Whether a cell is a label: Chinese text that does not read as a figure."""
    return _is_label_text(cell.text)


@lru_cache(maxsize=65536)
def _is_label_text(text: str) -> bool:
    return has_cjk(text) and not is_value_text(text)


def exact_score(key: str, synonym: str) -> int:
    """3 equal, 2 containing the synonym, 1 truncated from it, 0 otherwise."""
    if key == synonym:
        return 3
    if len(synonym) >= MIN_PARTIAL_LABEL and synonym in key:
        return 2
    if len(key) >= MIN_PARTIAL_LABEL and key in synonym:
        return 1
    return 0


@lru_cache(maxsize=65536)
def similarity(label: Label, synonyms: tuple[str, ...]) -> float:
    """How well a label names a row or column with these synonyms, 0..1.

    Args:
        label: the printed label in both comparison forms.
        synonyms: the template's words for the row or column (label_key form or printed).

    Returns:
        1.0 equal, 0.95 containing a synonym, 0.9 truncated from one (full confidence);
        below 0.8 a near match weighted by its edit distance; 0 for no match.
    """
    best = 0.0
    for printed in synonyms:
        synonym = label_key(printed)
        for form in (label.key, label.words):
            best = max(
                best, (0.0, TRUNCATED, CONTAINS, EXACT)[exact_score(form, synonym)]
            )
        if best >= TRUNCATED:
            continue
        best = max(best, near_similarity(label.key, synonym))
    return best


def near_similarity(key: str, synonym: str) -> float:
    """A weighted edit-distance similarity, 0 below MIN_NEAR_SIMILARITY or for short
    words (a two-character label is either right or another row's)."""
    if min(len(key), len(synonym)) < MIN_PARTIAL_LABEL - 1:
        return 0.0
    ratio = 1 - edit_distance(key, synonym) / max(len(key), len(synonym))
    return ratio * NEAR_WEIGHT if ratio >= MIN_NEAR_SIMILARITY else 0.0


def is_full_confidence(score: float) -> bool:
    """Whether a similarity is equal, containing or truncated, not a near match."""
    return score >= TRUNCATED
