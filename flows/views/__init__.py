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
:mod:`flows.cli_views`. Import from the modules (``from flows.views.review import
review_page``): this ``__init__`` stays empty so that the store, which borrows
:mod:`~flows.views.labels`, does not load the page and spreadsheet machinery.
"""
