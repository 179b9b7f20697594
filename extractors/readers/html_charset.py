"""A web page's bytes to text: its encoding, and the page inside a web archive (.mht).

Chinese government pages often declare one charset and are saved in another (a GBK
template serving UTF-8 articles, or the reverse), so a declaration is believed only when
the bytes agree with it: byte-order mark first, then what the bytes clearly are, then
the declaration.
"""

from __future__ import annotations

import codecs
import email
import re

from extractors.document import ReaderWarning
from extractors.encoding import decode_text

# Browsers look for the charset declaration in the first 1024 bytes; pages with long
# inline scripts before the <meta> push it further, so look a little deeper.
_DECLARATION_WINDOW = 8192
_META_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.\-]+)""")
# Encodings that decode any byte sequence, so "it decoded" proves nothing.
_ANY_BYTES = frozenset({"iso8859-1", "cp1252", "ascii"})
# GB2312 level 1 (the 3755 commonest characters) has lead bytes B0–D7. Simplified
# report text scores above 0.9 (1.0 on the made-up reports of tests/); a GBK title read
# as Big5 scores 0.25, and real traditional text ~0.6, so a 0.3 margin keeps both apart.
_GB2312_LEVEL1 = (0xB0, 0xD7)
_COMMON_SHARE_MARGIN = 0.3
_SHARE_SAMPLE = 2000
# Names that read the same bytes the same way, for deciding whether the meta lied.
_FAMILIES = {
    "gb2312": "gb",
    "gbk": "gb",
    "gb18030": "gb",
    "utf-8": "utf-8",
    "utf-8-sig": "utf-8",
}


def declared_charset(data: bytes) -> str | None:
    """The charset a page's XML declaration or ``<meta>`` names, if any and known."""
    head = data[:_DECLARATION_WINDOW]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    if match is None:
        return None
    name = match.group(1).decode("ascii", "replace")
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def unwrap_mhtml(data: bytes) -> tuple[bytes, str | None] | None:
    """The HTML part of a single-file web page (.mht, Word's "web archive"), if it is one.

    Returns:
        The part's bytes (quoted-printable or base64 undone) and its MIME charset, or
        None when ``data`` is not a MIME web archive.
    """
    head = data[:_DECLARATION_WINDOW].lower()
    if b"mime-version" not in head or b"multipart/related" not in head:
        return None
    message = email.message_from_bytes(data)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload, part.get_content_charset()
    return None


def decode_html(
    data: bytes, transport_charset: str | None = None
) -> tuple[str, list[ReaderWarning]]:
    """Decode a page; warn when its declared charset is not what the bytes are.

    A charset given by the transport (a MIME part's header) counts as the page's own
    declaration.

    Valid multi-byte UTF-8 is taken as UTF-8 whatever the page declares: GBK text
    practically never forms valid UTF-8 sequences, while UTF-8 text nearly always
    "decodes" as GB18030 (into nonsense). Otherwise the declaration is tried, then
    :func:`~extractors.encoding.decode_text`'s own order.

    Returns:
        The text and the warnings (``declared_encoding_mismatch``,
        ``encoding_guessed``).

    Raises:
        DocumentLoadError: ``wrong_encoding`` when no encoding decodes the bytes.
    """
    declared = transport_charset or declared_charset(data)
    text: str | None = None
    used = ""
    if declared and not data.isascii() and not data.startswith(codecs.BOM_UTF8):
        try:
            text, used = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            text = None
    if text is None:
        trusted = declared if declared and _family(declared) not in _ANY_BYTES else None
        text, used = decode_text(data, trusted)
        if _family(used) not in ("utf-8", "gb"):
            text, used = _prefer_simplified(data, text, used)
    warnings: list[ReaderWarning] = []
    if declared and not data.isascii() and _family(declared) != _family(used):
        warnings.append(
            ReaderWarning(
                code="declared_encoding_mismatch",
                message=f"the page declares charset {declared} but its bytes are "
                f"{used}; read as {used}",
            )
        )
    elif not declared and _family(used) not in ("utf-8", "gb"):
        warnings.append(
            ReaderWarning(
                code="encoding_guessed",
                message=f"no charset declared; the text was guessed to be {used}",
            )
        )
    return text, warnings


def _prefer_simplified(data: bytes, text: str, used: str) -> tuple[str, str]:
    """GB18030 instead of another CJK code page when it reads as far commoner Chinese.

    GBK bytes also decode "cleanly" as Big5 or Shift-JIS, into rare characters; the
    reports are in simplified Chinese, whose common characters GB2312 level 1 holds.
    """
    try:
        gb_text = data.decode("gb18030")
    except UnicodeDecodeError:
        return text, used
    if common_share(gb_text) > common_share(text) + _COMMON_SHARE_MARGIN:
        return gb_text, "gb18030"
    return text, used


def common_share(text: str) -> float:
    """Share of the Chinese characters (first 2000) among GB2312's 3755 commonest."""
    hanzi = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"][:_SHARE_SAMPLE]
    if not hanzi:
        return 0.0
    return sum(1 for ch in hanzi if _is_common(ch)) / len(hanzi)


def _is_common(char: str) -> bool:
    try:
        lead = char.encode("gb2312")[0]
    except UnicodeEncodeError:
        return False
    return _GB2312_LEVEL1[0] <= lead <= _GB2312_LEVEL1[1]


def _family(name: str) -> str:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return name.lower()
    return _FAMILIES.get(canonical, canonical)
