"""Shared by every public model: the base class, references, provenance wording.

Public response models: what the API promises, apart from how the tables store it.

Enum-like values are lowercase slugs (`requires-improvement`, `area-for-improvement`).
Every grade travels with its `scale` (the framework whose grade scale it is on): grades
of different frameworks are not comparable."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

ItemKind = Literal["area-for-improvement", "cause-of-concern", "recommendation"]


SearchKind = Literal[
    "finding", "summary", "inspection", "area-for-improvement", "cause-of-concern", "recommendation"
]


class _Public(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Ref(_Public):
    """A reference to another resource: its id, its name and its URL."""

    id: str
    name: str | None = None
    href: str


SOURCE_KIND_HELP = (
    "The kind of source stating the grade: `report` (parsed from the report's text), "
    "`assessment-page` (an HMICFRS assessment page), `hmicfrs` (another HMICFRS page), "
    "`press-release`, `commissioner` (a police and crime commissioner's page), `force` (the "
    "force's own page), `panel-papers` (police and crime panel papers) or `news`."
)


SOURCE_DATE_HELP = (
    "The date the statement speaks for, as precise as the source gives it (YYYY, YYYY-MM "
    "or YYYY-MM-DD); null where it gives none."
)


Level = Literal["pillar", "question", "area"]
