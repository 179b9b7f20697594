"""nianbao: government information-disclosure annual reports to canonical JSON.

The library is pure Python with no Prefect import; ``flows`` wraps it.
"""

PIPELINE_VERSION = "0.1.0"
