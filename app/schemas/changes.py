"""The service's state: the change feed and health."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from app.schemas.base import _Public


class ChangePublic(_Public):
    cursor: str = Field(description="Opaque; send it back as `since` to get what follows.")
    version: int = Field(description="The data version this change made.")
    kind: Literal[
        "inspection.created",
        "inspection.replaced",
        "catalogue.updated",
        "grade-counts.updated",
    ]
    inspection: str | None
    occurred_at: datetime
    href: str | None = Field(description="Where to read the changed resource now.")


class ChangeFeed(_Public):
    items: list[ChangePublic]
    cursor: str = Field(description="Store this; the next call's `since`.")
    next: str | None = Field(description="URL of the following changes, when there are more.")
    data_version: int = Field(description="The current data version.")


class Health(_Public):
    status: Literal["ok", "unavailable"]
    detail: str | None = None
    data_version: int | None = None
