"""Writing: the one home of every change to the database.

Loaders for report documents (report.py, report_rows.py), grade records (grade_load.py)
and grade counts (count_load.py), catalogue sync (catalogue.py), the data version and
change feed (changes.py), the search index (search_index.py), and the entry points that
`peel load`, `peel seed` and `POST /v1/imports` all call (flows.py). The store takes
validated documents and records from app.ingest (pure) and never calls the read
services (app.services).
"""
