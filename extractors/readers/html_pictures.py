"""The pictures a web page shows: ``data:`` URIs in the page and files linked beside it.

A page saved from a browser keeps its pictures in a folder next to it ("report_files/");
an exported page may inline them as base64 ``data:`` URIs. Remote addresses are never
fetched (the pipeline is offline), and a link may not lead out of the page's folder.
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import etree

from extractors.readers.pictures import ImagePart

_DATA_URI = re.compile(r"^data:(image/[\w.+-]+)?(;[^,]*)?,", re.IGNORECASE)
# A linked picture larger than this is no table picture (and is not read into memory).
MAX_LINKED_IMAGE_BYTES = 20 * 1024 * 1024


def page_pictures(root: etree._Element, folder: Path | None) -> list[ImagePart]:
    """The pictures of a parsed page that can be read offline, in page order.

    Args:
        root: The parsed page (hidden elements already removed).
        folder: The page file's folder, for relative links; None when unknown.

    Returns:
        One part per ``<img>`` whose ``src`` is a ``data:`` URI or a relative link to
        a file inside ``folder``; others (remote, broken, escaping) are left out.
    """
    found: list[ImagePart] = []
    for img in root.iter("img"):
        src = (img.get("src") or "").strip()
        if not src:
            continue
        picture = _inline(src) if _DATA_URI.match(src) else _linked(src, folder)
        if picture is not None:
            found.append(picture)
    return found


def _inline(src: str) -> ImagePart | None:
    match = _DATA_URI.match(src)
    if match is None or "base64" not in (match.group(2) or "").lower():
        return None
    try:
        data = base64.b64decode(src[match.end() :], validate=False)
    except (binascii.Error, ValueError):
        return None
    media_type = (match.group(1) or "image/png").lower()
    return ImagePart("data-uri", media_type, data)


def _linked(src: str, folder: Path | None) -> ImagePart | None:
    parts = urlsplit(src)
    if folder is None or parts.scheme or parts.netloc or not parts.path:
        return None
    base = folder.resolve()
    path = (base / unquote(parts.path).lstrip("/")).resolve()
    if not path.is_relative_to(base) or not path.is_file():
        return None
    if path.stat().st_size > MAX_LINKED_IMAGE_BYTES:
        return None
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return ImagePart(parts.path, media_type, path.read_bytes())
