"""Public response and request models: what the API promises, apart from how the tables
store it.

One module per domain; every name is re-exported here, so `from app import schemas;
schemas.ForcePublic` and `from app.schemas import ForcePublic` both work.
"""

from app.schemas.base import (
    SOURCE_DATE_HELP,
    SOURCE_KIND_HELP,
    ItemKind,
    Level,
    Ref,
    SearchKind,
    _Public,
)
from app.schemas.catalogue import (
    ForcePublic,
    FrameworkDetail,
    FrameworkPublic,
    GradePublic,
    PillarPublic,
    QuestionPublic,
)
from app.schemas.changes import (
    ChangeFeed,
    ChangePublic,
    Health,
)
from app.schemas.findings import (
    CauseOfConcernRef,
    CitationPublic,
    FindingPublic,
    GlossaryTermPublic,
    ItemPublic,
    SourceLines,
)
from app.schemas.grades import (
    ForceCycle,
    ForceDetail,
    ForceHistory,
    FrameworkGrades,
    GridCell,
    GridRow,
    HistoryInspection,
    HistoryLine,
    HistoryPoint,
    LatestGrades,
)
from app.schemas.imports import (
    GradeImportInspections,
    GradeImportResult,
    ImportRequest,
    ImportResult,
    TableChange,
)
from app.schemas.inspections import (
    CardArea,
    CardPillar,
    CardQuestion,
    InspectionCard,
    InspectionPublic,
    QuestionCounts,
    ScopeEntryPublic,
)
from app.schemas.judgments import (
    CountStatement,
    Coverage,
    CrossCheck,
    JudgmentBrief,
    JudgmentPublic,
    SupersededGrade,
    _Provenance,
)
from app.schemas.search import (
    SearchHitPublic,
    SearchResults,
)

__all__ = [
    "SOURCE_DATE_HELP",
    "SOURCE_KIND_HELP",
    "CardArea",
    "CardPillar",
    "CardQuestion",
    "CauseOfConcernRef",
    "ChangeFeed",
    "ChangePublic",
    "CitationPublic",
    "CountStatement",
    "Coverage",
    "CrossCheck",
    "FindingPublic",
    "ForceCycle",
    "ForceDetail",
    "ForceHistory",
    "ForcePublic",
    "FrameworkDetail",
    "FrameworkGrades",
    "FrameworkPublic",
    "GlossaryTermPublic",
    "GradeImportInspections",
    "GradeImportResult",
    "GradePublic",
    "GridCell",
    "GridRow",
    "Health",
    "HistoryInspection",
    "HistoryLine",
    "HistoryPoint",
    "ImportRequest",
    "ImportResult",
    "InspectionCard",
    "InspectionPublic",
    "ItemKind",
    "ItemPublic",
    "JudgmentBrief",
    "JudgmentPublic",
    "LatestGrades",
    "Level",
    "PillarPublic",
    "QuestionCounts",
    "QuestionPublic",
    "Ref",
    "ScopeEntryPublic",
    "SearchHitPublic",
    "SearchKind",
    "SearchResults",
    "SourceLines",
    "SupersededGrade",
    "TableChange",
    "_Provenance",
    "_Public",
]
