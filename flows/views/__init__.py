"""What people look at: review pages (HTML), year-over-year comparisons, spreadsheets.

No Prefect and no database here; each module turns report JSONs into one kind of view:

- :mod:`~flows.views.review`: a report's tables, checks and provenance as one HTML page,
  and the batch index; :mod:`~flows.views.review_pages` the source pages with boxes;
- :mod:`~flows.views.review_site`: reads the outputs, renders PDF pages, writes the site;
- :mod:`~flows.views.compare`: two years of one issuer side by side, with S2;
- :mod:`~flows.views.export`: one xlsx sheet or CSV per table, one row per report;
- :mod:`~flows.views.labels`: Chinese labels and key order from the template specs
  (shared with the store's SQL views, so both head their columns alike).

Jinja2 templates are in ``templates/``. The commands that run these views are in
:mod:`flows.cli_views`. What callers use is exported here.
"""

from flows.views.compare import Comparison, compare_reports, comparison_page
from flows.views.export import Sheet, batch_sheets, table_sheet, write_csv, write_xlsx
from flows.views.review import index_page, review_page, table_views
from flows.views.review_site import (
    DEFAULT_PAGE_SCALE,
    ReviewSite,
    build_review_site,
    find_reports,
    read_report,
)

__all__ = [
    "DEFAULT_PAGE_SCALE",
    "Comparison",
    "ReviewSite",
    "Sheet",
    "batch_sheets",
    "build_review_site",
    "compare_reports",
    "comparison_page",
    "find_reports",
    "index_page",
    "read_report",
    "review_page",
    "table_sheet",
    "table_views",
    "write_csv",
    "write_xlsx",
]
