"""Migrations: empty -> head, head -> base -> head, one head, and models == migrations."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

from app.db import alembic_config, downgrade, migrate, schema_revision
from app.store.search_index import is_search_table
from tests.helpers import ROOT, run_cli


def _tables(engine: Engine) -> set[str]:
    return {t for t in inspect(engine).get_table_names() if not t.startswith("search_index_")}


def test_upgrade_creates_every_table_and_the_search_index(engine: Engine) -> None:
    migrate(engine)

    expected = {t.name for t in SQLModel.metadata.sorted_tables}
    assert _tables(engine) == expected | {"alembic_version", "search_index"}
    current, head = schema_revision(engine)
    assert current == head
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT id, version FROM data_version").all() == [(1, 0)]


def test_downgrade_to_base_and_upgrade_again(engine: Engine) -> None:
    migrate(engine)
    downgrade(engine, "base")
    assert _tables(engine) == {"alembic_version"}

    migrate(engine)
    assert "judgment" in _tables(engine)
    assert schema_revision(engine)[0] == schema_revision(engine)[1]


def test_there_is_one_head() -> None:
    assert len(ScriptDirectory.from_config(alembic_config()).get_heads()) == 1


def test_models_match_migrations(engine: Engine) -> None:
    """The `alembic check` equivalent: autogenerate against head finds nothing to do."""
    migrate(engine)

    def include_name(name: str | None, type_: str, parent_names: object) -> bool:
        return not (type_ == "table" and is_search_table(name))

    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        assert compare_metadata(context, SQLModel.metadata) == []


def test_migration_files_are_dated() -> None:
    names = [p.name for p in (ROOT / "migrations" / "versions").glob("*.py")]
    assert names
    assert all(re.match(r"\d{4}_\d{2}_\d{2}_\d{4}-\w+\.py$", n) for n in names), names


def _row_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: connection.exec_driver_sql(f"SELECT COUNT(*) FROM {table}").scalar_one()
            for table in ("inspection", "judgment", "judgment_check")
        }


def test_the_latest_migration_keeps_every_row_both_ways(engine: Engine, database_url: str) -> None:
    """A migration that rebuilds a table (SQLite batch mode) must not lose the rows that
    point at it: dropping the old judgment table would cascade to its checks."""
    migrate(engine)
    assert run_cli("seed", database_url=database_url).returncode == 0
    # Keep only judgments every revision can hold (the latest adds NULL grades and lineage).
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "DELETE FROM judgment WHERE grade_id IS NULL OR carried_over IS NULL"
        )
    before = _row_counts(engine)
    assert before["judgment_check"] > 0  # the seed's pages checking the report's grades
    previous = ScriptDirectory.from_config(alembic_config()).get_revision("head").down_revision
    downgrade(engine, previous)
    assert _row_counts(engine) == before
    migrate(engine)
    assert _row_counts(engine) == before
