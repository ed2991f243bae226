"""glibc's malloc arenas, capped: fewer heaps for the worker's threads to fragment.

glibc gives a thread that allocates while another holds the main heap an arena of its
own, up to 8 per core. A computed read hops across anyio's threads, so its objects land
in several arenas, and what one request frees in one arena is not reused by a request
allocating in another: a worker ends up holding more than it uses. Two arenas took a
Postgres worker's RSS after a cache-off run from 110 to 103 MB at the same req/s, one
1-2 MB lower still (bench/README.md, worker memory). glibc reads `MALLOC_ARENA_MAX` at
start; the same setting applied here (Settings.malloc_arena_max) reaches workers started
any way.
"""

from __future__ import annotations

import ctypes
import os

M_ARENA_MAX = -8  # mallopt's parameter number for the arena cap (<malloc.h>)


def _glibc() -> ctypes.CDLL | None:
    try:
        version = os.confstr("CS_GNU_LIBC_VERSION")  # 'glibc 2.36'; absent on musl, macOS
    except (ValueError, OSError):
        return None
    if not version or not version.startswith("glibc"):
        return None
    try:
        return ctypes.CDLL(None)  # the process's own symbols, glibc's among them
    except OSError:
        return None


def cap_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at `arenas` (0: leave glibc's default); True if applied.

    Arenas already made stay; threads that start allocating later share the capped ones,
    so call this before the worker's threads start. Not glibc: nothing to do (False)."""
    if arenas <= 0:
        return False
    libc = _glibc()
    mallopt = getattr(libc, "mallopt", None)
    return bool(mallopt is not None and mallopt(M_ARENA_MAX, arenas))
