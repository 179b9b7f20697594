"""Layers go one way: flows → extractors; the library never imports Prefect."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import ROOT

MAX_MODULE_LINES = 800


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_extractors_never_import_prefect_or_flows() -> None:
    modules = list((ROOT / "extractors").rglob("*.py"))
    assert modules
    offenders = [m.name for m in modules if _imports(m) & {"prefect", "flows"}]
    assert offenders == []


def test_modules_stay_small() -> None:
    long = [
        (p.relative_to(ROOT).as_posix(), n)
        for p in [*(ROOT / "extractors").rglob("*.py"), *(ROOT / "flows").rglob("*.py")]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    ]
    assert long == []
