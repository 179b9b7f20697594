"""Old Word reports (.doc, .wps, RTF, Word 2003 XML), converted to .docx by LibreOffice.

No maintained Python library reads Word 97–2003 tables with their merges; LibreOffice
does, so the file is converted headless into a temporary folder and read by
:class:`~extractors.readers.docx.DocxReader`.
"""

from __future__ import annotations

import atexit
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from extractors.document import Document, InputFormat
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.readers.base import Reader
from extractors.readers.docx import DocxReader
from extractors.readers.ole import OLE_MAGIC, refuse_ole

_log = logging.getLogger(__name__)

# Measured on the 2-core dev machine: the first file of a process takes ~1.6 s (the
# LibreOffice profile is built), later ones ~1 s. Two minutes leaves room for long
# reports on a loaded machine and still ends a hung conversion.
DEFAULT_CONVERT_TIMEOUT_S = 120.0
SOFFICE_NAMES = ("soffice", "libreoffice")
SOFFICE_PATHS = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)
_INSTALL_HINT = (
    "reading .doc files needs LibreOffice: install the Debian package "
    "libreoffice-writer (apt-get install libreoffice-writer)"
)
# One profile per process, reused across files (building one costs seconds); the lock
# keeps threads of a process from sharing it at once, which LibreOffice does not allow.
_PROFILE_LOCK = threading.Lock()
_profiles: dict[int, Path] = {}


class DocReader(Reader):
    """Reads .doc, WPS Office .wps, RTF and Word 2003 XML via LibreOffice's .docx."""

    formats = (InputFormat.DOC, InputFormat.RTF, InputFormat.WPS)
    timeout_s: float = DEFAULT_CONVERT_TIMEOUT_S
    soffice_names: tuple[str, ...] = SOFFICE_NAMES
    soffice_paths: tuple[str, ...] = SOFFICE_PATHS

    def read(self) -> Document:
        """Convert, then read the .docx.

        Returns:
            The document as :class:`DocxReader` reads the converted file.

        Raises:
            DocumentLoadError: ``encrypted`` for a password-protected file,
                ``missing_dependency`` when LibreOffice is not installed, ``timeout``
                when the conversion hangs, ``corrupt`` when it fails.
        """
        if self.data.startswith(OLE_MAGIC):
            refuse_ole(self.data)
        soffice = find_soffice(self.soffice_names, self.soffice_paths)
        if soffice is None:
            raise DocumentLoadError(ErrorCode.MISSING_DEPENDENCY, _INSTALL_HINT)
        suffix = _suffix(self.data)
        # Never past the document's own time limit, so a batch's timeout also ends
        # LibreOffice rather than leaving it running.
        timeout = min(self.timeout_s, self.options.time_limit_seconds)
        converted = convert_to_docx(self.data, suffix, soffice, timeout)
        document = DocxReader(converted, self.source, self.options).read()
        return document


def _suffix(data: bytes) -> str:
    # LibreOffice detects the type from the content; the suffix is only its first hint.
    head = data[:1024].lstrip()
    if head.startswith(b"{\\rtf"):
        return ".rtf"
    return ".xml" if head.startswith(b"<") else ".doc"


def find_soffice(
    names: tuple[str, ...] = SOFFICE_NAMES, paths: tuple[str, ...] = SOFFICE_PATHS
) -> str | None:
    """The LibreOffice executable, or None when it is not installed.

    Args:
        names: program names looked up on ``PATH``.
        paths: install locations tried when none is on ``PATH``.
    """
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    return next((p for p in paths if os.access(p, os.X_OK)), None)


def convert_to_docx(data: bytes, suffix: str, soffice: str, timeout_s: float) -> bytes:
    """The bytes of ``data`` converted to .docx by LibreOffice.

    Args:
        data: the .doc or .rtf file's bytes.
        suffix: the input's file suffix, which LibreOffice uses as a hint.
        soffice: path of the LibreOffice executable.
        timeout_s: seconds before the conversion is killed.

    Raises:
        DocumentLoadError: ``timeout`` or ``corrupt`` (LibreOffice produced nothing).
    """
    with tempfile.TemporaryDirectory(prefix="nianbao-doc-") as tmp:
        source = Path(tmp) / f"input{suffix}"
        source.write_bytes(data)
        out_dir = Path(tmp) / "out"
        with _PROFILE_LOCK:
            command = [
                soffice,
                f"-env:UserInstallation={_profile().as_uri()}",
                "--headless",
                "--norestore",
                "--nolockcheck",
                "--convert-to",
                "docx:MS Word 2007 XML",
                "--outdir",
                str(out_dir),
                str(source),
            ]
            stderr = _run(command, timeout_s)
        target = out_dir / "input.docx"
        if not target.is_file() or target.stat().st_size == 0:
            raise DocumentLoadError(
                ErrorCode.CORRUPT,
                f"LibreOffice could not convert the Word file: {stderr[-300:] or 'no output'}",
            )
        return target.read_bytes()


def _run(command: list[str], timeout_s: float) -> str:
    # Its own session, so a timeout kills LibreOffice's child processes too.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        _out, err = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        # A profile killed while LibreOffice wrote it may break the next start.
        stale = _profiles.pop(os.getpid(), None)
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)
        raise DocumentLoadError(
            ErrorCode.TIMEOUT, f"LibreOffice took over {timeout_s:g} s to convert"
        ) from exc
    return err.decode("utf-8", "replace").strip()


def _profile() -> Path:
    # Keyed by process id: a forked worker must not share its parent's profile.
    pid = os.getpid()
    if pid not in _profiles:
        _profiles[pid] = Path(tempfile.mkdtemp(prefix="nianbao-lo-profile-"))
        atexit.register(shutil.rmtree, _profiles[pid], True)
    return _profiles[pid]
