"""Turning published reports into validated documents (parse) and database rows (load)."""

from app.ingest.document import ReportDocument
from app.ingest.errors import ReportParseError
from app.ingest.parse import parse

__all__ = ["ReportDocument", "ReportParseError", "parse"]
