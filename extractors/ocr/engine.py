"""The OCR engine: PP-OCR line recognition and 0/180° orientation, run by onnxruntime.

The ONNX models come from the ``rapidocr-onnxruntime`` wheel, so the engine works with no
network. Page preparation and the table grid find most text lines themselves (cells and
projection profiles), which is several times faster on table pages than running the
text detector over the whole page; the detector (PP-OCR's DB model, :meth:`OcrEngine.
detect`) reads only tables printed without rules, where the boxes must come from the
text itself. One engine is built lazily per process (:func:`get_engine`).

Recognition returns the class probabilities per time step, so a numeric cell is re-read
from the same output with only digit-like classes allowed (:func:`decode_numeric`) at no
extra inference cost.
"""

from __future__ import annotations

import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from cv2.typing import MatLike

from extractors.errors import DocumentLoadError, ErrorCode

_log = logging.getLogger(__name__)

# What cv2 takes and returns: an ndarray of any integer or float dtype (uint8 here).
Image = MatLike
FloatArray = npt.NDArray[np.float32]

REC_MODEL = "ch_PP-OCRv4_rec_infer.onnx"
DET_MODEL = "ch_PP-OCRv4_det_infer.onnx"
# The detector's input sides are multiples of this (the network downsamples by 32).
_DET_STRIDE = 32
# Text probability above which a pixel is text, and the mean probability a box needs
# (rapidocr's defaults).
_DET_THRESHOLD = 0.3
_DET_BOX_THRESHOLD = 0.5
# DB predicts a shrunk text kernel; boxes grow back by area × ratio / perimeter.
_DET_UNCLIP = 1.6
# The detector sees an image at this resolution at most (never enlarged): a 150-dpi scan
# shrunk to 0.75 (body text ~17 px tall) costs half the inference time and gave the same
# tables on the unruled scans of the bench and tests; at 90 dpi (0.6) whole rows of
# cells were lost.
_DET_DPI = 112.5
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_infer.onnx"
REC_HEIGHT = 48
CLS_SHAPE = (48, 192)
# A recognition batch holds at most this much width in total (crops × the padded width,
# in recognizer heights: 16 × 48 px). The network's activations for a larger batch no
# longer stay in the core's cache: on the 2-core benchmark machine, batches capped at
# 16 heights cost ~35% less CPU per page than batches of 32 crops of any width (caps
# of 8-32 heights were within a few per cent of each other).
_BATCH_HEIGHTS = 16
# A batch takes crops up to this factor wider than its narrowest (padding waste ≤ 25%).
_BATCH_WIDTH_SPREAD = 1.33
# Crops are narrowed by this factor before recognition: inference time grows with the
# width. PP-OCR reads digits narrowed to 0.55 without error on the scanned test corpus
# (0.45 misread 12 of 796 cells), but square CJK glyphs narrowed lose confidence, and at
# 0.6 a short label dropped a character with full confidence (结果纠 read 结果); 0.7
# keeps CJK readable and cut CPU time per page by ~35%.
SQUEEZE = 0.7
# A reading less sure than this (the mapper's LOW_CONFIDENCE, template/rows.py) is read
# again from the crop at its full width and the surer reading kept (a narrowed 结果纠
# read 结果纲 at 0.4 and 结果纠 at 0.96 unnarrowed): ~7% of the crops on the scan bench,
# for ~15% more recognition time, and a quarter fewer doubtful readings.
SURE_READING = 0.92
# Threads per onnxruntime session. The cores are used by reading pages in parallel
# (extractors/readers/scan.py), one thread each: on the 2-core benchmark machine two
# intra-op threads cost ~30% more CPU per page than one (synchronising small batches)
# and were no faster in wall time with other jobs running.
SESSION_THREADS = 1

# Output character of a numeric cell → the glyphs the recognizer may read it as. Full-width
# digits and letter look-alikes (o/O for 0, l/I for 1) are the usual confusions on
# degraded scans; their probabilities are pooled before decoding.
NUMERIC_GLYPHS: dict[str, str] = {
    "0": "0０oO〇D",
    "1": "1１lI|丨",
    "2": "2２Z",
    "3": "3３",
    "4": "4４",
    "5": "5５S",
    "6": "6６b",
    "7": "7７",
    "8": "8８B",
    "9": "9９",
    ".": ".．·",
    ",": ",，",
    "-": "-－—一",
    "/": "/／",
    "增": "增",
    "减": "减",
}


@dataclass(frozen=True)
class LineReading:
    """What the recognizer read on one text-line crop.

    ``confidence`` is the lowest per-character probability (one doubtful character makes
    the whole reading doubtful); ``numeric`` is the reading with only the characters of
    :data:`NUMERIC_GLYPHS` allowed, or None when a non-numeric glyph wins somewhere;
    ``digits`` is the reading forced to those characters even then (a broken 0 read as
    Q), with the probability they had. ``positions`` places each character of
    ``text``: the middle of the time steps it was read at, as a share of the crop's
    width (where a crop holding two words apart is cut between them, see
    ``ocr.unruled_grid``).
    """

    text: str
    confidence: float
    numeric: str | None
    numeric_confidence: float
    digits: str = ""
    digits_confidence: float = 0.0
    positions: tuple[float, ...] = ()


class OcrEngine:
    """PP-OCR recognition and orientation classification on grayscale crops."""

    def __init__(self, threads: int = SESSION_THREADS) -> None:
        try:
            import onnxruntime as ort
            import rapidocr_onnxruntime
        except ImportError as exc:  # the OCR extra is a hard dependency, but be clear
            raise DocumentLoadError(
                ErrorCode.MISSING_DEPENDENCY,
                "OCR needs rapidocr-onnxruntime and onnxruntime (pip install nianbao)",
            ) from exc
        models = Path(rapidocr_onnxruntime.__file__).parent / "models"
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        # Idle worker threads sleep instead of spinning: with another job on the two
        # cores, spinning cost ~45% more CPU and ~35% more wall time per page in
        # bench/scan_bench.py (on an idle machine it could save a little latency).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        providers = ["CPUExecutionProvider"]
        self._rec: Any = ort.InferenceSession(
            str(models / REC_MODEL), options, providers=providers
        )
        self._cls: Any = ort.InferenceSession(
            str(models / CLS_MODEL), options, providers=providers
        )
        self._det: Any = ort.InferenceSession(
            str(models / DET_MODEL), options, providers=providers
        )
        meta = self._rec.get_modelmeta().custom_metadata_map
        # CTC class 0 is the blank; the model's dictionary follows, then a space.
        self.characters: list[str] = ["", *meta["character"].splitlines(), " "]
        self._pool = _NumericPool(self.characters)
        self.numeric_chars = self._pool.outputs

    def read_lines(self, crops: list[Image]) -> list[LineReading]:
        """Recognize single text lines (grayscale crops, dark text on light ground).

        Crops are read narrowed (``SQUEEZE``); the doubtful ones again at their full
        width, keeping the surer of the two readings.

        Args:
            crops: One image per text line, any width.

        Returns:
            One reading per crop, in the order given.
        """
        readings = self._read(crops, SQUEEZE)
        doubtful = [i for i, r in enumerate(readings) if _certainty(r) < SURE_READING]
        again = self._read([crops[i] for i in doubtful], 1.0)
        for i, reading in zip(doubtful, again, strict=True):
            if _certainty(reading) > _certainty(readings[i]):
                readings[i] = reading
        return readings

    def _read(self, crops: list[Image], squeeze: float) -> list[LineReading]:
        """Readings of crops narrowed by ``squeeze``, in width-sorted batches."""
        out: list[LineReading | None] = [None] * len(crops)
        for batch in _batches(crops, squeeze):
            widest = _ratio(crops[batch[-1]], squeeze)
            width = max(REC_HEIGHT, math.ceil(REC_HEIGHT * widest))
            tensor = np.stack([_rec_tensor(crops[i], width, squeeze) for i in batch])
            # onnxruntime sessions may be run from several threads at once.
            probs = self._rec.run(None, {self._rec.get_inputs()[0].name: tensor})
            for i, p in zip(batch, probs[0], strict=True):
                text, conf, steps = decode_greedy(p, self.characters)
                pooled = self._pool(p)
                numeric, num_conf = decode_numeric(pooled, self.numeric_chars)
                digits, digits_conf = (
                    (numeric, num_conf)
                    if numeric is not None
                    else decode_forced(pooled, self.numeric_chars)
                )
                # A time step spans width / len(p) of the tensor; the crop fills the
                # first _rec_width of it.
                share = width / len(p) / _rec_width(crops[i], width, squeeze)
                positions = tuple((middle + 0.5) * share for middle in steps)
                out[i] = LineReading(
                    text, conf, numeric, num_conf, digits, digits_conf, positions
                )
        return [r for r in out if r is not None]

    def detect(self, gray: Image, dpi: float) -> list[tuple[int, int, int, int]]:
        """Text boxes on a level grayscale image, by PP-OCR's DB text detector.

        Args:
            gray: The image (a page or a part of one), dark text on light ground.
            dpi: Its resolution; the detector reads it at ``_DET_DPI`` at most.

        Returns:
            Axis-aligned boxes (x0, top, x1, bottom) in the image's pixels, one per
            run of text the detector separates (a word group, a figure).
        """
        h, w = gray.shape[:2]
        scale = min(1.0, _DET_DPI / dpi)
        th = max(_DET_STRIDE, round(h * scale / _DET_STRIDE) * _DET_STRIDE)
        tw = max(_DET_STRIDE, round(w * scale / _DET_STRIDE) * _DET_STRIDE)
        resized = cv2.resize(gray, (tw, th), interpolation=cv2.INTER_AREA)
        plane = resized.astype(np.float32) / 127.5 - 1.0
        tensor = np.repeat(plane[np.newaxis, np.newaxis], 3, axis=1)
        prob = self._det.run(None, {self._det.get_inputs()[0].name: tensor})
        text = prob[0][0, 0]
        mask = (text > _DET_THRESHOLD).astype(np.uint8)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
        # Each component's mean probability, in one pass over the image.
        mean = np.bincount(labels.ravel(), weights=text.ravel(), minlength=n) / (
            np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
        )
        sx, sy = w / tw, h / th
        boxes = []
        for k in range(1, n):
            x, y, bw, bh, area = (int(v) for v in stats[k])
            if min(bw, bh) < 2 or mean[k] < _DET_BOX_THRESHOLD:
                continue
            grow = area * _DET_UNCLIP / (2 * (bw + bh))
            boxes.append(
                (
                    max(0, math.floor((x - grow) * sx)),
                    max(0, math.floor((y - grow) * sy)),
                    min(w, math.ceil((x + bw + grow) * sx)),
                    min(h, math.ceil((y + bh + grow) * sy)),
                )
            )
        return boxes

    def upside_down(self, crops: list[Image]) -> list[float]:
        """Probability that each text-line crop is rotated by 180°."""
        if not crops:
            return []
        tensor = np.stack([_cls_tensor(c) for c in crops])
        probs = self._cls.run(None, {self._cls.get_inputs()[0].name: tensor})[0]
        return [float(p[1]) for p in probs]


_engine: OcrEngine | None = None
_engine_lock = threading.Lock()


def get_engine() -> OcrEngine:
    """The process's one OCR engine, built on first use (model loading takes ~0.3 s)."""
    global _engine
    with _engine_lock:
        if _engine is None:
            _log.info("loading OCR models")
            _engine = OcrEngine()
        return _engine


def decode_greedy(
    probs: FloatArray, characters: list[str]
) -> tuple[str, float, list[float]]:
    """Best-path CTC decoding.

    Returns:
        The text, its lowest character probability (0 for an empty reading: the
        caller only recognizes crops with ink) and the middle time step of each of
        its characters.
    """
    symbols, confs, middles = _best_path(probs)
    if not symbols:
        return "", 0.0, []
    return "".join(characters[k] for k in symbols), min(confs), middles


def decode_numeric(grouped: FloatArray, outputs: list[str]) -> tuple[str | None, float]:
    """CTC decoding over pooled numeric classes (blank, outputs…, other).

    Returns:
        The numeric text and its lowest character probability, or (None, 0) when the
        "other" class (any non-numeric glyph) wins at some step.
    """
    symbols, confs, _ = _best_path(grouped)
    if not symbols or len(outputs) + 1 in symbols:
        return None, 0.0
    return "".join(outputs[k - 1] for k in symbols), min(confs)


def decode_forced(grouped: FloatArray, outputs: list[str]) -> tuple[str, float]:
    """CTC decoding over pooled numeric classes, each step "other" wins at read as
    its likeliest numeric glyph.

    Returns:
        The numeric glyphs and their lowest probability (low where another glyph was
        likelier).
    """
    forced = grouped[:, :-1].copy()
    taken = grouped.argmax(axis=1) == grouped.shape[1] - 1
    forced[taken, 0] = 0.0  # not a blank: a glyph was seen there
    symbols, confs, _ = _best_path(forced)
    if not symbols:
        return "", 0.0
    return "".join(outputs[k - 1] for k in symbols), min(confs)


def _best_path(probs: FloatArray) -> tuple[list[int], list[float], list[float]]:
    """Non-blank symbols of the best CTC path (repeats collapsed) and, per symbol, the
    highest probability over the steps it was emitted and the middle of those steps."""
    best = probs.argmax(axis=1)
    p = probs[np.arange(len(best)), best]
    starts = np.flatnonzero(np.r_[True, best[1:] != best[:-1]])
    ends = np.r_[starts[1:], len(best)]
    run_max = np.maximum.reduceat(p, starts)
    run_symbol = best[starts]
    emitted = run_symbol != 0
    middles = (starts[emitted] + ends[emitted] - 1) / 2
    return run_symbol[emitted].tolist(), run_max[emitted].tolist(), middles.tolist()


class _NumericPool:
    """Pools per-step class probabilities into (blank, numeric outputs…, other).

    Only the few dozen numeric glyph classes are gathered; "other" is what is left of
    each step's probability mass (the recognizer's output is a softmax over classes),
    so pooling costs a small gather instead of a product with all 6,600 classes.
    """

    def __init__(self, characters: list[str]) -> None:
        self.outputs = list(NUMERIC_GLYPHS)
        group_of = {
            g: i for i, out in enumerate(self.outputs) for g in NUMERIC_GLYPHS[out]
        }
        members = [(k, group_of[c]) for k, c in enumerate(characters) if c in group_of]
        self.indices = np.array([k for k, _ in members], dtype=np.int64)
        self.matrix = np.zeros((len(members), len(self.outputs)), dtype=np.float32)
        for row, (_, group) in enumerate(members):
            self.matrix[row, group] = 1.0

    def __call__(self, probs: FloatArray) -> FloatArray:
        """(steps × classes) probabilities → (steps × (outputs + 2)) pooled ones."""
        numeric = probs[:, self.indices] @ self.matrix
        blank = probs[:, :1]
        other = np.clip(1.0 - blank - numeric.sum(axis=1, keepdims=True), 0.0, 1.0)
        return np.concatenate([blank, numeric, other], axis=1).astype(np.float32)


def _batches(crops: list[Image], squeeze: float) -> list[list[int]]:
    """Crop indexes grouped by similar width, so little of a batch is padding.

    A batch is padded to its widest crop and inference time grows with the padded width;
    a batch closes when the next crop is much wider than its first or would take the
    batch past ``_BATCH_HEIGHTS`` of width in all.
    """
    order = sorted(range(len(crops)), key=lambda i: _ratio(crops[i], squeeze))
    batches: list[list[int]] = []
    for i in order:
        width = max(1.0, _ratio(crops[i], squeeze))  # the batch's widest so far
        if (
            batches
            and width
            <= _BATCH_WIDTH_SPREAD * max(1.0, _ratio(crops[batches[-1][0]], squeeze))
            and (len(batches[-1]) + 1) * width <= _BATCH_HEIGHTS
        ):
            batches[-1].append(i)
        else:
            batches.append([i])
    return batches


def _certainty(reading: LineReading) -> float:
    """How sure a reading is, as text or as a figure (the cell takes either)."""
    return max(reading.confidence, reading.numeric_confidence)


def _ratio(crop: Image, squeeze: float = SQUEEZE) -> float:
    """Width of the crop once scaled to the recognizer's height, in heights."""
    return squeeze * float(crop.shape[1]) / max(int(crop.shape[0]), 1)


def _rec_width(crop: Image, width: int, squeeze: float) -> int:
    """How wide the crop is in a recognition tensor ``width`` wide (before padding)."""
    return min(width, max(1, math.ceil(REC_HEIGHT * _ratio(crop, squeeze))))


def _rec_tensor(crop: Image, width: int, squeeze: float) -> FloatArray:
    """A crop scaled to the recognizer's height, normalized, right-padded to ``width``."""
    w = _rec_width(crop, width, squeeze)
    resized = cv2.resize(crop, (w, REC_HEIGHT), interpolation=cv2.INTER_LINEAR)
    plane = np.zeros((REC_HEIGHT, width), dtype=np.float32)
    plane[:, :w] = resized.astype(np.float32) / 127.5 - 1.0
    return np.repeat(plane[np.newaxis], 3, axis=0)


def _cls_tensor(crop: Image) -> FloatArray:
    height, max_width = CLS_SHAPE
    w = min(max_width, max(1, math.ceil(height * _ratio(crop))))
    resized = cv2.resize(crop, (w, height), interpolation=cv2.INTER_LINEAR)
    plane = np.zeros((height, max_width), dtype=np.float32)
    plane[:, :w] = resized.astype(np.float32) / 127.5 - 1.0
    return np.repeat(plane[np.newaxis], 3, axis=0)
