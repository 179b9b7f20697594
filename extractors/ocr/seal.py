"""Seal ink dropped out of colour page images before they are binarized.

Chinese reports are stamped with the issuer's red (or orange) seal (公章), often over the
figures of the last table. In gray the seal is as dark as print; in colour it is told
apart by its hue, and since inks multiply, the print under it can be kept.
"""

from __future__ import annotations

import cv2
import numpy as np

from extractors.ocr.engine import Image

# A seal's solid strokes are redder than green and blue by this many grey levels; a
# page needs this many such pixels to hold a seal (a red rule or logo is smaller).
_SEAL_CORE_REDNESS = 100
_MIN_SEAL_PIXELS = 200
# A pixel half as red as the seal's solid strokes is taken as fully covered: a thin
# stroke (the seal's lettering) loses half its colour to JPEG's coarse chroma (taking
# each pixel's reddest neighbour instead erased the print next to the strokes).
_FULL_SEAL_SHARE = 0.5
# What is left of a seal's strokes after the lift (JPEG keeps colour at half resolution,
# so a stroke's rim is darker than its redness tells) is faint specks and broken lines
# that the recognizer reads as strokes (1 as 15). A mark (pixels darker than
# _MARK_GRAY) lying mostly within _SEAL_REACH_INCH of seal ink is such a remnant when
# none of its pixels is as dark as _PRINT_CORE_GRAY: print, even a character's dot
# stroke, has a darker core (on the scan bench, remnants' darkest pixels are 120-215,
# print's under 120). Seal ink here is a pixel at least half as red as the strokes.
_MARK_GRAY = 215
_PRINT_CORE_GRAY = 130
_SEAL_REACH_INCH = 0.03
_SEAL_INK_SHARE = 0.5


def to_gray(pixels: np.ndarray, dpi: float) -> Image:
    """A page's pixels (gray, RGB or RGBA) as gray, red and orange seal ink dropped out.

    A seal (公章) is stamped in red over the issuer's name and often over figures; in
    plain gray its ink is as dark as print and breaks glyphs and rules. Inks multiply,
    so each pixel's gray is divided by the darkening its share of seal ink causes;
    that share is read from how much redder than green and blue the pixel is, next
    to the seal's solid strokes. Pure seal ink becomes paper; black print under it
    stays dark, so the figures under a seal keep their strokes. ``dpi`` scales how
    far from seal ink its remnants are looked for.
    """
    if pixels.ndim == 2:
        return np.ascontiguousarray(pixels, dtype=np.uint8)
    rgb = np.ascontiguousarray(pixels[:, :, :3], dtype=np.uint8)
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    redness = rgb[:, :, 0].astype(np.float32) - np.maximum(rgb[:, :, 1], rgb[:, :, 2])
    solid = redness > _SEAL_CORE_REDNESS
    if np.count_nonzero(solid) < _MIN_SEAL_PIXELS:
        return gray
    seal_redness = float(np.median(redness[solid]))
    seal_gray = float(np.median(gray[solid]))
    share = np.clip(redness / (_FULL_SEAL_SHARE * seal_redness), 0.0, 1.0)
    darkening = 1.0 - share * (1.0 - seal_gray / 255.0)
    lifted = gray.astype(np.float32) / darkening
    out: Image = np.clip(lifted, 0, 255).astype(np.uint8)
    reach = max(3, round(_SEAL_REACH_INCH * dpi) | 1)
    near_seal = cv2.dilate(
        (share >= _SEAL_INK_SHARE).astype(np.uint8), np.ones((reach, reach), np.uint8)
    )
    _drop_seal_remnants(out, near_seal)
    return out


def _drop_seal_remnants(gray: Image, near_seal: Image) -> None:
    """Whiten, in place, the faint marks a lifted seal leaves where its ink was."""
    marks = (gray < _MARK_GRAY).astype(np.uint8)
    n, labels = cv2.connectedComponents(marks, connectivity=8)
    flat = labels.ravel()
    size = np.bincount(flat, minlength=n)
    on_seal = np.bincount(flat, weights=near_seal.ravel(), minlength=n)
    core = np.bincount(flat, weights=gray.ravel() < _PRINT_CORE_GRAY, minlength=n)
    remnant = (on_seal * 2 > size) & (core == 0)
    remnant[0] = False  # paper
    gray[remnant[labels]] = 255
