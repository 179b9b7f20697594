"""DocReader: .doc, RTF and Word 2003 XML through LibreOffice; missing, hung, locked."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import olefile
import pytest
from expect import assert_canonical
from markup_factory import to_docx
from report_factory import MadeUpReport, make_report

from extractors.document import InputFormat, SourceInfo
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.pipeline import extract
from extractors.readers import READERS
from extractors.readers.doc import DocReader, find_soffice
from extractors.sniff import sniff_format

needs_soffice = pytest.mark.usefixtures("soffice_installed")


@pytest.fixture(scope="session")
def soffice_installed() -> None:
    """scripts/install.sh installs LibreOffice; its absence fails, never skips."""
    if find_soffice() is None:
        pytest.fail("LibreOffice (libreoffice-writer) is not installed")


def convert(source: Path, target_filter: str, folder: Path) -> Path:
    """``source`` converted by LibreOffice, e.g. with ``doc:MS Word 97``."""
    soffice = find_soffice()
    if soffice is None:
        pytest.fail("LibreOffice (libreoffice-writer) is not installed")
    profile = (folder / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to",
         target_filter, "--outdir", str(folder / "out"), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    suffix = target_filter.split(":")[0]
    return folder / "out" / f"{source.stem}.{suffix}"


@pytest.fixture(scope="module")
def soffice_doc(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MadeUpReport]:
    """A .doc made by LibreOffice from a generated .docx (2021 format)."""
    folder = tmp_path_factory.mktemp("doc")
    expected = make_report("2021", "2021", seed=7)
    source = to_docx(expected, folder / "report.docx")
    return convert(source, "doc:MS Word 97", folder), expected


@needs_soffice
def test_a_doc_is_read_through_libreoffice(
    soffice_doc: tuple[Path, MadeUpReport],
) -> None:
    path, expected = soffice_doc
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    report = extract(path)
    assert report.source.format.value == "doc"
    assert_canonical(report, expected)


@needs_soffice
@pytest.mark.parametrize("name", ["report.wps", "REPORT.WPS"])
def test_a_wps_office_file_is_read_through_libreoffice(
    soffice_doc: tuple[Path, MadeUpReport], tmp_path: Path, name: str
) -> None:
    """WPS Office saves .wps as a Word 97–2003 OLE file; the name labels the source."""
    doc, expected = soffice_doc
    path = tmp_path / name
    shutil.copy(doc, path)
    assert sniff_format(path.read_bytes(), path.name) is InputFormat.WPS
    report = extract(path)
    assert report.source.format is InputFormat.WPS
    assert report.source.media_type == "application/wps-office.wps"
    assert_canonical(report, expected)


@needs_soffice
@pytest.mark.parametrize("name", ["report.rtf", "report.doc"])
def test_an_rtf_report_is_read_under_any_name(tmp_path: Path, name: str) -> None:
    expected = make_report("2019", "2021", seed=19)
    rtf = convert(to_docx(expected, tmp_path / "r.docx"), "rtf", tmp_path)
    path = tmp_path / name
    rtf.rename(path)
    assert path.read_bytes().startswith(b"{\\rtf")
    report = extract(path)
    assert report.source.format is InputFormat.RTF
    assert report.source.media_type == "application/rtf"
    assert_canonical(report, expected)


def test_a_doc_without_libreoffice_names_the_package(tmp_path: Path) -> None:
    class NoOffice(DocReader):
        soffice_names = ()
        soffice_paths = ()

    path = tmp_path / "report.doc"  # sites serve RTF under .doc names
    path.write_bytes(b"{\\rtf1\\ansi \\u25919?\\u24220? report}")
    assert READERS[sniff_format(path.read_bytes(), path.name)] is DocReader
    with pytest.raises(DocumentLoadError) as caught:
        NoOffice(path.read_bytes(), _source(path), ReaderOptions()).read()
    assert caught.value.code is ErrorCode.MISSING_DEPENDENCY
    assert "libreoffice-writer" in caught.value.message


@needs_soffice
def test_a_hung_conversion_times_out(soffice_doc: tuple[Path, MadeUpReport]) -> None:
    class Impatient(DocReader):
        timeout_s = 0.05

    path, _ = soffice_doc
    with pytest.raises(DocumentLoadError) as caught:
        Impatient(path.read_bytes(), _source(path), ReaderOptions()).read()
    assert caught.value.code is ErrorCode.TIMEOUT


@needs_soffice
def test_a_password_protected_doc_is_refused(
    soffice_doc: tuple[Path, MadeUpReport], tmp_path: Path
) -> None:
    path, _ = soffice_doc
    locked = tmp_path / "locked.doc"
    shutil.copy(path, locked)
    # Word 97-2003 marks a protected file in its FIB: FibBase.fEncrypted, bit 8 of
    # the flags at offset 0x0A of the WordDocument stream.
    with olefile.OleFileIO(str(locked), write_mode=True) as ole:
        stream = bytearray(ole.openstream("WordDocument").read())
        stream[0x0B] |= 0x01
        ole.write_stream("WordDocument", bytes(stream))
    with pytest.raises(DocumentLoadError) as caught:
        extract(locked)
    assert caught.value.code is ErrorCode.ENCRYPTED


def test_a_broken_ole_file_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "broken.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00\xff" * 300)
    with pytest.raises(DocumentLoadError) as caught:
        extract(path)
    assert caught.value.code is ErrorCode.CORRUPT


@needs_soffice
def test_word_2003_xml_under_a_doc_name_is_read(tmp_path: Path) -> None:
    expected = make_report("2019", "2019", seed=17)
    wordml = convert(
        to_docx(expected, tmp_path / "r.docx"), "xml:MS Word 2003 XML", tmp_path
    )
    path = tmp_path / "report.doc"
    wordml.rename(path)
    report = extract(path)
    assert report.source.format.value == "doc"
    assert_canonical(report, expected)


def _source(path: Path) -> SourceInfo:
    return SourceInfo(
        file=path.name,
        sha256="0" * 64,
        media_type="application/msword",
        format=InputFormat.DOC,
        size_bytes=path.stat().st_size,
    )
