"""The flows as ``prefect.yaml`` deploys them: on a Prefect server, run by a worker.

Each deployed flow is the CLI's flow with flow-level retries added. A run that raised
(the output disk full, the API briefly gone) is simply run again: every flow is
idempotent, since a backlog skips the files whose JSON is current, the inbox takes only
what is still lying in it, and a load replaces each document's rows. The command line
does not retry: a person at a terminal sees the error at once.

The work pool is a ``process`` pool: each flow run is a child process of the worker, in
the project folder (the pull step ``prefect deploy`` records), so inputs and outputs are
paths on the worker's machine.
"""

from __future__ import annotations

from flows.extract import process_backlog
from flows.inbox import process_inbox
from flows.load import load_outputs_flow

WORK_POOL = "nianbao"
WORK_POOL_TYPE = "process"
# Runs that raised are retried twice, a minute apart (see the module docstring).
RUN_RETRIES = 2
RUN_RETRY_DELAY_SECONDS = 60

backlog = process_backlog.with_options(
    retries=RUN_RETRIES, retry_delay_seconds=RUN_RETRY_DELAY_SECONDS
)
inbox = process_inbox.with_options(
    retries=RUN_RETRIES, retry_delay_seconds=RUN_RETRY_DELAY_SECONDS
)
load = load_outputs_flow.with_options(
    retries=RUN_RETRIES, retry_delay_seconds=RUN_RETRY_DELAY_SECONDS
)
