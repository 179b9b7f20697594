"""Progress bars of the long commands: done of total, rate and time left, on a terminal.

Without a terminal (logs, pipes, cron mail) no bar is drawn; the commands print their
plain line per file at the end instead.
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class FilesPerSecond(ProgressColumn):
    """How many files a second the command gets through (rich's speed estimate)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} files/s")


def progress_bar(label: str, console: Console) -> Progress:
    """A bar showing ``label``, done/total, files a second, time left and the last file."""
    return Progress(
        TextColumn(f"[bold]{label}"),
        BarColumn(),
        MofNCompleteColumn(),
        FilesPerSecond(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        console=console,
        disable=not console.is_terminal,  # no bar drawn into logs and cron mail
    )
