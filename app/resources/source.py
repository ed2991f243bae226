"""What a list lists: the `Source` every list endpoint, its exports and `peel export` read,
and the catalogue's names a CSV row gives beside the ids it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from pydantic import BaseModel
from sqlmodel import Session

from app.ingest.ids import slugify
from app.services import catalogue

Item = TypeVar("Item", bound=BaseModel)
Fetch = Callable[[Session, int, int], tuple[list[Item], int]]
SortFields = list[tuple[str, bool]]


@dataclass(frozen=True)
class Source(Generic[Item]):
    """What a list endpoint lists: `fetch(session, limit, offset) -> (items, count)`."""

    name: str
    model: type[Item]
    fetch: Fetch[Item]


def sort_fields(sort: SortFields | None, default: str) -> SortFields:
    """`sort` as the route validated it, or `default` (`'inspection,-position'`) read."""
    if sort:
        return sort
    return [(name.lstrip("-"), name.startswith("-")) for name in default.split(",")]


# --- names beside ids, for spreadsheets ---------------------------------------------------

# The id columns a CSV row names beside it (`force` -> `force.name`), when the item has
# no `<id>_name` of its own. Pillar, question, area and grade ids are per framework.
NAMED_IDS = ("force", "framework", "pillar", "question", "area", "grade")


@dataclass(frozen=True)
class CatalogueNames:
    """The catalogue's names by id, read once per export (a handful of queries, never one
    a row): forces and frameworks by id; pillars, questions (areas are questions of area
    frameworks) and grades by (framework, id)."""

    forces: dict[str, str]
    frameworks: dict[str, str]
    units: dict[tuple[str, str, str], str]  # (kind, framework, id): kind pillar/question/grade
    year_slugs: dict[str, str]  # slug of a framework's year label -> framework id

    @classmethod
    def load(cls, session: Session) -> CatalogueNames:
        everything = 10**6
        forces, _ = catalogue.list_forces(session, sort=[], limit=everything, offset=0)
        frameworks, _ = catalogue.list_frameworks(session, sort=[], limit=everything, offset=0)
        units: dict[tuple[str, str, str], str] = {}
        for framework in frameworks:
            grades, pillars, questions = catalogue.framework_catalogue(session, framework.id)
            for kind, rows in (("grade", grades), ("pillar", pillars), ("question", questions)):
                for row in rows:
                    units[(kind, framework.id, row.id)] = row.name
        return cls(
            forces={f.id: f.name for f in forces},
            frameworks={f.id: f.name for f in frameworks},
            units=units,
            year_slugs={slugify(f.year_label): f.id for f in frameworks},
        )

    def framework_of(self, item: dict[str, object]) -> str | None:
        """The framework an item's ids belong to: its own `framework` (or `scale`), else
        its inspection's (`<force>-<year label slug>`)."""
        for key in ("framework", "scale"):
            value = item.get(key)
            if isinstance(value, str) and value in self.frameworks:
                return value
        inspection = item.get("inspection")
        if isinstance(inspection, str):
            for slug in sorted(self.year_slugs, key=len, reverse=True):
                if inspection.endswith(f"-{slug}"):
                    return self.year_slugs[slug]
        return None

    def name(self, kind: str, identifier: str, item: dict[str, object]) -> str | None:
        """The name of `identifier`, a `kind` id (one of NAMED_IDS) of `item`."""
        if kind == "force":
            return self.forces.get(identifier)
        if kind == "framework":
            return self.frameworks.get(identifier)
        framework = self.framework_of(item)
        if framework is None:
            return None
        return self.units.get(("question" if kind == "area" else kind, framework, identifier))
