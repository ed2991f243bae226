"""The worker caps glibc's malloc arenas (app/heap.py): however many threads allocate,
they share Settings.malloc_arena_max heaps. Each case runs in a fresh interpreter, since
the cap is process-wide and glibc reads its own variable at start."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.config import Settings
from tests.reports import ROOT

glibc = pytest.mark.skipif(
    not (getattr(os, "confstr", None) and (os.confstr("CS_GNU_LIBC_VERSION") or "")),
    reason="malloc arenas are glibc's; this C library has none to cap",
)

THREADS = 8
# Starts THREADS threads that allocate at once, then prints how many heaps glibc has.
ALLOCATE_AND_COUNT = f"""
import ctypes, os, re, tempfile, threading
barrier = threading.Barrier({THREADS})
def work():
    held = [bytearray(4096) for _ in range(100)]  # over pymalloc's 512 bytes: malloc's
    barrier.wait()
threads = [threading.Thread(target=work) for _ in range({THREADS})]
for thread in threads: thread.start()
for thread in threads: thread.join()
libc = ctypes.CDLL(None)
libc.fdopen.restype = ctypes.c_void_p
with tempfile.TemporaryFile() as out:
    stream = ctypes.c_void_p(libc.fdopen(os.dup(out.fileno()), b"w"))
    libc.malloc_info(0, stream)
    libc.fclose(stream)
    out.seek(0)
    print(len(re.findall(r'<heap nr="[0-9]+">', out.read().decode())))
"""


def _heaps(prelude: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    result = subprocess.run(
        [sys.executable, "-c", prelude + ALLOCATE_AND_COUNT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return int(result.stdout.split()[-1])


@glibc
def test_threads_without_the_cap_get_heaps_of_their_own() -> None:
    """The control: what the cap changes is there to change on this machine."""
    assert _heaps("") > Settings().malloc_arena_max


@glibc
def test_a_worker_caps_its_heaps_at_the_setting() -> None:
    # What uvicorn does: import app.main, whose module-level app is created with defaults.
    assert _heaps("import app.main\n") <= Settings().malloc_arena_max


@glibc
def test_the_cap_is_the_number_asked_for() -> None:
    assert _heaps("from app.heap import cap_malloc_arenas\nassert cap_malloc_arenas(3)\n") == 3


def test_zero_leaves_glibc_alone() -> None:
    from app.heap import cap_malloc_arenas

    assert cap_malloc_arenas(0) is False
