"""Where each input's JSON goes: the input's path mirrored under the output folder.

``extract reports/ --out out/`` writes ``reports/anshan/2019.txt`` to
``out/anshan/2019.json``: the path relative to the folder given, with ``.json`` for its
extension. A file named on its own goes to its base name. Two inputs that would share a
name (two ``2019.txt`` named on their own, ``a.pdf`` beside ``a.txt``) never share a JSON:
files beside each other keep their extension (``a.pdf.json``), and any other claimant of
a taken name gets ``~2``, ``~3``… (``2019~2.json``). Names once given are remembered by the
output folder's outcome ledger, so the same input keeps its JSON across runs.
"""

from __future__ import annotations

import glob
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path, PurePosixPath

JSON_SUFFIX = ".json"


def relative_names(inputs: Iterable[Path], roots: Iterable[Path]) -> dict[Path, str]:
    """Each input's name relative to the folder it was found in (POSIX separators).

    Args:
        inputs: the files of a batch.
        roots: the folders (and files) the user gave; an input under one of these
            folders is named relative to it, any other input by its base name.

    Returns:
        ``anshan/2019.txt`` for ``reports/anshan/2019.txt`` found under ``reports``.
    """
    folders = sorted(
        (root.resolve() for root in roots if root.is_dir()),
        key=lambda p: len(p.parts),
        reverse=True,  # the innermost folder given names the file
    )
    names: dict[Path, str] = {}
    for path in inputs:
        resolved = path.absolute()
        name = path.name
        for folder in folders:
            if resolved.is_relative_to(folder):
                name = resolved.relative_to(folder).as_posix()
                break
        names[path] = name
    return names


def glob_root(pattern: str) -> Path:
    """The folder a glob pattern starts from: its leading parts without wildcards."""
    parts: list[str] = []
    for part in Path(pattern).parts:
        if glob.has_magic(part):
            break
        parts.append(part)
    return Path(*parts) if parts else Path(".")


def json_name(relative: str, keep_suffix: bool = False) -> str:
    """``anshan/2019.txt`` → ``anshan/2019.json`` (``anshan/2019.txt.json`` when kept)."""
    path = PurePosixPath(relative)
    base = path.name if keep_suffix or not path.suffix else path.stem
    return str(path.with_name(base + JSON_SUFFIX))


def plan_outputs(
    inputs: list[Path],
    relative: Mapping[Path, str],
    owners: Mapping[str, str],
    owner_of: Callable[[Path], str],
) -> dict[Path, str]:
    """A unique JSON path (relative to the output folder) for every input.

    Args:
        inputs: the files of a batch.
        relative: each input's name relative to its folder (:func:`relative_names`).
        owners: names already given in the output folder, with who owns each (from the
            outcome ledger): an input keeps its earlier name, and a name owned by
            another input is never reused.
        owner_of: who an input is: its absolute path for a folder the user keeps, its
            sha256 for an inbox (where next year's ``report.pdf`` is another document).

    Returns:
        The JSON path of each input, e.g. ``anshan/2019.json``.
    """
    wanted = {p: json_name(relative[p]) for p in inputs}
    crowded = Counter(wanted.values())
    taken = dict(owners)
    given = {owner: name for name, owner in owners.items()}
    plan: dict[Path, str] = {}
    for path in inputs:
        owner = owner_of(path)
        if owner in given:
            plan[path] = given[owner]
            continue
        name = wanted[path]
        if crowded[name] > 1:
            name = json_name(relative[path], keep_suffix=True)
        name = _free_name(name, owner, taken)
        taken[name] = owner
        given[owner] = name
        plan[path] = name
    return plan


def report_jsons(out_dir: Path) -> list[Path]:
    """The report JSON files under an output folder, in path order.

    Args:
        out_dir: an output folder of ``extract`` or ``backlog``.

    Returns:
        Every ``.json`` in it or its subfolders (the layout mirrors the input's),
        without the ledger's files (``_summary.json``, names starting with ``_``),
        temporaries (``.``-names) or anything under a hidden folder (``.bundles``).
    """
    return sorted(
        p
        for p in out_dir.rglob(f"*{JSON_SUFFIX}")
        if not p.name.startswith(("_", "."))
        and not any(part.startswith(".") for part in p.relative_to(out_dir).parts)
    )


def _free_name(name: str, owner: str, taken: Mapping[str, str]) -> str:
    path = PurePosixPath(name)
    candidate, number = name, 2
    while taken.get(candidate, owner) != owner:
        candidate = str(path.with_name(f"{path.stem}~{number}{path.suffix}"))
        number += 1
    return candidate
