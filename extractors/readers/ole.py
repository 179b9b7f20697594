"""OLE compound files: old binary Word, and password-protected Word of any age.

Word 97–2003 (.doc) is an OLE container; so is a password-protected .docx (its ZIP
package is stored encrypted inside, in a stream named ``EncryptedPackage``). Both have
to be told apart before LibreOffice sees them: headless LibreOffice cannot ask for a
password and fails with no reason given.
"""

from __future__ import annotations

import io

import olefile

from extractors.errors import DocumentLoadError, ErrorCode

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# FibBase flags (MS-DOC 2.5.2): bit 8 fEncrypted, bit 15 fObfuscated (XOR "encryption").
_FIB_FLAGS_OFFSET = 0x0A
_FIB_ENCRYPTED = 0x0100
_FIB_OBFUSCATED = 0x8000


def refuse_ole(data: bytes) -> None:
    """Raise unless ``data`` is an unencrypted Word 97–2003 document.

    Raises:
        DocumentLoadError: ``encrypted`` for a password-protected Word file (.doc or
            .docx), ``corrupt`` for a broken container, ``unsupported_type`` for an
            OLE file that holds no Word document (Excel, PowerPoint, MSI…).
    """
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, IndexError) as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"broken OLE (Word 97–2003) container: {exc}"
        ) from exc
    try:
        if ole.exists("EncryptedPackage") or ole.exists("EncryptionInfo"):
            raise DocumentLoadError(
                ErrorCode.ENCRYPTED, "the Word file is password-protected"
            )
        if not ole.exists("WordDocument"):
            raise DocumentLoadError(
                ErrorCode.UNSUPPORTED_TYPE,
                "an OLE container without a Word document (Excel or PowerPoint?)",
            )
        fib = ole.openstream("WordDocument").read(_FIB_FLAGS_OFFSET + 2)
    except (OSError, ValueError, IndexError) as exc:
        raise DocumentLoadError(
            ErrorCode.CORRUPT, f"broken Word 97–2003 file: {exc}"
        ) from exc
    finally:
        ole.close()
    if len(fib) < _FIB_FLAGS_OFFSET + 2:
        raise DocumentLoadError(ErrorCode.CORRUPT, "truncated Word 97–2003 file")
    flags = int.from_bytes(fib[_FIB_FLAGS_OFFSET : _FIB_FLAGS_OFFSET + 2], "little")
    if flags & (_FIB_ENCRYPTED | _FIB_OBFUSCATED):
        raise DocumentLoadError(
            ErrorCode.ENCRYPTED, "the Word file is password-protected"
        )
