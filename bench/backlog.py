"""Backlog benchmark: the Prefect flow against the plain guarded loop, the idle re-run,
and peak memory, each against the goals of issue 16.

    .venv/bin/python bench/backlog.py [--files 1000] [--rounds 2] [--json FILE]

Generates a made-up backlog (``--files`` minus ten text reports of both templates in
UTF-8 and GBK, plus ten broken files; tests/backlog_factory.py) and runs each mode in a
fresh process with a fresh Prefect home and output folder:

* ``loop``: the library's guarded loop (``extractors.batch.run_batch``), no Prefect;
* ``prefect-1`` / ``prefect-2``: the ``process-backlog`` flow on 1 or 2 threads;
* ``dask-2``: the flow on a local Dask cluster of 2 in-process workers;
* ``rerun``: ``nianbao backlog`` over the good files again, all unchanged (no Prefect).

``loop`` and ``prefect-1`` alternate for ``--rounds`` rounds and the best time of each
counts (the machine may be shared). The overhead is prefect-1 ÷ loop − 1, measured
after the flow's temporary API server has started (its start is shown apart: once per
process, or never with a running ``prefect server``). Times are wall clock; CPU is the
whole process tree's (the process, the guard's fork server and its children, Prefect's
server), and peak memory is the tree's summed RSS, sampled every 0.2 s.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODES = ("loop", "prefect-1", "prefect-2", "dask-2", "rerun")
BROKEN_FILES = 10  # tests/backlog_factory.py writes ten broken files

# Issue 16's goals.
GOAL_OVERHEAD = 0.10  # the flow at one worker over the guarded loop
GOAL_RERUN_SECONDS = 2.0  # a re-run over ~1,000 unchanged files
GOAL_PEAK_MB = 1536  # the flow's process tree on 1,000 files (1.5 GiB)
SAMPLE_SECONDS = 0.2


@dataclass
class ModeResult:
    """One mode's run."""

    mode: str
    files: int
    seconds: float
    cpu_seconds: float
    startup_seconds: float
    peak_rss_mb: float  # the measuring process alone
    peak_tree_mb: float  # with its children (fork server, Prefect's API server)
    counts: dict[str, int]
    command_seconds: float | None = None  # rerun: the whole `nianbao backlog` command
    prefect_started: bool | None = None  # rerun: did anything start Prefect?

    @property
    def ms_per_file(self) -> float:
        """Wall time per file."""
        return 1000 * self.seconds / max(1, self.files)


@dataclass
class BacklogBench:
    """Every mode's best run, and the figures the goals are about."""

    files: int
    rounds: int
    results: dict[str, ModeResult]
    load: tuple[float, float] = (0.0, 0.0)  # load average at the start and the end

    @property
    def overhead(self) -> float | None:
        """Wall time of the flow at one worker over the guarded loop's, minus one."""
        loop, flow = self.results.get("loop"), self.results.get("prefect-1")
        return flow.seconds / loop.seconds - 1 if loop and flow else None

    @property
    def cpu_overhead(self) -> float | None:
        """The same ratio in CPU time of the process trees."""
        loop, flow = self.results.get("loop"), self.results.get("prefect-1")
        return flow.cpu_seconds / loop.cpu_seconds - 1 if loop and flow else None

    def goal_lines(self) -> list[str]:
        """One line per goal: the figure, the goal, met or not."""
        lines = []
        loop, flow = self.results.get("loop"), self.results.get("prefect-1")
        if loop and flow and self.overhead is not None:
            lines.append(
                f"- Orchestration overhead at one worker: flow {flow.seconds:.1f} s vs "
                f"guarded loop {loop.seconds:.1f} s on the same {self.files} files = "
                f"{self.overhead:+.1%} (goal < {GOAL_OVERHEAD:.0%}: "
                f"{_verdict(self.overhead < GOAL_OVERHEAD)}); in CPU time of the "
                f"process trees {self.cpu_overhead:+.1%}. Not counted: the temporary "
                f"Prefect API server's start, {flow.startup_seconds:.1f} s once per "
                "process (none with a running `prefect server`); with it "
                f"{(flow.seconds + flow.startup_seconds) / loop.seconds - 1:+.1%}."
            )
        rerun = self.results.get("rerun")
        if rerun:
            lines.append(
                f"- Re-run with nothing changed ({rerun.files} files, `nianbao "
                f"backlog`): {rerun.seconds:.2f} s in the command, "
                f"{rerun.command_seconds:.2f} s with the interpreter's start (goal < "
                f"{GOAL_RERUN_SECONDS:.0f} s: {_verdict(rerun.seconds < GOAL_RERUN_SECONDS)}"
                f"); Prefect started: {'yes' if rerun.prefect_started else 'no'}."
            )
        flows = [r for r in self.results.values() if r.mode.startswith("prefect")]
        if flows:
            peak = max(flows, key=lambda r: r.peak_tree_mb)
            lines.append(
                f"- Peak memory of the flow, process + children (fork server, Prefect's "
                f"API server): {peak.peak_tree_mb:.0f} MB ({peak.mode}; the process "
                f"alone {peak.peak_rss_mb:.0f} MB) (goal < {GOAL_PEAK_MB} MB: "
                f"{_verdict(peak.peak_tree_mb < GOAL_PEAK_MB)})."
            )
        return lines

    def markdown(self) -> list[str]:
        """The section of docs/benchmarks.md."""
        lines = [
            "## Backlog orchestration",
            "",
            f"bench/backlog.py: {self.files} made-up files ({self.files - BROKEN_FILES} "
            f"text reports of both templates in UTF-8 and GBK, {BROKEN_FILES} broken "
            "files), every mode in a fresh process and output folder; wall time, and "
            "CPU and peak RSS of the whole process tree (the guard's fork server and "
            "its children, Prefect's temporary API server). `loop` is the library's "
            "guarded loop (`run_batch`); the flow extracts one task per chunk of files "
            f"(flows/chunks.py). Best of {self.rounds} alternating rounds for loop and "
            f"flow at 1 worker. Load average {self.load[0]:.1f} at the start and "
            f"{self.load[1]:.1f} at the end: other jobs on the machine swing wall times "
            "more than CPU times.",
            "",
            "| mode | files | wall s | ms/file | CPU s | Prefect start s | peak RSS MB "
            "(process / tree) | outcomes |",
            "|---|---:|---:|---:|---:|---:|---|---|",
        ]
        for r in self.results.values():
            counts = ", ".join(f"{k} {v}" for k, v in r.counts.items())
            start = f"{r.startup_seconds:.1f}" if r.startup_seconds else "–"
            lines.append(
                f"| {r.mode} | {r.files} | {r.seconds:.2f} | {r.ms_per_file:.1f} | "
                f"{r.cpu_seconds:.1f} | {start} | {r.peak_rss_mb:.0f} / "
                f"{r.peak_tree_mb:.0f} | {counts} |"
            )
        return [*lines, "", "Goals (issue 16):", "", *self.goal_lines()]


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def run_backlog_bench(
    files: int = 1000,
    modes: tuple[str, ...] = MODES,
    rounds: int = 2,
    echo: bool = True,
) -> BacklogBench:
    """Generate the backlog and run every mode, each in a child process."""
    sys.path.insert(0, str(ROOT / "tests"))
    from backlog_factory import make_backlog

    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as folder:
        work = Path(folder)
        make_backlog(work / "in", good=files - BROKEN_FILES)
        best = _run_modes(work, modes, rounds, echo)
    ordered = {m: best[m] for m in modes if m in best}
    load = (load_before, os.getloadavg()[0])
    return BacklogBench(files=files, rounds=rounds, results=ordered, load=load)


def _run_modes(
    work: Path, modes: tuple[str, ...], rounds: int, echo: bool
) -> dict[str, ModeResult]:
    order = [m for m in ("loop", "prefect-1") if m in modes] * rounds
    order += [m for m in modes if m not in ("loop", "prefect-1")]
    best: dict[str, ModeResult] = {}
    written: Path | None = None  # the latest complete output, for the re-run
    for number, mode in enumerate(order):
        if mode == "rerun":
            if written is None:
                raise SystemExit("the rerun mode needs the loop or prefect-1 first")
            out = written
        else:
            out = work / f"out-{mode}-{number}"
        result = _in_child(mode, work / "in", out, work / f"prefect-{number}")
        if echo:
            print(_row(result), flush=True)
        if mode not in best or result.seconds < best[mode].seconds:
            best[mode] = result
        if mode in ("loop", "prefect-1"):
            written = out
    return best


def _in_child(mode: str, inputs: Path, out: Path, home: Path) -> ModeResult:
    env = {**os.environ, "PREFECT_HOME": str(home)}
    env.pop("PREFECT_API_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            mode,
            "--input",
            str(inputs),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=True,
    )
    return ModeResult(**json.loads(done.stdout.strip().splitlines()[-1]))


class _TreeMeter:
    """Peak summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self) -> None:
        import psutil

        self.me = psutil.Process()
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _TreeMeter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import psutil

        while not self._stop.wait(SAMPLE_SECONDS):
            total = 0
            for process in [self.me, *self.me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):  # ended since it was listed
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)

    def cpu_seconds(self) -> float:
        """CPU of the tree so far: live processes and the children they reaped."""
        import psutil

        total = 0.0
        for process in [self.me, *self.me.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
            total += times.children_user + times.children_system
        return total


def _run_mode(mode: str, inputs: Path, out: Path) -> dict[str, Any]:
    import resource

    from extractors.batch import find_inputs, run_batch

    startup = 0.0
    extra: dict[str, Any] = {}
    with _TreeMeter() as meter:
        if mode == "loop":
            cpu = meter.cpu_seconds()
            started = time.perf_counter()
            counts = run_batch(find_inputs([inputs]), out, roots=[inputs]).counts
        elif mode == "rerun":
            cpu = meter.cpu_seconds()
            started = time.perf_counter()
            counts, extra = _rerun(inputs, out, meter)
        else:
            from flows.extract import backlog_flow, backlog_runner

            workers = 2 if mode.endswith("2") else 1
            runner = backlog_runner(workers, dask_local=mode.startswith("dask"))
            flow = backlog_flow(runner)
            # The first flow run starts Prefect's temporary API server: timed apart.
            empty = out.parent / f"{out.name}-empty"
            empty.mkdir()
            started = time.perf_counter()
            flow(str(empty), str(empty / "out"))
            startup = time.perf_counter() - started
            cpu = meter.cpu_seconds()
            started = time.perf_counter()
            counts = flow(str(inputs), str(out)).counts
        seconds = time.perf_counter() - started
        cpu = meter.cpu_seconds() - cpu
    return {
        "mode": mode,
        "files": sum(counts.values()),
        "seconds": round(extra.pop("seconds", seconds), 3),
        "cpu_seconds": round(extra.pop("cpu_seconds", cpu), 2),
        "startup_seconds": round(startup, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "peak_tree_mb": round(meter.peak / 2**20),
        "counts": counts,
        **extra,
    }


def _rerun(
    inputs: Path, out: Path, meter: _TreeMeter
) -> tuple[dict[str, int], dict[str, Any]]:
    """``nianbao backlog`` over the good files again: in this process, then as a command.

    Returns:
        The run's counts, and its seconds and CPU, the whole command's seconds and
        whether anything started Prefect.
    """
    import io

    import psutil

    from flows.cli import main

    good = str(inputs / "batch*" / "*.txt")
    command = ["backlog", "--glob", good, "--out", str(out)]
    cpu_before = meter.cpu_seconds()
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(command)
    seconds = time.perf_counter() - started
    cpu = meter.cpu_seconds() - cpu_before
    if code != 0:
        raise SystemExit(f"the re-run exited {code}")
    counts: dict[str, int] = json.loads((out / "_summary.json").read_text("utf-8"))[
        "last_run"
    ]["counts"]
    children = [" ".join(p.cmdline()) for p in psutil.Process().children(True)]
    prefect = "prefect" in sys.modules or any("uvicorn" in c for c in children)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "flows.cli", *command],
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    whole = time.perf_counter() - started
    return counts, {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "command_seconds": round(whole, 2),
        "prefect_started": prefect,
    }


def _row(result: ModeResult) -> str:
    return (
        f"{result.mode:<10} {result.files:>5} files  {result.seconds:>7.2f} s  "
        f"{result.ms_per_file:>6.1f} ms/file  CPU {result.cpu_seconds:>6.1f} s  "
        f"start {result.startup_seconds:>5.2f} s  RSS {result.peak_rss_mb:>5.0f} MB "
        f"(tree {result.peak_tree_mb:.0f} MB)  {result.counts}"
    )


def main() -> None:
    """Run the modes, print each run, then the figures against the goals."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000, help="files (≥ 20)")
    parser.add_argument("--modes", default=",".join(MODES))
    parser.add_argument("--rounds", type=int, default=2, help="loop/flow alternations")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(_run_mode(args.worker, args.input, args.out)))
        return
    bench = run_backlog_bench(args.files, tuple(args.modes.split(",")), args.rounds)
    print("\n".join(bench.goal_lines()))
    if args.json:
        data = [asdict(r) for r in bench.results.values()]
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
