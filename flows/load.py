"""Prefect flow `load-outputs`: report JSONs of an output folder into the store.

The SQL lives in :mod:`flows.store`; this module only puts its steps in order. Loading
is sequential on purpose: each document is one short transaction, and parallel writers
to one DuckDB file would only contend for its lock.
"""

from __future__ import annotations

from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from flows.store import LoadSummary, export_parquet, load_outputs, open_store, store_url


@task(name="load-folder", cache_policy=NO_CACHE)
def load_folder(url: str, out_dir: Path) -> LoadSummary:
    """Upsert every report JSON of ``out_dir`` (one transaction per document)."""
    engine = open_store(url)
    try:
        return load_outputs(engine, out_dir)
    finally:
        engine.dispose()


@task(name="export-parquet", cache_policy=NO_CACHE)
def export_folder(url: str, parquet_dir: Path) -> list[Path]:
    """Each store table as ``<parquet_dir>/<table>.parquet``."""
    engine = open_store(url)
    try:
        return export_parquet(engine, parquet_dir)
    finally:
        engine.dispose()


@flow(name="load-outputs", log_prints=True)
def load_outputs_flow(
    out_dir: str = "output",
    db: str | None = None,
    postgres: str | None = None,
    parquet: str | None = None,
) -> LoadSummary:
    """Load an output folder into DuckDB (``<out_dir>/nianbao.duckdb``) or PostgreSQL.

    Args:
        out_dir: the folder of report JSONs written by ``extract`` or ``backlog``.
        db: a DuckDB file (ignored when ``postgres`` is given).
        postgres: a PostgreSQL URL (``postgresql://user@host:port/db``).
        parquet: also export every table to Parquet files in this folder.
    """
    url = store_url(Path(db) if db else None, postgres, Path(out_dir))
    summary = load_folder(url, Path(out_dir))
    if parquet:
        export_folder(url, Path(parquet))
    rejected = "".join(f"\n- `{k}`: {v}" for k, v in summary.rejected.items())
    create_markdown_artifact(
        key="load-summary",
        markdown=f"# Load summary\n\n{summary.documents} documents, rows {summary.rows}, "
        f"{summary.s2_checks} S2 checks{rejected}",
    )
    print(f"loaded {summary.documents} documents: {summary.rows}")
    return summary
