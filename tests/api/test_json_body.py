"""Routes that serialise their model themselves (app/api/json_body.py) answer the bytes
FastAPI makes of the model they declare, and rows read as named tuples
(app/services/query.records) carry the statement's columns."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlmodel import Session

from app import schemas
from app.api.json_body import json_body
from app.models import Judgment
from app.resources import inspections
from app.services.query import records
from tests.api.conftest import Api
from tests.reports import seed_document


def test_json_body_is_what_fastapi_answers_for_the_declared_model(api: Api) -> None:
    with Session(api.engine) as session:
        card = inspections.card_of(session, seed_document().inspection_id)
    assert card is not None
    app = FastAPI()

    @app.get("/model")
    def as_model() -> schemas.InspectionCard:
        return card

    @app.get("/body")
    def as_body() -> schemas.InspectionCard:
        return json_body(card)  # type: ignore[return-value]

    client = TestClient(app)
    by_fastapi, ours = client.get("/model"), client.get("/body")
    assert ours.content == by_fastapi.content
    assert ours.headers["content-type"] == by_fastapi.headers["content-type"]
    route = api.client.get(f"/v1/inspections/{seed_document().inspection_id}")
    assert route.content == ours.content  # and the route answers just that


def test_records_carry_the_columns_of_the_rows(api: Api) -> None:
    statement = select(Judgment.id, Judgment.grade_id.label("grade")).order_by(Judgment.id)
    with Session(api.engine) as session:
        rows = session.execute(statement).all()
        named = records(session.execute(statement))
    assert named and [tuple(r) for r in named] == [tuple(r) for r in rows]
    assert [(r.id, r.grade) for r in named] == [(r.id, r.grade) for r in rows]
