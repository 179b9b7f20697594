"""Backlog benchmark: the Prefect flow against a plain library loop, and peak memory.

    .venv/bin/python bench/backlog.py --files 1000 [--json bench/backlog-results.json]

Generates a made-up backlog (text reports of both formats in UTF-8 and GBK, plus ten
broken files; tests/backlog_factory.py), then runs each mode in its own process on a
fresh output folder and reports wall time, time per file, and peak RSS of the process
(and of Prefect's ephemeral API server, a child process). Figures go to
docs/operations.md. Not a test: timings depend on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("loop", "prefect-1", "prefect-2", "prefect-2-rerun", "dask-2")


def main() -> None:
    """Generate the backlog, run every mode in a child process, print a table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=1000, help="documents (≥ 10)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_run_mode(args.worker, args.input, args.out)))
        return

    sys.path.insert(0, str(ROOT / "tests"))
    from backlog_factory import make_backlog

    work = Path(tempfile.mkdtemp(prefix="nianbao-bench-"))
    make_backlog(work / "in", good=args.files - 10)
    results = []
    for mode in args.modes.split(","):
        out = work / ("out-prefect-2" if mode == "prefect-2-rerun" else f"out-{mode}")
        env = {**os.environ, "PREFECT_HOME": str(work / f"prefect-{mode}")}
        env.pop("PREFECT_API_URL", None)
        command = [sys.executable, __file__, "--worker", mode]
        done = subprocess.run(
            [*command, "--input", str(work / "in"), "--out", str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            check=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append({"mode": mode, "files": args.files, **result})
        print(_row(results[-1]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def _run_mode(mode: str, inputs: Path, out: Path) -> dict[str, Any]:
    from extractors.batch import BatchSummary, find_inputs, run_batch

    startup = 0.0
    if mode == "loop":
        started = time.perf_counter()
        summary: BatchSummary = run_batch(find_inputs([inputs]), out)
    else:
        from flows.extract import backlog_flow, backlog_runner

        workers = 2 if "2" in mode else 1
        runner = backlog_runner(workers, dask_local=mode.startswith("dask"))
        flow = backlog_flow(runner)
        # The first flow run starts Prefect's ephemeral API server: timed apart.
        empty = Path(tempfile.mkdtemp())
        started = time.perf_counter()
        flow(str(empty), str(empty / "out"))
        startup = time.perf_counter() - started
        started = time.perf_counter()
        summary = flow(str(inputs), str(out))
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 2),
        "ms_per_file": round(1000 * seconds / len(summary.files), 1),
        "startup_seconds": round(startup, 2),
        "counts": summary.counts,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "server_rss_mb": _children_rss_mb(),
    }


def _children_rss_mb() -> int:
    try:
        import psutil
    except ImportError:
        return 0
    children = psutil.Process().children(recursive=True)
    return round(sum(c.memory_info().rss for c in children) / 2**20)


def _row(result: dict[str, Any]) -> str:
    return (
        f"{result['mode']:<16} {result['files']:>5} files  {result['seconds']:>7.2f} s  "
        f"{result['ms_per_file']:>6.1f} ms/file  start {result['startup_seconds']:>5.2f} s  "
        f"RSS {result['peak_rss_mb']:>5} MB (+ server {result['server_rss_mb']} MB)  "
        f"{result['counts']}"
    )


if __name__ == "__main__":
    main()
