"""Search whose cost follows the page: what ranking and facet counts read per match.

SQLite: FTS5 reads a row's stored (UNINDEXED) columns by loading the whole stored row,
body included, so ranking by kind and counting facets over many matches read every
matching body. `search_index_meta` repeats the short columns (kind, ref_id, inspection,
question, pillar) under the FTS5 rowid; the loader (app/store/search_index.py) writes
both in one transaction. Named within the search table's prefix: made per dialect by
the migrations, not by the models.

Postgres: `search_index.document` is already a STORED generated `tsvector` with a GIN
index (0001), but the index took new rows into its pending list (`fastupdate`), which
every search scans in full until a vacuum merges it: after a load the planner priced
the index out, read every row's tsvector (detoasted) and a search cost the whole table.
The index is now updated as rows are written (a load of ~40 rows pays a few ms) and
the pending list is merged once here.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_META = """
CREATE TABLE search_index_meta (
    id INTEGER PRIMARY KEY,  -- the rowid of the row in search_index
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    inspection TEXT NOT NULL,
    question TEXT,
    pillar TEXT
)
"""


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_search_index_document SET (fastupdate = off)")
        op.execute("SELECT gin_clean_pending_list('ix_search_index_document')")
        return
    op.execute(SQLITE_META)
    op.execute("CREATE INDEX ix_search_index_meta_inspection ON search_index_meta (inspection)")
    op.execute(
        "INSERT INTO search_index_meta (id, kind, ref_id, inspection, question, pillar) "
        "SELECT rowid, kind, ref_id, inspection, question, pillar FROM search_index"
    )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute("ALTER INDEX ix_search_index_document RESET (fastupdate)")
        return
    op.execute("DROP TABLE search_index_meta")
