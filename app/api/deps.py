"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import get_engine


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, on the app's engine (Settings.database_url by default)."""
    engine = request.app.state.engine or get_engine()
    with Session(engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
