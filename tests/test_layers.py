"""Layers go one way: flows → extractors; the library never imports Prefect.

Inside flows/, the top level is the CLI and the Prefect flows; ``flows/views`` (pages and
spreadsheets for people) and ``flows/store`` (the database) sit under it and never import
Prefect or the top level, so they run wherever the library does.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

MAX_MODULE_LINES = 800


def _modules(path: Path) -> set[str]:
    """Every module a file imports, by its full dotted name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _imports(path: Path) -> set[str]:
    return {name.split(".")[0] for name in _modules(path)}


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


def test_views_and_store_import_no_prefect_nor_the_flows_above_them() -> None:
    top = {f"flows.{p.stem}" for p in (ROOT / "flows").glob("*.py")} - {
        "flows.__init__"
    }
    assert {"flows.cli", "flows.extract", "flows.load"} <= top
    modules = [
        *(ROOT / "flows" / "views").rglob("*.py"),
        *(ROOT / "flows" / "store").rglob("*.py"),
    ]
    assert len(modules) >= 10
    offenders = {
        m.relative_to(ROOT).as_posix(): sorted(bad)
        for m in modules
        if (
            bad := {
                name
                for name in _modules(m)
                if name.split(".")[0] == "prefect" or name in top or name == "flows"
            }
        )
    }
    assert offenders == {}


def test_views_never_read_the_store() -> None:
    # Views are made from report JSONs; the store takes only labels from the views.
    views = list((ROOT / "flows" / "views").rglob("*.py"))
    assert views
    readers = [
        v.name for v in views if any(n.startswith("flows.store") for n in _modules(v))
    ]
    assert readers == []
    store = list((ROOT / "flows" / "store").rglob("*.py"))
    borrowed = {n for m in store for n in _modules(m) if n.startswith("flows.views")}
    assert borrowed == {"flows.views.labels"}


def test_the_store_loads_without_the_page_machinery() -> None:
    # The store borrows views/labels.py only; `nianbao load` and notebooks that open a
    # store should not pay for Jinja2, openpyxl and the extraction pipeline.
    probe = (
        "import sys, flows.store; "
        "print(sorted({'jinja2', 'openpyxl', 'extractors.batch'} & set(sys.modules)))"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip() == "[]"
