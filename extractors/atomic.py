"""Files written whole or not at all, with the permissions the umask allows.

Every output goes through a temporary file in the same folder and a rename: a run that
is killed leaves the old file or the new one, never half of one, and a reader never
sees a partial JSON.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def write_json_atomic(target: Path, payload: object) -> None:
    """Write JSON via a temporary file and a rename, so readers never see half a file."""
    write_text_atomic(target, json.dumps(payload, ensure_ascii=False, indent=1))


def write_text_atomic(target: Path, text: str) -> None:
    """Write text via a temporary file and a rename (creating the folder)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        # mkstemp makes the file 0600; the output is for whoever the umask lets in.
        os.fchmod(fd, 0o666 & ~current_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def current_umask() -> int:
    """The process umask, read without changing it where the OS allows."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and restore (a moment's race is harmless)
    os.umask(mask)
    return mask


def remove_stale_temporaries(out_dir: Path) -> int:
    """Delete temporary files a killed run left behind; returns how many.

    A process killed between ``mkstemp`` and the rename leaves a ``.<name>.*.tmp``;
    the JSON it was for is untouched (old or absent), so the file is just litter.
    """
    removed = 0
    for tmp in out_dir.rglob(".*.tmp"):
        tmp.unlink(missing_ok=True)
        removed += 1
    return removed
