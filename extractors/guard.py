"""Limits one document cannot break: wall time and memory, enforced in a child process.

A hostile file (a decompression bomb, a PDF whose content stream loops) must not stall or
exhaust a batch. The extraction runs in a child process with an address-space limit; the
parent waits at most the time limit, then kills it. Children come from a fork server
that has imported the pipeline once: start-up stays cheap, and no child inherits locks
held by the parent's other threads (Prefect runs tasks in threads). In a daemonic process,
which may have no children, a helper process does this (:mod:`extractors.guard_relay`).
"""

from __future__ import annotations

import multiprocessing
import resource
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.report import Report

_MIB = 1024 * 1024


def extract_guarded(
    path: Path,
    options: ReaderOptions,
    extract: Callable[[Path, ReaderOptions], Report],
) -> Report:
    """Run ``extract(path, options)`` within the options' time and memory limits.

    A daemonic process (a Dask worker under its nanny) may not start children, so
    there the document goes through a helper process that may
    (:mod:`extractors.guard_relay`); the limits are the same.

    Raises:
        DocumentLoadError: ``timeout`` past the time limit, ``too_large`` when the
            memory limit was hit, or the child's own load error.
    """
    if multiprocessing.current_process().daemon:
        # Imported here: the relay's helper itself imports this module.
        from extractors.guard_relay import relay

        kind, payload = relay(path, options, extract)
    else:
        kind, payload = run_in_child(path, options, extract)
    if kind == "report":
        return Report.model_validate_json(payload)
    code, message = payload
    raise DocumentLoadError(ErrorCode(code), message)


def run_in_child(
    path: Path,
    options: ReaderOptions,
    extract: Callable[[Path, ReaderOptions], Report],
) -> tuple[str, Any]:
    """The child's answer: ``("report", json)`` or ``("error", (code, message))``.

    Raises:
        DocumentLoadError: ``timeout`` or ``too_large`` when the child was stopped or
            died before it could answer.
    """
    context = _context()
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(sender, path, options, extract), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(options.time_limit_seconds):
            raise DocumentLoadError(
                ErrorCode.TIMEOUT,
                f"extraction took longer than {options.time_limit_seconds:g} s",
            )
        try:
            answer: tuple[str, Any] = receiver.recv()
        except EOFError as exc:
            raise DocumentLoadError(
                ErrorCode.TOO_LARGE,
                f"the extraction process died (exit {child.exitcode}); "
                f"likely over the {options.memory_limit_mb} MiB memory limit",
            ) from exc
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    return answer


def _context() -> multiprocessing.context.ForkServerContext:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["extractors.preload"])
    return context


def _child(
    sender: Connection,
    path: Path,
    options: ReaderOptions,
    extract: Callable[[Path, ReaderOptions], Report],
) -> None:
    limit = options.memory_limit_mb * _MIB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result: tuple[str, Any]
    try:
        result = ("report", extract(path, options).model_dump_json())
    except DocumentLoadError as exc:
        result = ("error", (exc.code.value, exc.message))
    except MemoryError:
        result = (
            "error",
            (
                ErrorCode.TOO_LARGE.value,
                f"over the {options.memory_limit_mb} MiB limit",
            ),
        )
    except Exception as exc:  # a defect: reported, never a crash of the batch
        detail = traceback.format_exception_only(exc)[-1].strip()
        result = ("error", (ErrorCode.INTERNAL.value, detail))
    sender.send(result)
    sender.close()
