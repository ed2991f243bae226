"""The loader against the real seed report, on SQLite and (when configured) Postgres."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

import app.store.report as load
from app.ingest.document import ReportDocument
from app.ingest.manifest import ReportSource, sha256_text
from app.ingest.parse import parse
from app.models import ActionItem, DataChange, Finding, Inspection, Judgment
from app.services.data_version import current_version
from app.services.search import SearchFilters, parse_query, search
from app.store.report import load_document
from tests.helpers import ROOT, SEED_DIR, SEED_REPORT, changed_report_text, dump, run_cli

CHILD = ROOT / "tests" / "load_child.py"


def _child(database_url: str, report: Path, *options: str) -> list[str]:
    """The command line of tests/load_child.py."""
    return [sys.executable, str(CHILD), database_url, str(report), *options]


def _count(engine: Engine, model: type, *where: object) -> int:
    with Session(engine) as session:
        statement = select(func.count()).select_from(model).where(*where)
        return session.execute(statement).scalar_one()


def _findings_in(document: ReportDocument) -> int:
    return sum(len(q.findings) for p in document.pillars for q in p.questions)


@pytest.fixture
def changed_report(tmp_path: Path, seed_document: ReportDocument) -> tuple[Path, str, str]:
    """The seed report with one grade edited, beside a copy of the seed manifest."""
    directory = tmp_path / "changed"
    directory.mkdir()
    shutil.copy(SEED_DIR / "manifest.csv", directory / "manifest.csv")
    text, question, grade = changed_report_text(
        seed_document, SEED_REPORT.read_text(encoding="utf-8")
    )
    (directory / SEED_REPORT.name).write_text(text, encoding="utf-8")
    return directory / SEED_REPORT.name, question, grade


def _changed_source(path: Path, seed_source: ReportSource) -> tuple[ReportDocument, ReportSource]:
    text = path.read_text(encoding="utf-8")
    return parse(text, force_id=seed_source.force), replace(seed_source, sha256=sha256_text(text))


def test_seed_on_an_empty_database_stores_the_report(
    database_url: str, engine: Engine, seed_document: ReportDocument
) -> None:
    result = run_cli("seed", database_url=database_url)

    assert result.returncode == 0, result.stderr
    assert f"{SEED_REPORT.name} ... created (" in result.stdout
    assert _count(engine, Inspection, Inspection.source_kind == "report") == 1
    of_report = Judgment.inspection_id == seed_document.inspection_id
    assert _count(engine, Judgment, of_report, Judgment.question_id.is_(None)) == 3
    assert _count(engine, Judgment, of_report, Judgment.question_id.is_not(None)) == 10
    assert _count(engine, ActionItem, ActionItem.kind == "area-for-improvement") == 6
    assert _count(engine, ActionItem, ActionItem.kind == "cause-of-concern") == 1
    assert _count(engine, ActionItem, ActionItem.kind == "recommendation") == 1
    assert _count(engine, Finding) == _findings_in(seed_document)


def test_loading_the_same_report_twice_changes_nothing(
    db: Engine, seed_document: ReportDocument, seed_source: ReportSource
) -> None:
    first = load_document(db, seed_document, seed_source)
    before = dump(db)

    second = load_document(db, seed_document, seed_source)

    assert (first.status, second.status) == ("created", "unchanged")
    assert second.counts == first.counts
    assert dump(db) == before


def test_the_write_path_is_idempotent_without_the_hash_shortcut(
    db: Engine, seed_document: ReportDocument, seed_source: ReportSource
) -> None:
    load_document(db, seed_document, seed_source)
    before = dump(db)

    again = load_document(db, seed_document, seed_source, trust_hash=False)

    assert again.status == "unchanged"
    assert dump(db) == before


def test_a_changed_report_replaces_its_rows_and_bumps_the_data_version(
    db: Engine,
    seed_document: ReportDocument,
    seed_source: ReportSource,
    changed_report: tuple[Path, str, str],
) -> None:
    load_document(db, seed_document, seed_source)
    with Session(db) as session:
        version = current_version(session)
    path, question, grade = changed_report
    document, source = _changed_source(path, seed_source)

    result = load_document(db, document, source)

    assert result.status == "replaced"
    assert result.data_version == version + 1
    with Session(db) as session:
        judgment = session.execute(
            select(Judgment).where(Judgment.question_id == question)
        ).scalar_one()
        assert judgment.grade_id == grade
        assert session.get(Inspection, result.inspection_id).content_sha256 == source.sha256
        changes = session.execute(select(DataChange).order_by(DataChange.id)).scalars().all()
        assert (changes[-1].kind, changes[-1].version) == ("inspection.replaced", version + 1)
    assert _count(db, Judgment) == len(seed_document.judgments)  # replaced, not added


def test_a_failure_half_way_leaves_the_database_as_it_was(
    db: Engine,
    seed_document: ReportDocument,
    seed_source: ReportSource,
    changed_report: tuple[Path, str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    load_document(db, seed_document, seed_source)
    before = dump(db)
    document, source = _changed_source(changed_report[0], seed_source)
    original, calls = load.insert_rows, []

    def insert_then_fail(session, model, rows):  # type: ignore[no-untyped-def]
        written = original(session, model, rows)
        session.flush()
        calls.append(model)
        if len(calls) == 3:  # old rows deleted, three tables of new rows written
            raise RuntimeError("injected failure")
        return written

    monkeypatch.setattr(load, "insert_rows", insert_then_fail)
    with pytest.raises(RuntimeError, match="injected failure"):
        load_document(db, document, source)

    assert len(calls) == 3
    assert dump(db) == before


def test_a_load_killed_mid_transaction_leaves_the_database_as_it_was_and_usable(
    database_url: str,
    db: Engine,
    seed_document: ReportDocument,
    seed_source: ReportSource,
    changed_report: tuple[Path, str, str],
    tmp_path: Path,
) -> None:
    load_document(db, seed_document, seed_source)
    before = dump(db)
    db.dispose()  # the child must not wait on a connection this process holds
    paused = tmp_path / "paused"
    child = subprocess.Popen(
        _child(
            database_url,
            changed_report[0],
            "--pause-after",
            "3",
            "--pause",
            "60",
            "--announce",
            str(paused),
        ),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not paused.exists():
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline, "the child never reached its pause"
            time.sleep(0.02)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    assert dump(db) == before
    document, source = _changed_source(changed_report[0], seed_source)
    assert load_document(db, document, source).status == "replaced"


def test_two_concurrent_loads_of_one_report_make_one_inspection(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    db.dispose()
    go = tmp_path / "go"
    children, ready = [], []
    for n in range(2):
        ready.append(tmp_path / f"ready-{n}")
        children.append(
            subprocess.Popen(
                # Each holds its transaction open a while: the other load must wait.
                _child(
                    database_url,
                    SEED_REPORT,
                    "--pause-after",
                    "1",
                    "--pause",
                    "0.5",
                    "--ready",
                    str(ready[-1]),
                    "--wait-for",
                    str(go),
                ),
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    deadline = time.monotonic() + 60  # both children parse before either is let go
    while not all(p.exists() for p in ready):
        assert all(child.poll() is None for child in children), children
        assert time.monotonic() < deadline, "the children never got ready"
        time.sleep(0.02)
    go.touch()
    outputs = [child.communicate(timeout=60) for child in children]

    assert [child.returncode for child in children] == [0, 0], outputs
    statuses = sorted(out.strip().splitlines()[-1] for out, _ in outputs)
    assert statuses == ["created", "unchanged"]
    assert _count(db, Inspection) == 1
    assert _count(db, DataChange, DataChange.kind == "inspection.created") == 1


def test_an_unparseable_report_exits_2_and_writes_nothing(
    database_url: str, db: Engine, tmp_path: Path
) -> None:
    before = dump(db)
    db.dispose()
    lines = SEED_REPORT.read_text(encoding="utf-8").split("\n")
    broken = tmp_path / "broken.txt"
    broken.write_text("\n".join(lines[:60]), encoding="utf-8")  # stops inside the scope table

    result = run_cli("load", str(broken), "--force", "west-midlands", database_url=database_url)

    assert result.returncode == 2
    assert result.stderr.startswith(f"{broken}:")
    _where, next_step = result.stderr.strip().splitlines()
    assert next_step.startswith("peel: ") and "PEEL report" in next_step
    assert "Traceback" not in result.stderr
    assert dump(db) == before


@pytest.mark.parametrize(
    "command", [["migrate"], ["seed"], ["load", str(SEED_REPORT)], ["prestart"], ["serve"]]
)
def test_an_unreachable_database_names_the_host_and_what_to_check(command: list[str]) -> None:
    result = run_cli(*command, database_url="postgresql+psycopg://peel@127.0.0.1:5999/peel")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    where, next_step = result.stderr.strip().splitlines()
    assert where == "peel: cannot connect to database at 127.0.0.1:5999: connection refused"
    assert "DATABASE_URL" in next_step


def test_load_needs_a_migrated_database(database_url: str) -> None:
    result = run_cli("load", str(SEED_REPORT), database_url=database_url)

    assert result.returncode == 1
    assert "run `peel migrate`" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_pillar_judgment_cannot_be_stored_twice(
    db: Engine, seed_document: ReportDocument, seed_source: ReportSource
) -> None:
    """question_id is NULL for pillar judgments; `subject` keeps them unique anyway."""
    load_document(db, seed_document, seed_source)
    with Session(db) as session:
        where = Judgment.question_id.is_(None)
        pillar = session.execute(select(Judgment).where(where)).scalars().first()
        copy = Judgment(**{**pillar.model_dump(), "id": "another-id"})
        session.add(copy)
        with pytest.raises(IntegrityError):
            session.commit()


def test_the_search_index_follows_the_loaded_report(
    db: Engine,
    seed_document: ReportDocument,
    seed_source: ReportSource,
    changed_report: tuple[Path, str, str],
) -> None:
    load_document(db, seed_document, seed_source)
    item = seed_document.items[0]
    word = parse_query(item.text.split()[-1].strip(".,;:"))
    with Session(db) as session:
        found = search(session, word, SearchFilters(), limit=1000, offset=0)
        assert seed_document.inspection_id in {h.inspection for h in found.hits}
        assert any(h.kind == item.kind for h in found.hits)

    document, source = _changed_source(changed_report[0], seed_source)
    load_document(db, document, source)  # rewrites the inspection's search rows

    with Session(db) as session:
        again = search(session, word, SearchFilters(), limit=1000, offset=0)
        assert again.count == found.count  # no stale duplicates
