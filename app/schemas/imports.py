"""Imports: what a client sends and what an import did."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.ingest.document import ReportDocument
from app.schemas.base import _Public


class ImportRequest(BaseModel):
    """A report and what is known of it; only `text` is required."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(max_length=16 * 1024 * 1024, description="The report's text.")
    force: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")
    framework: str | None = Field(default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,80}$")
    published: date | None = None
    source_url: str | None = Field(default=None, max_length=500)
    licence: str | None = Field(default=None, max_length=100)
    filename: str | None = Field(default=None, max_length=200, pattern=r"^[\w.\-]+$")


class TableChange(_Public):
    before: int
    after: int


class ImportResult(_Public):
    inspection: str
    href: str
    status: Literal["created", "replaced", "unchanged"] = Field(
        description="What the import did (or, in a dry run, would do)."
    )
    dry_run: bool
    data_version: int = Field(description="The data version the inspection is at.")
    changes: dict[str, TableChange] = Field(description="Rows per table, before and after.")
    document: ReportDocument | None = Field(
        description="In a dry run: the parsed document that would be loaded."
    )


class GradeImportInspections(_Public):
    created: list[str] = Field(description="Inspections built from the file's records.")
    replaced: list[str] = Field(description="Inspections the records rebuilt.")
    unchanged: list[str] = Field(
        description="Inspections already built from the same records, or held from a report "
        "(whose grades stand; the records are stored as checks beside them)."
    )


class GradeImportResult(_Public):
    """What a grade-record (or grade-count) CSV did, or in a dry run would do."""

    kind: Literal["grade-records", "grade-counts"] = Field(
        description="The file's kind, told by its header: grades, or counts of grades."
    )
    file: str = Field(description="The name the file is stored under (`filename`).")
    status: Literal["created", "replaced", "unchanged"] = Field(
        description="What the import did (or, in a dry run, would do): `created` if it built "
        "an inspection (or stored counts for a new file), `replaced` if it changed stored "
        "data, `unchanged` if nothing changed."
    )
    dry_run: bool
    data_version: int = Field(description="The data version after the import.")
    records: int = Field(description="Grades (or rows of counts) the file holds.")
    inspections: GradeImportInspections
    checked: int = Field(
        description="Grades compared with a report's judgments (the report's grades stand)."
    )
    warnings: list[str] = Field(
        description="Sources that disagree (`FILE:LINE: ...`): a report and a page, or "
        "counts and the grades known. Both are kept; check them."
    )
