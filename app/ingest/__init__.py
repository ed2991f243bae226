"""Pure reading: report texts into validated documents (parse), grade-record and
grade-count CSVs into checked records, or a located error. No database: app/store
writes what this reads."""

from app.ingest.document import ReportDocument
from app.ingest.errors import ReportParseError
from app.ingest.parse import parse

__all__ = ["ReportDocument", "ReportParseError", "parse"]
