"""The report store: tidy tables in DuckDB or PostgreSQL, versioned, with analysts' views.

No Prefect here (the flow that drives a load is :mod:`flows.load`); each module is one
part of the database:

- :mod:`~flows.store.load`: open a store, load reports and output folders, S2, Parquet;
- :mod:`~flows.store.rows`: the rows a report becomes (no database);
- :mod:`~flows.store.schema`: the tables as SQLAlchemy Core, and their Arrow types;
- :mod:`~flows.store.migrate` with ``migrations/NNNN_name.sql``: schema versions;
- :mod:`~flows.store.views`: the ready-made SQL views with Chinese column names;
- :mod:`~flows.store.database`: creating a missing PostgreSQL database, or saying how.

What callers use is exported here: ``from flows.store import open_store, load_outputs``.
"""

from flows.store.database import StoreUnavailable
from flows.store.load import (
    DEFAULT_DUCKDB_NAME,
    LoadSummary,
    export_parquet,
    load_outputs,
    load_report,
    open_store,
    refresh_cross_year,
    store_url,
    table_counts,
)
from flows.store.rows import report_rows

__all__ = [
    "DEFAULT_DUCKDB_NAME",
    "LoadSummary",
    "StoreUnavailable",
    "export_parquet",
    "load_outputs",
    "load_report",
    "open_store",
    "refresh_cross_year",
    "report_rows",
    "store_url",
    "table_counts",
]
