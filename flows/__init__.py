"""Prefect flows and the command line over the `extractors` library.

Prefect runs offline here: no API server, no telemetry, its home inside the project.
These defaults are set before Prefect is first imported; the environment can override
PREFECT_HOME, but analytics stay off.
"""

import os
from pathlib import Path

os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["DO_NOT_TRACK"] = "1"
os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
# A fresh Prefect home starts its ephemeral server slowly on a 2-core machine.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
