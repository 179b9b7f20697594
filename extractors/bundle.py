"""ZIP bundles of reports: each member becomes a document of the batch.

Archives hand a year's reports over as one ``.zip``. :func:`expand_bundle` unpacks one
into a working folder, each member under the name the batch reports it by
(``bundle.zip/member.pdf``); a ZIP inside the bundle is unpacked too, one level deep
(``bundle.zip/inner.zip/member.pdf``). A hostile archive must not escape the folder or
fill the disk: unsafe member paths (absolute, ``..``, links) and members that inflate
too much are refused one by one with a clear error, and an archive over the member-count
or total-size limit is refused whole. Word (.docx) and OFD files are ZIPs too; they are
documents, never bundles. (.7z and .rar would need libraries the project does not carry.)
"""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from extractors.errors import DocumentLoadError, ErrorCode
from extractors.layout import relative_names

BUNDLE_SUFFIXES = (".zip",)
ZIP_MAGIC = b"PK\x03\x04"
# Whole-archive limits: a year's reports of one body are tens of files, tens of MB.
DEFAULT_MAX_MEMBERS = 2000
DEFAULT_MAX_TOTAL_BYTES = 2 * 1024**3
DEFAULT_MAX_MEMBER_BYTES = 200 * 1024**2
# Reports compress 2–10×, text up to ~30×; a zip bomb inflates a thousandfold.
DEFAULT_MAX_RATIO = 100.0
# Below this size a high ratio is harmless (a page of repeated spaces).
_RATIO_FLOOR_BYTES = 1024**2
_CHUNK = 1024**2
# macOS adds resource-fork copies of every file under this folder; they are no reports.
_METADATA_DIRS = ("__MACOSX/",)
# The parts a ZIP holds when it is a document, not a bundle.
_DOCUMENT_PARTS = ("word/document.xml", "ofd.xml")
_DRIVE = re.compile(r"^[A-Za-z]:")
# ZIP's general-purpose flag: names are UTF-8 (else the creator's code page).
_UTF8_FLAG = 0x800


@dataclass(frozen=True)
class BundleLimits:
    """How much an archive may hold before it is refused."""

    max_members: int = DEFAULT_MAX_MEMBERS
    max_total_bytes: int = DEFAULT_MAX_TOTAL_BYTES
    max_member_bytes: int = DEFAULT_MAX_MEMBER_BYTES
    max_ratio: float = DEFAULT_MAX_RATIO


@dataclass(frozen=True)
class BundleMember:
    """One member: unpacked to ``path``, or refused with ``error``."""

    name: str
    path: Path | None = None
    error: DocumentLoadError | None = None


@dataclass(frozen=True)
class Refused:
    """A bundle that could not be opened, or one of its members that was refused."""

    path: Path  # the bundle, or the member's place inside the unpack folder
    name: str  # its batch name: sub/bundle.zip/member.pdf
    error: DocumentLoadError


def expand_inputs(
    inputs: Sequence[Path], roots: Sequence[Path], work: Path
) -> tuple[list[Path], list[Path], list[Refused]]:
    """A batch's inputs with every ZIP bundle replaced by its members.

    Members are unpacked under ``work`` where the bundle sits among the inputs
    (``work/sub/bundle.zip/member.pdf``) and ``work`` joins the roots, so a member's
    batch name is ``sub/bundle.zip/member.pdf`` and stays the same from run to run.

    Args:
        inputs: the batch's files.
        roots: the folders they were found in.
        work: where to unpack (inside the output folder, hidden from input scans).

    Returns:
        The inputs (members in place of their bundle), the roots, and every bundle or
        member refused with its error.
    """
    relative = relative_names(inputs, roots)
    out: list[Path] = []
    refused: list[Refused] = []
    opened = False
    for path in inputs:
        if not is_bundle(path):
            out.append(path)
            continue
        opened = True
        parent = PurePosixPath(relative[path]).parent
        into = work / parent
        remove_unpacked(into, path)
        try:
            members = expand_bundle(path, into)
        except DocumentLoadError as exc:
            refused.append(Refused(path, relative[path], exc))
            continue
        for member in members:
            if member.path is not None:
                out.append(member.path)
            elif member.error is not None:
                name = str(parent / member.name)
                refused.append(Refused(into / member.name, name, member.error))
    return out, [*roots, work] if opened else list(roots), refused


def is_bundle(archive: Path) -> bool:
    """Whether a file is a ZIP of documents rather than a document that is a ZIP.

    Args:
        archive: the file; read past its first bytes only when they are a ZIP's.
    """
    try:
        if _head(archive) != ZIP_MAGIC:
            return False
        with zipfile.ZipFile(archive) as bundle:
            names = {n.lstrip("/").lower() for n in bundle.namelist()}
    except (zipfile.BadZipFile, OSError):
        return False
    return not any(part in names for part in _DOCUMENT_PARTS)


def expand_bundle(
    archive: Path, into: Path, limits: BundleLimits | None = None
) -> list[BundleMember]:
    """Unpack a ZIP bundle (and ZIPs inside it, one level) into ``into``.

    Members land at ``into/<archive name>/<member path>``, so a member's path relative
    to ``into`` is its batch name. Folders and macOS metadata are skipped; names in a
    Chinese code page (no UTF-8 flag) are decoded as GBK.

    Args:
        archive: the .zip file.
        into: the working folder (created if missing).
        limits: member count, total, per-member size and compression-ratio limits.

    Returns:
        Every member in archive order: unpacked (``path`` set) or refused (``error``
        set: ``corrupt`` for an unsafe path or a nested archive deeper than one level,
        ``too_large`` for a member over the size or ratio limit, ``encrypted``).

    Raises:
        DocumentLoadError: ``corrupt`` when the archive cannot be opened,
            ``too_large`` when it holds too many members or too many bytes in all.
    """
    limits = limits or BundleLimits()
    budget = [limits.max_total_bytes]
    return _expand(archive, archive.name, into, limits, budget, nested=False)


def _expand(
    archive: Path,
    name: str,
    into: Path,
    limits: BundleLimits,
    budget: list[int],
    nested: bool,
) -> list[BundleMember]:
    try:
        bundle = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"{name}: broken ZIP: {exc}"
        ) from exc
    members: list[BundleMember] = []
    with bundle:
        infos = [i for i in bundle.infolist() if not _skipped(i)]
        if len(infos) > limits.max_members:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE,
                f"{name} holds {len(infos)} files, over the limit of "
                f"{limits.max_members}",
            )
        declared = sum(i.file_size for i in infos)
        if declared > budget[0]:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE,
                f"{name} unpacks to {declared} bytes, over the limit of "
                f"{limits.max_total_bytes}",
            )
        for info in infos:
            member_name = _member_name(info)
            full = f"{name}/{member_name}"
            try:
                relative = _safe_path(member_name)
                _check_member(info, limits)
                target = into / name / relative
                _unpack(bundle, info, target, limits, budget)
            except DocumentLoadError as exc:
                members.append(BundleMember(full, error=exc))
                continue
            if is_bundle(target):
                if nested:
                    target.unlink()
                    members.append(BundleMember(full, error=_too_deep(full)))
                    continue
                # Its members go under a folder of its own name: move the file aside.
                fd, aside = tempfile.mkstemp(dir=into, suffix=".zip")
                os.close(fd)
                shutil.move(target, aside)
                try:
                    members.extend(
                        _expand(Path(aside), full, into, limits, budget, nested=True)
                    )
                except DocumentLoadError as exc:
                    members.append(BundleMember(full, error=exc))
                finally:
                    Path(aside).unlink(missing_ok=True)
                continue
            members.append(BundleMember(full, path=target))
    return members


def _skipped(info: zipfile.ZipInfo) -> bool:
    return info.is_dir() or info.filename.startswith(_METADATA_DIRS)


def _member_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its creator wrote it (Windows zips in China use GBK)."""
    if info.flag_bits & _UTF8_FLAG:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return info.filename


def _safe_path(member_name: str) -> PurePosixPath:
    """The member's relative path, refused when it could land outside the folder."""
    cleaned = member_name.replace("\\", "/")
    normal = posixpath.normpath(cleaned)
    if (
        cleaned.startswith("/")
        or _DRIVE.match(cleaned)
        or ".." in PurePosixPath(cleaned).parts
        or normal in (".", "")
        or "\x00" in cleaned
    ):
        raise DocumentLoadError(
            ErrorCode.CORRUPT,
            f"refused: member path {member_name!r} points outside the archive "
            "(path traversal)",
        )
    return PurePosixPath(normal)


def _check_member(info: zipfile.ZipInfo, limits: BundleLimits) -> None:
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        raise DocumentLoadError(
            ErrorCode.CORRUPT, "refused: the member is a symbolic link"
        )
    if info.flag_bits & 0x1:
        raise DocumentLoadError(
            ErrorCode.ENCRYPTED, "the member is encrypted (password-protected ZIP)"
        )
    if info.file_size > limits.max_member_bytes:
        raise DocumentLoadError(
            ErrorCode.TOO_LARGE,
            f"refused: the member unpacks to {info.file_size} bytes, over the limit "
            f"of {limits.max_member_bytes}",
        )
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > _RATIO_FLOOR_BYTES and ratio > limits.max_ratio:
        raise DocumentLoadError(
            ErrorCode.TOO_LARGE,
            f"refused: the member inflates {ratio:.0f}-fold, over the limit of "
            f"{limits.max_ratio:.0f} (a zip bomb?)",
        )


def _unpack(
    bundle: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    target: Path,
    limits: BundleLimits,
    budget: list[int],
) -> None:
    """Copy a member out in chunks, stopping at the limits whatever its header says."""
    cap = min(limits.max_member_bytes, budget[0])
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with bundle.open(info) as source, target.open("wb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                if written > cap:
                    raise DocumentLoadError(
                        ErrorCode.TOO_LARGE,
                        "refused: the member unpacks past the size limits",
                    )
                sink.write(chunk)
    except DocumentLoadError:
        target.unlink(missing_ok=True)
        raise
    except (
        zipfile.BadZipFile,
        OSError,
        EOFError,
        ValueError,
        NotImplementedError,
    ) as exc:
        target.unlink(missing_ok=True)
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"the member cannot be unpacked: {exc}"
        ) from exc
    budget[0] -= written


def _head(path: Path) -> bytes:
    if not stat.S_ISREG(path.stat().st_mode):
        return b""  # never open a pipe (it blocks); process_file reports it
    with path.open("rb") as stream:
        return stream.read(len(ZIP_MAGIC))


def _too_deep(name: str) -> DocumentLoadError:
    return DocumentLoadError(
        ErrorCode.CORRUPT,
        f"refused: {name} is an archive inside an archive inside the bundle "
        "(only one level of nesting is unpacked)",
    )


def remove_unpacked(into: Path, archive: Path) -> None:
    """Delete what :func:`expand_bundle` unpacked from ``archive`` into ``into``."""
    shutil.rmtree(into / archive.name, ignore_errors=True)
