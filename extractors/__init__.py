"""nianbao: government information-disclosure annual reports to canonical JSON.

The library is pure Python with no Prefect import; ``flows`` wraps it.
"""

import hashlib
from pathlib import Path

RELEASE = "0.1.0"


def source_digest(package: Path) -> str:
    """sha256 over a package's source files (names and bytes), in a stable order.

    Every stage and the template specs live under ``extractors/``, so any change to how
    a report is read changes this digest.
    """
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


PIPELINE_VERSION = f"{RELEASE}+{source_digest(Path(__file__).parent)[:12]}"
"""The release and a digest of the code: outputs of another version are redone."""
