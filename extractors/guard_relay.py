"""The guard from a daemonic process: documents go through a helper that may fork.

Dask's nanny starts its workers as daemonic processes, and :mod:`multiprocessing` refuses
children to those, so :func:`extractors.guard.run_in_child` cannot run there. A helper
started with :mod:`subprocess` (no daemon, so allowed) runs it instead: it reads
pickled ``(path, options, extract)`` requests on stdin and writes the child's answers on
stdout. Helpers stay up between documents and wait in an idle pool, so only a worker
thread's first document pays their start-up (imports, fork server: a few seconds). A
helper ends when its parent's pipe closes, with its parent.
"""

from __future__ import annotations

import os
import pickle
import select
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import extractors
from extractors.errors import DocumentLoadError, ErrorCode
from extractors.options import ReaderOptions
from extractors.report import Report

# Time allowed on top of the document's own limit: a new helper imports the pipeline and
# starts its fork server before the first document (seconds on a busy machine).
START_UP_SECONDS = 60.0


class _Helper:
    """One helper process and its two pipes."""

    def __init__(self) -> None:
        package_root = str(Path(extractors.__file__).resolve().parent.parent)
        path = os.environ.get("PYTHONPATH")
        env = {
            **os.environ,
            "PYTHONPATH": package_root + (os.pathsep + path if path else ""),
        }
        self.process = subprocess.Popen(
            [sys.executable, "-m", "extractors.guard_relay"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    def ask(self, request: tuple[Any, ...], timeout: float) -> tuple[str, Any]:
        """Send one request and wait at most ``timeout`` seconds for its answer.

        Raises:
            TimeoutError: no answer in time.
            EOFError, OSError: the helper is gone.
        """
        assert self.process.stdin is not None and self.process.stdout is not None
        pickle.dump(request, self.process.stdin)
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            raise TimeoutError
        answer: tuple[str, Any] = pickle.load(self.process.stdout)
        return answer

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


_idle: list[_Helper] = []
_idle_lock = threading.Lock()


def relay(
    path: Path,
    options: ReaderOptions,
    extract: Callable[[Path, ReaderOptions], Report],
) -> tuple[str, Any]:
    """:func:`extractors.guard.run_in_child`, run by a helper process.

    Raises:
        DocumentLoadError: ``timeout`` or ``too_large`` as the guard decided, or
            ``internal_error`` when the helper itself died.
    """
    with _idle_lock:
        helper = _idle.pop() if _idle else _Helper()
    try:
        answer = helper.ask(
            (path, options, extract), options.time_limit_seconds + START_UP_SECONDS
        )
    except TimeoutError as exc:
        helper.close()
        raise DocumentLoadError(
            ErrorCode.TIMEOUT,
            f"extraction took longer than {options.time_limit_seconds:g} s",
        ) from exc
    except (EOFError, OSError, pickle.UnpicklingError) as exc:
        helper.close()
        raise DocumentLoadError(
            ErrorCode.INTERNAL, f"the guard's helper process died: {exc!r}"
        ) from exc
    with _idle_lock:
        _idle.append(helper)
    return answer


def _serve(requests: IO[bytes], answers: IO[bytes]) -> None:
    from extractors.guard import run_in_child

    while True:
        try:
            path, options, extract = pickle.load(requests)
        except EOFError:
            return  # the parent is gone or done
        answer: tuple[str, Any]
        try:
            answer = run_in_child(path, options, extract)
        except DocumentLoadError as exc:
            answer = ("error", (exc.code.value, exc.message))
        except Exception as exc:  # a defect: this document's, never the helper's end
            detail = traceback.format_exception_only(exc)[-1].strip()
            answer = ("error", (ErrorCode.INTERNAL.value, detail))
        pickle.dump(answer, answers)
        answers.flush()


if __name__ == "__main__":
    # Answers go on a copy of stdout; anything printed goes to stderr instead, so no
    # stray print (a reader's, a library's) can corrupt the pipe.
    _answers = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    _serve(sys.stdin.buffer, _answers)
