"""Upsert the reference catalogue (reference/*.csv, or REFERENCE_DIR) into the database.

Forces, frameworks with their grade scales, pillars and questions (including the later
frameworks' areas, with `verified` as the reference data states it) are data, not
schema: migrations create the tables, this fills them, and re-running it changes only
what the CSV files changed. Entries are never deleted here: inspections may point at
them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from app.config import get_settings
from app.db import writing
from app.ingest.reference import REFERENCE_DIR, Reference, default_reference, load_reference
from app.models import Force, Framework, Grade, Pillar, Question
from app.store.changes import record_change, stored_version
from app.store.rows import Row, complete, insert_rows, primary_key, stored_rows, table_of

# Parents first, so foreign keys hold at every insert.
CATALOGUE_TABLES: tuple[type[SQLModel], ...] = (Force, Framework, Grade, Pillar, Question)


def configured_reference() -> Reference:
    """The reference data of the REFERENCE_DIR setting (`reference/` by default), read once
    per directory: what the catalogue sync stores and the loaders check sources against."""
    directory = get_settings().reference_dir.resolve()
    if directory == REFERENCE_DIR.resolve():
        return default_reference()  # the parser's own, read once per process
    return _reference_in(directory)


@cache
def _reference_in(directory: Path) -> Reference:
    return load_reference(directory)


@dataclass(frozen=True)
class CatalogueResult:
    inserted: int
    updated: int
    data_version: int

    @property
    def changed(self) -> bool:
        return bool(self.inserted or self.updated)


def catalogue_rows(reference: Reference) -> dict[type[SQLModel], list[Row]]:
    """The rows the reference data describes, per table."""
    frameworks = list(reference.frameworks.values())
    rows: dict[type[SQLModel], list[dict]] = {
        Force: [vars(f) for f in reference.forces],
        Framework: [
            {
                "id": f.id,
                "name": f.name,
                "year_label": f.year_label,
                "structure": f.structure,
                "source_url": f.source_url,
                "outside_scope": f.outside_scope,
            }
            for f in frameworks
        ],
        Grade: [
            {"framework_id": f.id, "position": n, **vars(g)}
            for f in frameworks
            for n, g in enumerate(f.grades, start=1)
        ],
        Pillar: [{**vars(p), "framework_id": p.framework} for f in frameworks for p in f.pillars],
        Question: [
            {
                **vars(q),
                "framework_id": q.framework,
                "pillar_id": q.pillar,
                "aliases": list(q.aliases),
            }
            for f in frameworks
            for q in f.questions
        ],
    }
    return {model: [complete(model, r) for r in table] for model, table in rows.items()}


def sync_catalogue(target: Engine | Session, reference: Reference | None = None) -> CatalogueResult:
    """Insert missing and update changed catalogue rows; bump the data version if any.

    `reference` defaults to the configured one (`configured_reference`)."""
    wanted = catalogue_rows(reference or configured_reference())
    inserted = updated = 0
    with writing(target) as session:
        for model in CATALOGUE_TABLES:
            table = table_of(model)
            stored = stored_rows(session, model)
            new = []
            for row in wanted[model]:
                existing = stored.get(primary_key(model, row))
                if existing is None:
                    new.append(row)
                elif existing != row:
                    where = [table.c[c.name] == row[c.name] for c in table.primary_key.columns]
                    session.execute(table.update().where(*where).values(**row))
                    updated += 1
            inserted += insert_rows(session, model, new)
        if inserted or updated:
            version = record_change(session, "catalogue.updated")
        else:
            version = stored_version(session)
    return CatalogueResult(inserted, updated, version)
