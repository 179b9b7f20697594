"""Decoding text bytes of unknown encoding (Chinese government sites mix UTF-8 and GBK)."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from extractors.errors import DocumentLoadError, ErrorCode

_BOMS: list[tuple[bytes, str]] = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
# GB18030 is a superset of GBK and GB2312, so one attempt covers all three.
_CANDIDATES = ("utf-8", "gb18030")


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``data``; return the text and the encoding used.

    Order: byte-order mark, the declared charset if it decodes cleanly, strict UTF-8,
    strict GB18030, then statistical detection. A declared charset that fails is ignored
    (pages whose meta lies are common).

    Raises:
        DocumentLoadError: ``wrong_encoding`` when nothing decodes the bytes.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    tried = [declared] if declared else []
    for name in [*tried, *_CANDIDATES]:
        try:
            return data.decode(_canonical(name)), _canonical(name)
        except (UnicodeDecodeError, LookupError):
            continue
    best = from_bytes(data).best()
    if best is None or best.encoding is None:
        raise DocumentLoadError(
            ErrorCode.WRONG_ENCODING, "cannot tell the text encoding"
        )
    return str(best), best.encoding


def _canonical(name: str) -> str:
    lowered = name.strip().lower()
    # Pages declaring gb2312/gbk routinely use characters only GB18030 has.
    if lowered in {"gb2312", "gbk", "gb_2312-80", "x-gbk", "cp936"}:
        return "gb18030"
    return lowered
