"""A synthetic dataset for the benchmark only: every reference force x three frameworks.

Built from the seed document: each copy renames the force (in every text field) and
shuffles the grades; the two extra frameworks are copies of the 2018/19 catalogue under
other ids and year labels, inserted into the benchmark database alone. Never load this
into the real database: `build(url)` refuses a database that has not been named for it.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace
from pathlib import Path

from sqlalchemy import Engine, insert, select
from sqlmodel import Session

from app.ingest.document import ReportDocument
from app.ingest.manifest import read_manifest
from app.ingest.parse import parse
from app.ingest.reference import default_reference
from app.models import Framework, Grade, Pillar, Question
from app.store.report import load_document

ROOT = Path(__file__).resolve().parents[1]
EXTRA_FRAMEWORKS = (("bench-a", "Bench A", "2030/31"), ("bench-b", "Bench B", "2031/32"))


def _copy_catalogue(engine: Engine, source: str) -> None:
    with Session(engine) as session, session.begin():
        if session.get(Framework, EXTRA_FRAMEWORKS[0][0]):
            return
        original = session.get(Framework, source)
        for framework_id, name, year in EXTRA_FRAMEWORKS:
            session.execute(
                insert(Framework).values(
                    id=framework_id,
                    name=name,
                    year_label=year,
                    structure=original.structure,
                    source_url=original.source_url,
                )
            )
            for model in (Grade, Pillar, Question):
                rows = session.execute(select(model).where(model.framework_id == source)).scalars()
                for row in rows:
                    values = row.model_dump()
                    values["framework_id"] = framework_id
                    session.execute(insert(model).values(**values))


def variant(
    document: ReportDocument, force_id: str, force_name: str, framework: str, year: str, seed: int
) -> ReportDocument:
    """The document as if about another force, framework and year, with shuffled grades."""
    randomiser = random.Random(seed)
    scale = ["outstanding", "good", "requires-improvement", "inadequate"]
    old_name = re.escape(document.force.name)
    data = json.loads(re.sub(old_name, lambda _: force_name, document.model_dump_json()))
    data["force"] = {"id": force_id, "name": force_name}
    data["framework"], data["year_label"] = framework, year
    data["inspection_id"] = f"{force_id}-{year.replace('/', '-')}"
    for judgment in data["judgments"]:
        if judgment["grade"] != "ungraded":
            judgment["grade"] = randomiser.choice(scale)
        if judgment["last_inspected"] == document.year_label:
            judgment["last_inspected"] = year
    grades = {(j["pillar"], j["question"]): j["grade"] for j in data["judgments"]}
    for pillar in data["pillars"]:
        pillar["grade"] = grades[(pillar["pillar"], None)]
        for question in pillar["questions"]:
            if question["grade"] is not None:
                question["grade"] = grades[(pillar["pillar"], question["question"])]
    return ReportDocument.model_validate(data)


def build(engine: Engine) -> int:
    """Load the synthetic inspections into a migrated, catalogued benchmark database."""
    if "bench" not in str(engine.url):
        raise SystemExit(f"refusing to load synthetic data into {engine.url!r}: not a bench DB")
    (source,) = [s for s in read_manifest(ROOT / "seed") if s.kind == "report"]
    document = parse(source.path.read_text(encoding="utf-8"), force_id=source.force)
    _copy_catalogue(engine, document.framework)
    frameworks = [(document.framework, document.year_label)] + [
        (framework_id, year) for framework_id, _, year in EXTRA_FRAMEWORKS
    ]
    loaded = 0
    for n, force in enumerate(default_reference().forces):
        for framework, year in frameworks:
            if force.id == document.force.id and framework == document.framework:
                continue  # the real seed inspection stays as it is
            copy = variant(document, force.id, force.name, framework, year, seed=n)
            fake = replace(source, force=force.id, framework=framework, sha256=f"{n}-{year}")
            load_document(engine, copy, fake)
            loaded += 1
    return loaded
