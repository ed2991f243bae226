"""Regenerate app/api/examples.json: OpenAPI response examples from the real seed data.

Run: .venv/bin/python scripts/make_examples.py
It imports the seed reports into a temporary SQLite database through POST /v1/imports
(its answer is that operation's example), loads the manifest's grade records as
`peel seed` does, asks the API each GET operation's URL, trims
the answer (app.api.examples.trim) and writes the JSON file (package data, read by
app/api/examples.py). tests/api/test_examples.py fails when the file no longer matches
what the API answers.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from app.api.auth import new_key_entry
from app.api.examples import EXAMPLE_URLS, EXAMPLES_FILE, load_seed_grades, trim, write_examples
from app.config import Settings
from app.db import make_engine, migrate
from app.ingest.manifest import read_manifest
from app.main import create_app
from app.store.catalogue import sync_catalogue

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        engine = make_engine(f"sqlite:///{directory}/examples.db")
        migrate(engine)
        sync_catalogue(engine)
        key, entry = new_key_entry("examples", ["import"])
        with TestClient(create_app(engine, Settings(api_keys=entry))) as client:
            examples = {}
            reports = [s for s in read_manifest(ROOT / "seed") if s.kind == "report"]
            for source in reports:  # loaded the way a service would (grade records: seed)
                response = client.post(
                    "/v1/imports",
                    json={
                        "text": source.path.read_text(encoding="utf-8"),
                        "force": source.force,
                        "framework": source.framework,
                        "published": source.published.isoformat() if source.published else None,
                        "source_url": source.source_url,
                        "licence": source.licence,
                        "filename": source.path.name,
                    },
                    headers={"Authorization": f"Bearer {key}"},
                )
                response.raise_for_status()
                examples["create_import"] = trim(response.json())
            load_seed_grades(engine)
            for operation, url in EXAMPLE_URLS.items():
                response = client.get(url)
                response.raise_for_status()
                examples[operation] = trim(response.json())
        engine.dispose()
    write_examples(examples)
    print(f"wrote {len(examples)} examples to {EXAMPLES_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
