"""expand_bundle: a ZIP of mixed formats, nested one level, with hostile members."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from expect import assert_canonical
from markup_factory import to_docx, to_html
from ofd_factory import made_up_to_ofd
from pdf_factory import made_up_to_pdf
from report_factory import MadeUpReport, make_report, to_text

from extractors.bundle import BundleLimits, expand_bundle, is_bundle, remove_unpacked
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.pipeline import extract

# Windows' Chinese zip tools write names in GBK without the UTF-8 flag; Python always
# flags non-ASCII names, so the member is written under an ASCII stand-in of the same
# length and the name bytes are swapped in both headers afterwards.
GBK_NAME = "报告/洪泽区.docx"
_STAND_IN = "X" * len(GBK_NAME.encode("gbk"))


def _zip(entries: dict[str | zipfile.ZipInfo, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, data in entries.items():
            bundle.writestr(name, data)
    return buffer.getvalue().replace(_STAND_IN.encode(), GBK_NAME.encode("gbk"))


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, MadeUpReport]:
    return {
        fmt: make_report("2021" if i % 2 else "2019", "2019", seed=40 + i)
        for i, fmt in enumerate(("pdf", "ofd", "docx", "txt", "html"))
    }


@pytest.fixture(scope="module")
def bundle(
    reports: dict[str, MadeUpReport], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    folder = tmp_path_factory.mktemp("bundle")
    pdf = made_up_to_pdf(reports["pdf"], folder / "a.pdf").read_bytes()
    ofd = made_up_to_ofd(reports["ofd"], folder / "b.ofd").read_bytes()
    docx = to_docx(reports["docx"], folder / "c.docx").read_bytes()
    inner = _zip(
        {
            "2022/report.txt": to_text(reports["txt"]).encode("utf-8"),
            "deeper.zip": _zip({"x.txt": b"too deep"}),
        }
    )
    path = folder / "archive.zip"
    path.write_bytes(
        _zip(
            {
                "reports/a.pdf": pdf,
                "reports/b.ofd": ofd,
                _STAND_IN: docx,
                "web/page.html": to_html(reports["html"]).encode("utf-8"),
                "inner.zip": inner,
                "../escape.txt": b"outside",
                "/etc/passwd": b"root",
                "bomb.txt": b"\x00" * (8 * 1024**2),
                "__MACOSX/reports/._a.pdf": b"metadata",
            }
        )
    )
    return path


def test_a_bundle_unpacks_members_under_batch_names(
    bundle: Path, tmp_path: Path
) -> None:
    members = expand_bundle(bundle, tmp_path / "work")
    names = [m.name for m in members]
    assert names == [
        "archive.zip/reports/a.pdf",
        "archive.zip/reports/b.ofd",
        "archive.zip/报告/洪泽区.docx",
        "archive.zip/web/page.html",
        "archive.zip/inner.zip/2022/report.txt",
        "archive.zip/inner.zip/deeper.zip",
        "archive.zip/../escape.txt",
        "archive.zip//etc/passwd",
        "archive.zip/bomb.txt",
    ]
    for member in members:
        if member.path is not None:
            assert member.path.relative_to(tmp_path / "work").as_posix() == member.name
    # Nothing was written outside the working folder.
    assert not (tmp_path / "escape.txt").exists()
    assert sorted(p.name for p in (tmp_path / "work").rglob("*") if p.is_file()) == [
        "a.pdf", "b.ofd", "page.html", "report.txt", "洪泽区.docx",
    ]  # fmt: skip
    remove_unpacked(tmp_path / "work", bundle)
    assert not any((tmp_path / "work").iterdir())  # nested archives left nothing


def test_hostile_members_are_refused_with_a_clear_error(
    bundle: Path, tmp_path: Path
) -> None:
    refused = {
        m.name.split("/", 1)[1]: m.error
        for m in expand_bundle(bundle, tmp_path)
        if m.error
    }
    assert set(refused) == {
        "inner.zip/deeper.zip",
        "../escape.txt",
        "/etc/passwd",
        "bomb.txt",
    }
    assert all(e is not None for e in refused.values())
    traversal = refused["../escape.txt"]
    assert traversal is not None and traversal.code is ErrorCode.CORRUPT
    assert "path traversal" in traversal.message
    bomb = refused["bomb.txt"]
    assert bomb is not None and bomb.code is ErrorCode.TOO_LARGE
    assert "zip bomb" in bomb.message
    deep = refused["inner.zip/deeper.zip"]
    assert deep is not None and "one level" in deep.message


def test_every_member_document_reads_exact(
    bundle: Path, reports: dict[str, MadeUpReport], tmp_path: Path
) -> None:
    members = {m.name: m.path for m in expand_bundle(bundle, tmp_path)}
    where = {
        "pdf": "reports/a.pdf",
        "ofd": "reports/b.ofd",
        "docx": GBK_NAME,
        "txt": "inner.zip/2022/report.txt",
        "html": "web/page.html",
    }
    for fmt, made in reports.items():
        path = members[f"archive.zip/{where[fmt]}"]
        assert path is not None
        assert_canonical(extract(path), made)


def test_whole_archive_limits(bundle: Path, tmp_path: Path) -> None:
    with pytest.raises(DocumentLoadError) as caught:
        expand_bundle(bundle, tmp_path, BundleLimits(max_members=3))
    assert caught.value.code is ErrorCode.TOO_LARGE and "holds" in caught.value.message
    with pytest.raises(DocumentLoadError) as caught:
        expand_bundle(bundle, tmp_path, BundleLimits(max_total_bytes=1000))
    assert caught.value.code is ErrorCode.TOO_LARGE
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(DocumentLoadError) as caught:
        expand_bundle(broken, tmp_path)
    assert caught.value.code is ErrorCode.CORRUPT


def test_documents_that_are_zips_are_no_bundles(
    bundle: Path, reports: dict[str, MadeUpReport], tmp_path: Path
) -> None:
    assert is_bundle(bundle)
    assert not is_bundle(to_docx(reports["docx"], tmp_path / "r.docx"))
    assert not is_bundle(made_up_to_ofd(reports["ofd"], tmp_path / "r.ofd"))
    text = tmp_path / "r.txt"
    text.write_text("PK but not a zip")
    assert not is_bundle(text)


def test_an_encrypted_member_is_refused(tmp_path: Path) -> None:
    data = bytearray(_zip({"secret.pdf": b"%PDF-1.4 ..."}))
    # Bit 0 of the general-purpose flags in the local and the central header: what a
    # password-protecting zip tool sets (Python's zipfile cannot write it).
    central = data.index(b"PK\x01\x02")
    data[6] |= 0x1
    data[central + 8] |= 0x1
    path = tmp_path / "locked.zip"
    path.write_bytes(bytes(data))
    [member] = expand_bundle(path, tmp_path / "work")
    assert member.error is not None and member.error.code is ErrorCode.ENCRYPTED
    assert member.path is None
