"""API keys: configured as hashes, presented as bearer tokens, compared in constant time.

`API_KEYS` holds comma-separated `name:scopes:sha256` entries, scopes joined by `+`
(`pipeline:import:9f86d0…`). A request presents the key itself, as
`Authorization: Bearer <key>` or `X-API-Key: <key>`; the service hashes it and compares
the hash with every configured one (hmac.compare_digest, no early exit), so neither
the keys nor their timing leak.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from app.api.problems import ProblemError

IMPORT_SCOPE = "import"


@dataclass(frozen=True)
class ApiKey:
    name: str
    scopes: frozenset[str]
    sha256: str


class ApiKeyConfigError(ValueError):
    """API_KEYS is malformed; the message says which entry and how to fix it."""


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_key_entry(name: str, scopes: list[str]) -> tuple[str, str]:
    """(a new random key, its API_KEYS entry)."""
    key = secrets.token_urlsafe(32)
    return key, f"{name}:{'+'.join(scopes)}:{hash_key(key)}"


def parse_api_keys(config: str) -> list[ApiKey]:
    keys = []
    for number, entry in enumerate((e.strip() for e in config.split(",")), start=1):
        if not entry:
            continue
        parts = entry.split(":")
        if len(parts) != 3 or not parts[0] or len(parts[2]) != 64:
            raise ApiKeyConfigError(
                f"API_KEYS entry {number} is not 'name:scope+scope:sha256-hex' "
                "(make one with `peel hash-key NAME`)"
            )
        name, scopes, digest = parts
        keys.append(ApiKey(name, frozenset(s for s in scopes.split("+") if s), digest.lower()))
    return keys


def identify(presented: str, keys: list[ApiKey]) -> ApiKey | None:
    digest = hash_key(presented)
    found = None
    for key in keys:  # every key is compared, matched or not
        if hmac.compare_digest(digest, key.sha256):
            found = key
    return found


_bearer = HTTPBearer(auto_error=False, description="An API key: `Authorization: Bearer <key>`.")
_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key.")

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="peel-api"'}


def require_scope(scope: str):
    def caller(
        request: Request,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        header: Annotated[str | None, Depends(_header)],
    ) -> ApiKey:
        presented = bearer.credentials if bearer else header
        if not presented:
            raise ProblemError(
                401,
                "unauthenticated",
                "Send an API key (Authorization: Bearer <key>).",
                headers=_CHALLENGE,
            )
        key = identify(presented, request.app.state.api_keys)
        if key is None:
            raise ProblemError(
                401, "unauthenticated", "The API key is not valid.", headers=_CHALLENGE
            )
        if scope not in key.scopes:
            raise ProblemError(
                403, "forbidden", f"The API key {key.name!r} does not have the {scope!r} scope."
            )
        return key

    return caller


ImportKey = Annotated[ApiKey, Depends(require_scope(IMPORT_SCOPE))]
