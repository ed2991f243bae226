"""The data version a worker serves, known without a query per request: re-read at most
every VERSION_CHECK_SECONDS, at once after a write this process committed (the engine's
commit, then the pool's checkin), and, on Postgres, when another process's write commits
(LISTEN/NOTIFY, app/store/changes.py sends it in the writing transaction)."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import anyio
from sqlalchemy import URL, Engine, event

if TYPE_CHECKING:
    import psycopg

from app.db import READ_ONLY_OPTION, read_snapshot
from app.services.data_version import version_row
from app.store.changes import VERSION_CHANNEL

_log = logging.getLogger("peel.api")


# --- the version clock -------------------------------------------------------------------

_COMMITTED = "peel_committed"  # on a pooled connection's info: it committed since checkout
_clocks: weakref.WeakKeyDictionary[Engine, weakref.WeakSet[VersionClock]] = (
    weakref.WeakKeyDictionary()
)


def _mark_committed(connection: Any) -> None:
    if not connection.get_execution_options().get(READ_ONLY_OPTION):  # a read's: no change
        connection.info[_COMMITTED] = True


def _watch(engine: Engine, clock: VersionClock) -> None:
    """Invalidate `clock` after every transaction committed on `engine`.

    The engine's "commit" event comes before the database has the commit, so it only marks
    the connection; the pool's "checkin" (the connection given back, its commit done) is
    when readers can see the new data. One pair of listeners per engine, holding the
    clocks weakly: an app that is gone leaves nothing behind.
    """
    clocks = _clocks.get(engine)
    if clocks is None:
        clocks = _clocks[engine] = weakref.WeakSet()

        watching = clocks

        def checked_in(_dbapi_connection: Any, record: Any) -> None:
            if record is not None and record.info.pop(_COMMITTED, False):
                for each in list(watching):
                    each.invalidate()

        event.listen(engine, "commit", _mark_committed)
        event.listen(engine, "checkin", checked_in)
    clocks.add(clock)


class VersionClock:
    """The data version, re-read from the database at most every `interval` seconds, and
    on the next request after a commit on the engine it reads from."""

    def __init__(self, engine: Callable[[], Engine], interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._version = -1
        self._checked = float("-inf")
        self._refreshing = False
        self._invalidations = 0
        self._lock = threading.Lock()  # invalidate() is called from other threads too
        self._listener: VersionListener | None = None

    def _read(self) -> int:
        engine = self._engine()
        if self not in _clocks.get(engine, ()):
            _watch(engine, self)
        with read_snapshot(engine) as session:  # ends with COMMIT: prepared statements kept
            return version_row(session)[0]

    async def current(self) -> int | None:
        """The version; one request at a time re-reads it, the others meanwhile go on with
        the one known (or, before the first read, wait for it).

        A database outage must not fail or hang cached reads: if the read fails, the last
        known version stays current (cached answers are still the data as last seen, and
        nothing can be loaded while the database is down) and it is retried after
        `interval`. None means no version was ever read: the request then goes to the app
        uncached, which answers for itself (a 503 problem while the database is down).
        """
        due = time.monotonic() - self._checked >= self._interval
        if due and not self._refreshing:
            self._refreshing = True
            invalidations = self._invalidations
            try:
                self._version = await anyio.to_thread.run_sync(self._read)
            except Exception as error:  # any failure: keep the last version
                _log.warning("data version not read: %s", type(error).__name__)
            finally:
                # A commit during the read may not be in what was read: read again.
                with self._lock:
                    fresh = invalidations == self._invalidations
                    self._checked = time.monotonic() if fresh else float("-inf")
                self._refreshing = False
        while self._version < 0 and self._refreshing:  # the first read is on its way
            await anyio.sleep(0.001)
        return self._version if self._version >= 0 else None

    def invalidate(self) -> None:
        """Read the version again on the next request (from any thread)."""
        with self._lock:
            self._invalidations += 1
            self._checked = float("-inf")

    @property
    def listening(self) -> bool:
        """Is a listener connected, hearing every load's notification?"""
        return self._listener is not None and self._listener.connected

    def start_listening(self) -> None:
        """On Postgres (psycopg): start a `VersionListener`, so a load committed anywhere
        is served at once. Elsewhere nothing: polling alone (SQLite has no notifications,
        and one process writes it)."""
        try:
            engine = self._engine()
        except Exception as error:  # the app answers for the database itself (503s)
            _log.warning("data version: no listener (%s): polling only", type(error).__name__)
            return
        if self._listener is None and (engine.dialect.name, engine.dialect.driver) == (
            "postgresql",
            "psycopg",
        ):
            self._listener = VersionListener(engine.url, self)
            self._listener.start()

    def stop_listening(self) -> None:
        """Stop the listener (within about a second) and close its connection."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.stop()


LISTENER_NAME = "peel-version-listener"  # application_name of the listener's connection
_LISTEN_POLL_S = 1.0  # how long one wait for notifications lasts (and so stopping takes)
_LISTEN_HEARTBEAT_S = 15.0  # a quiet connection is checked this often
_LISTEN_BACKOFF_S = (0.5, 30.0)  # reconnect delay: from, doubling up to


class VersionListener:
    """`LISTEN peel_data_version` on a Postgres connection of its own, in a daemon thread:
    each notification (sent by a load's commit, any worker's or container's) invalidates
    the clock, so the next request re-reads the version. Requests never wait on it.

    On connecting it invalidates the clock too (a load may have committed unheard). If the
    connection fails or drops, it says so once (a warning) and reconnects with backoff
    (0.5 s doubling to 30 s); meanwhile the clock's polling serves loads within
    `interval`. On a server that refuses LISTEN (a read replica: notifications are not
    replicated) it stops and polling alone goes on.
    """

    def __init__(self, url: URL, clock: VersionClock) -> None:
        self.clock = clock
        self.connected = False
        self._url = url
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name=LISTENER_NAME, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _connect(self) -> psycopg.Connection:
        import psycopg  # only a Postgres service listens: SQLite workers never load it

        url = self._url.set(drivername="postgresql+psycopg")
        _args, params = url.get_dialect()().create_connect_args(url)
        params.pop("context", None)
        return psycopg.connect(
            **{
                "connect_timeout": 3,
                # A dead server or a cut network is noticed within about a minute.
                "keepalives": 1,
                "keepalives_idle": 30,
                "keepalives_interval": 10,
                "keepalives_count": 3,
                **params,
                "application_name": LISTENER_NAME,
                "autocommit": True,
            }
        )

    def _run(self) -> None:
        import psycopg

        delay = _LISTEN_BACKOFF_S[0]
        failing = False
        while not self._stopping.is_set():
            try:
                with self._connect() as connection:
                    connection.execute(f"LISTEN {VERSION_CHANNEL}")
                    self.clock.invalidate()  # what committed before LISTEN was not heard
                    self.connected = True  # after: `listening` means that read is due
                    _log.log(
                        logging.WARNING if failing else logging.INFO,
                        "data version: listening for loads (%s)",
                        "reconnected" if failing else "Postgres LISTEN",
                    )
                    failing, delay = False, _LISTEN_BACKOFF_S[0]
                    self._listen(connection)
            except (psycopg.errors.ReadOnlySqlTransaction, psycopg.errors.FeatureNotSupported):
                _log.info("data version: this server cannot LISTEN (a replica?): polling only")
                return
            except Exception as error:  # any failure: reconnect, poll meanwhile
                if not failing:
                    _log.warning(
                        "data version: listener lost (%s); polling every %s s until it reconnects",
                        type(error).__name__,
                        self.clock._interval,
                    )
                failing = True
            finally:
                self.connected = False
            self.clock.invalidate()  # a notification may have been missed
            self._stopping.wait(delay)
            delay = min(delay * 2, _LISTEN_BACKOFF_S[1])

    def _listen(self, connection: psycopg.Connection) -> None:
        quiet_since = time.monotonic()
        while not self._stopping.is_set():
            for _notify in connection.notifies(timeout=_LISTEN_POLL_S):
                self.clock.invalidate()
                quiet_since = time.monotonic()
            if time.monotonic() - quiet_since >= _LISTEN_HEARTBEAT_S:
                connection.execute("SELECT 1")  # raises if the connection is gone
                quiet_since = time.monotonic()
