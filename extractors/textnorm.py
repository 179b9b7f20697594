"""Text folding shared by every stage that compares Chinese labels or headings."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# Scrape artifacts that stand for lost spaces (`一、总体公开情况?`) and invisible marks.
_ARTIFACTS = re.compile(r"[?？\u200b\u200c\u200d\u2060\ufeff]")
_SPACE = re.compile(r"[\s\u3000\xa0]+")
_PUNCT = re.compile(
    r"[\"'“”‘’《》〈〉「」『』【】\[\]<>:：;；,，。.、!！/／\\|·•…\-—_~*#]"
)
_PAREN_NOTE = re.compile(r"[(（][^()（）]*[)）]")
_NUMERALS = "一二三四五六七八九十"
# Numbering of headings and table labels: 一、 第一、 （一） (一) 1. 1、 1） 一是
NUMBERING = re.compile(
    rf"^(?:第?[{_NUMERALS}]+[、.,，．]"
    rf"|[(（][{_NUMERALS}\d]+[)）][、.．]?"
    rf"|\d+[.、．)）](?!\d)"
    rf"|[{_NUMERALS}]+是)"
)


def has_cjk(text: str) -> bool:
    """Whether the text contains a Chinese character."""
    return bool(_CJK.search(text))


def clean_text(text: str) -> str:
    """Text as printed, less artifacts: `?` scrape marks, zero-width and doubled spaces."""
    text = _ARTIFACTS.sub("", text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Comparison form: NFKC, no artifacts, no whitespace."""
    text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", _ARTIFACTS.sub("", text))


@lru_cache(maxsize=65536)
def split_numbering(text: str) -> tuple[str, str]:
    """Split a leading numbering (`（一）`, `1.`, `一是`) from the rest of a folded text."""
    folded = fold(text)
    match = NUMBERING.match(folded)
    if not match:
        return "", folded
    return match.group(), folded[match.end() :]


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """A table label reduced to its words: no numbering, notes in brackets or punctuation."""
    _number, rest = split_numbering(text)
    rest = _PAREN_NOTE.sub("", rest)
    return _PUNCT.sub("", rest)


@lru_cache(maxsize=65536)
def label_words(text: str) -> str:
    """Like :func:`label_key` but keeping bracketed words: 行政诉讼（复议后起诉） names its
    row inside the brackets."""
    _number, rest = split_numbering(text)
    return _PUNCT.sub("", rest).replace("(", "").replace(")", "")


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two labels.

    rapidfuzz's C implementation: the row aligner compares every printed label with
    every template label, and in pure Python that cost ~0.3 s a document in a fresh
    guard child (whose caches start cold).
    """
    return int(Levenshtein.distance(a, b))
