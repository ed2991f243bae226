"""The store reads its reference data from the REFERENCE_DIR setting (app/config.py)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.config import get_settings
from app.ingest.grades import GradeRecordError
from app.ingest.reference import REFERENCE_DIR
from app.models import Force
from app.store.catalogue import configured_reference, sync_catalogue
from app.store.grade_flows import read_grade_file

RENAMED = "West Midlands Police (renamed in the test's reference data)"


@pytest.fixture
def reference_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of reference/ naming West Midlands differently, configured as REFERENCE_DIR."""
    directory = tmp_path / "reference"
    shutil.copytree(REFERENCE_DIR, directory)
    forces = directory / "forces.csv"
    text = forces.read_text(encoding="utf-8")
    assert "West Midlands Police" in text
    forces.write_text(text.replace("West Midlands Police", RENAMED), encoding="utf-8")
    monkeypatch.setenv("REFERENCE_DIR", str(directory))
    get_settings.cache_clear()
    yield directory
    get_settings.cache_clear()


def test_the_configured_reference_is_read_from_reference_dir(reference_dir: Path) -> None:
    assert configured_reference().force("west-midlands").name == RENAMED


def test_catalogue_sync_stores_the_configured_reference(db: Engine, reference_dir: Path) -> None:
    result = sync_catalogue(db)
    assert (result.inserted, result.updated) == (0, 1)
    with Session(db) as session:
        assert session.get(Force, "west-midlands").name == RENAMED


def test_grade_files_are_checked_against_the_configured_reference(reference_dir: Path) -> None:
    forces = reference_dir / "forces.csv"
    lines = forces.read_text(encoding="utf-8").splitlines()
    forces.write_text(
        "\n".join(line for line in lines if not line.startswith("west-midlands,")) + "\n",
        encoding="utf-8",
    )
    grades = REFERENCE_DIR / "west-midlands-peel-history.csv"
    with pytest.raises(GradeRecordError, match="west-midlands"):
        read_grade_file(grades)
