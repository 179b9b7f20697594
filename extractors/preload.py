"""Imported once by the guard's fork server so every child starts warm.

jieba builds its dictionary on first use (~0.4 s); doing it here, before the server forks,
saves that in every document's child process.
"""

from extractors.headings import classify_heading
from extractors.pipeline import build_report as build_report

classify_heading("一、总体情况", 1)
