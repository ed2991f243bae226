"""Dependencies shared by the routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from app.db import get_engine, read_snapshot


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, on the app's engine (Settings.database_url by default)."""
    # One snapshot for the whole request: the data version its ETag names and every row
    # of its body come from the same committed state.
    with read_snapshot(request.app.state.engine or get_engine()) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session)]
