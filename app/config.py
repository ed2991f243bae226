"""The one settings object: everything configurable comes from the environment."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[1]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'data' / 'peel.db'}",
        description="SQLAlchemy URL; a SQLite file by default, postgresql+psycopg://... at scale.",
    )
    seed_dir: Path = Field(default=PROJECT_ROOT / "seed", description="Reports and their manifest.")
    reference_dir: Path = Field(
        default=PROJECT_ROOT / "reference",
        description="Reference data (forces, frameworks, grade scales, questions): what "
        "`peel seed` stores as the catalogue and every load checks its source against.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    api_keys: str = Field(
        default="",
        description="Who may write: comma-separated 'name:scope+scope:sha256-of-key' entries "
        "(`peel hash-key NAME` makes one). Only hashes are configured, never keys.",
    )
    max_import_bytes: int = Field(default=2 * 1024 * 1024, ge=1, description="413 above this.")
    cache_max_age: int = Field(default=60, ge=0, description="Cache-Control max-age of reads.")
    response_cache_bytes: int = Field(
        default=32 * 1024 * 1024, ge=0, description="Memory for cached responses; 0 turns it off."
    )
    read_concurrency: int | None = Field(
        default=None,
        ge=1,
        le=32,
        description="How many reads (GET, HEAD) a worker computes at once; the others wait "
        "their turn in the event loop, holding no thread, database connection or memory. "
        "Answers from the response cache, streamed bodies and /healthz never wait. Default: "
        "2 on SQLite (its reads run in the worker, CPU-bound: more buys no throughput, only "
        "memory), 4 on Postgres (its reads wait on the server; its pool keeps a connection "
        "for each and two more). "
        "Raise it for a database far away. At most 32: the threadpool's 40 threads must "
        "outnumber it.",
    )
    malloc_arena_max: int = Field(
        default=1,
        ge=0,
        description="glibc's malloc arenas per worker (app/heap.py): fewer keep less memory "
        "fragmented across the threads a read hops over. The same variable glibc reads "
        "itself; 0 leaves glibc's default (8 per core). Ignored where the C library is not "
        "glibc.",
    )
    version_check_seconds: float = Field(
        default=1.0,
        ge=0,
        description="How often a worker re-reads the data version (a load by another "
        "process is served within this long). With Postgres, workers also LISTEN for the "
        "version a load notifies and re-read it at once; this polling is the fallback "
        "(SQLite, or while the listener is reconnecting).",
    )
    # Limits (app/api/security.py). Rate limits are per worker process (in-memory buckets),
    # or shared by every worker and container through Redis when REDIS_URL is set.
    max_query_bytes: int = Field(
        default=2048, ge=1, description="A query string longer than this is a 414."
    )
    import_rate_limit: int = Field(
        default=10,
        ge=0,
        description="POST /v1/imports per minute per API key (per client address without a "
        "valid key), per worker (shared with REDIS_URL); over it a 429 with Retry-After. "
        "0: unlimited.",
    )
    read_rate_limit: float = Field(
        default=0,
        ge=0,
        description="Reads (GET, HEAD) per second per client address, per worker (shared "
        "with REDIS_URL); over it a 429 with Retry-After. 0: unlimited.",
    )
    redis_url: str = Field(
        default="",
        description="redis://host:port/db: rate limits are counted there, shared by every "
        "worker and container using it. Empty: each worker counts its own. While Redis "
        "cannot be reached, each worker falls back to its own count (a warning is logged).",
    )
    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address for rate limits from the last X-Forwarded-For "
        "entry (only behind a proxy that sets it); otherwise the connection's address.",
    )
    database_statement_timeout_ms: int = Field(
        default=10_000,
        ge=0,
        description="Longest one SQL statement may run before it is aborted (a 503 for a "
        "request), so a heavy query cannot hold a worker; 0 turns the limit off. Postgres: "
        "statement_timeout; SQLite: a progress handler.",
    )
    # Operations (peel serve).
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="info", description="Logs are JSON, one object a line, on stderr."
    )
    shutdown_timeout_seconds: float = Field(
        default=10,
        gt=0,
        description="On SIGTERM or SIGINT: stop accepting, let requests in flight finish for "
        "at most this long, then close the database pool and exit.",
    )


@cache
def get_settings() -> Settings:
    return Settings()
