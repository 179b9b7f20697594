"""Offline OCR of scanned pages: page preparation, table grids, text lines.

The models ship inside the ``rapidocr-onnxruntime`` wheel (PP-OCR recognition and
orientation models run by onnxruntime), so nothing is downloaded at run time.
"""
