"""Reference data: forces, frameworks, grade scales, pillars and questions.

Read from the CSV files in `reference/`; everything the parser knows about a force or a
framework comes from here, never from literals in code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from app.ingest.ids import normalise

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference"


@dataclass(frozen=True)
class Force:
    id: str
    name: str
    country: str
    kind: str


@dataclass(frozen=True)
class Grade:
    id: str
    name: str
    rank: int | None  # 1 = best; None = outside the scale (ungraded)
    source_url: str


@dataclass(frozen=True)
class Question:
    id: str
    framework: str
    pillar: str | None
    position: int
    name: str
    official_question: str
    graded: bool
    aliases: tuple[str, ...]
    verified: bool = True
    source_url: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class Pillar:
    id: str
    framework: str
    position: int
    name: str
    headline_question: str


@dataclass
class Framework:
    id: str
    name: str
    year_label: str
    structure: str
    source_url: str
    grades: list[Grade] = field(default_factory=list)
    pillars: list[Pillar] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    # Forces this framework did not inspect: [{"force", "reason", "source_url"}].
    outside_scope: list[dict[str, str]] = field(default_factory=list)

    def grade_for(self, printed: str) -> Grade | None:
        wanted = normalise(printed)
        return next((g for g in self.grades if normalise(g.name) == wanted), None)

    def question_for(self, printed: str) -> Question | None:
        wanted = normalise(printed)
        for question in self.questions:
            if any(normalise(n) == wanted for n in question.names):
                return question
        return None

    def pillar_for(self, printed: str) -> Pillar | None:
        wanted = normalise(printed)
        return next((p for p in self.pillars if normalise(p.name) == wanted), None)


@dataclass
class Reference:
    forces: list[Force]
    frameworks: dict[str, Framework]

    def force(self, force_id: str) -> Force | None:
        return next((f for f in self.forces if f.id == force_id), None)

    def framework_for_year(self, year_label: str) -> Framework | None:
        return next((f for f in self.frameworks.values() if f.year_label == year_label), None)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _grade_rank(position: str) -> int | None:
    return int(position[1:]) if position.startswith("G") else None


def load_reference(directory: Path = REFERENCE_DIR) -> Reference:
    forces = [
        Force(r["id"], r["name"], r["country"], r["kind"]) for r in _rows(directory / "forces.csv")
    ]
    frameworks = {
        r["id"]: Framework(r["id"], r["name"], r["year_label"], r["structure"], r["source_url"])
        for r in _rows(directory / "frameworks.csv")
    }
    for row in _rows(directory / "peel-2018-19-framework.csv"):
        framework = frameworks[row["framework"]]
        if not any(p.id == row["pillar"] for p in framework.pillars):
            framework.pillars.append(
                Pillar(
                    id=row["pillar"],
                    framework=framework.id,
                    position=len(framework.pillars) + 1,
                    name=row["pillar"].capitalize(),
                    headline_question=row["pillar_question"],
                )
            )
        framework.questions.append(
            Question(
                id=row["question_id"],
                framework=framework.id,
                pillar=row["pillar"],
                position=int(row["position"]),
                name=row["name"],
                official_question=row["official_question"],
                graded=row["graded"] == "yes",
                aliases=tuple(a for a in row["aliases"].split("|") if a),
            )
        )
    for filename in ("peel-2018-19-scale.csv", "peel-2014-2017.csv", "peel-later-frameworks.csv"):
        for row in _rows(directory / filename):
            framework = frameworks[row["framework"]]
            if row["kind"] == "pillar":
                # 2014-2017: the pillars only; their questions come with the grade records.
                framework.pillars.append(
                    Pillar(
                        id=row["id"],
                        framework=framework.id,
                        position=int(row["position"]),
                        name=row["name"],
                        headline_question="",  # no stored page states it: left empty
                    )
                )
            elif row["kind"] == "grade":
                framework.grades.append(
                    Grade(row["id"], row["name"], _grade_rank(row["position"]), row["source_url"])
                )
            elif row["kind"] == "area":
                framework.questions.append(
                    Question(
                        id=row["id"],
                        framework=framework.id,
                        pillar=None,
                        position=int(row["position"]),
                        name=row["name"],
                        official_question=row["name"],
                        graded=row["graded"].startswith("yes"),
                        aliases=tuple(a for a in (row.get("aliases") or "").split("|") if a),
                        verified=row["verified"] == "yes",
                        source_url=row["source_url"],
                    )
                )
    for row in _rows(directory / "peel-outside-scope.csv"):
        frameworks[row["framework"]].outside_scope.append(
            {"force": row["force_id"], "reason": row["reason"], "source_url": row["source_url"]}
        )
    return Reference(forces=forces, frameworks=frameworks)


@cache
def default_reference() -> Reference:
    return load_reference()
