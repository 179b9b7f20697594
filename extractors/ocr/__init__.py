"""Offline OCR of scanned pages: page preparation (seal dropout, deskew, keystone),
ruled table grids, tables without rules (text detector), text lines.

The models ship inside the ``rapidocr-onnxruntime`` wheel (PP-OCR detection, recognition
and orientation models run by onnxruntime), so nothing is downloaded at run time.
"""
