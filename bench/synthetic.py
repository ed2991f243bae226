"""Synthetic datasets for the benchmark only, built from the seed document.

`build`: every reference force x three frameworks (135 inspections). `reports`: the seed
plus 20 more full reports, the seed's framework and year, so full-text search finds about
21 times the seed's matches (the `reports21` dataset). Each copy renames the force (in
every text field) and shuffles the grades; `build`'s two extra frameworks are copies of
the 2018/19 catalogue under other ids and year labels, inserted into the benchmark
database alone. Never load these into the real database: both refuse a database that has
not been named for the benchmark.
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
from app.ingest.manifest import ReportSource, read_manifest
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


def _seed_report(engine: Engine) -> tuple[ReportSource, ReportDocument]:
    if "bench" not in str(engine.url):
        raise SystemExit(f"refusing to load synthetic data into {engine.url!r}: not a bench DB")
    (source,) = [s for s in read_manifest(ROOT / "seed") if s.kind == "report"]
    return source, parse(source.path.read_text(encoding="utf-8"), force_id=source.force)


def reports(engine: Engine, count: int = 20) -> int:
    """Load `count` renamed copies of the seed report (the first forces of the reference
    other than the seed's, same framework and year) into a seeded benchmark database."""
    source, document = _seed_report(engine)
    forces = [f for f in default_reference().forces if f.id != document.force.id][:count]
    for n, force in enumerate(forces):
        copy = variant(document, force.id, force.name, document.framework, document.year_label, n)
        load_document(engine, copy, replace(source, force=force.id, sha256=f"reports-{n}"))
    return len(forces)


def build(engine: Engine) -> int:
    """Load the synthetic inspections into a migrated, catalogued benchmark database."""
    source, document = _seed_report(engine)
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
