"""The database object: the one owner of connections and transactions.

Features never commit or roll back. They read through :class:`Database` (committed data
only: SQLite's WAL lets readers use their own connections) and write inside a unit of work::

    async with db.transaction() as tx:       # BEGIN IMMEDIATE; writers take turns
        await store.save_vote(tx, ...)       # domain writers take the transaction they run in
    # here the COMMIT has happened: only now may the bot acknowledge anything

Engines, connection pools, URLs and connect-time settings belong to SQLAlchemy 2's asyncio
engine (aiosqlite underneath for SQLite), and migrations to Alembic (``bot/migrations``), so a
second engine plugs in behind the same interface. Statements are SQL text in SQLite's ``?``
style and run on the driver connection SQLAlchemy hands out: SQLAlchemy's own aiosqlite
adapter makes three or four thread hops per statement where the driver makes one or two
(measured: 725 vs 3,792 small write transactions/s), and the vote and recorder paths are
made of small transactions. Rows come back as :class:`Record` (by index or by name).

PostgreSQL (``postgresql://...``, docs/scaling.md) is the second engine behind the same
interface: SQLAlchemy's ``postgresql+asyncpg`` engine owns the pool and Alembic's connection,
statements run on the asyncpg connection with ``?`` and ``:name`` rewritten to ``$n`` outside
string literals (:func:`pg_sql`), numeric comes back as float like SQLite's REAL, and
asyncpg's errors become the same :class:`IntegrityError`/:class:`DatabaseError`.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Coroutine,
    Generator,
    Iterable,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, TypeGuard

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

if TYPE_CHECKING:
    from bot.forget_ledger import ForgetLedger
    from bot.metrics import Metrics

log = logging.getLogger(__name__)

Params = Sequence[Any] | Mapping[str, Any]


class DatabaseError(Exception):
    """A statement failed; ``orig`` is the driver's own exception."""

    def __init__(self, message: str, orig: BaseException | None = None) -> None:
        super().__init__(message)
        self.orig = orig


class IntegrityError(DatabaseError):
    """A constraint (key, unique, check, foreign key) refused the write."""


def _translate(error: BaseException) -> DatabaseError:
    integrity = isinstance(
        error, (sqlite3.IntegrityError, asyncpg.exceptions.IntegrityConstraintViolationError)
    )
    return (IntegrityError if integrity else DatabaseError)(str(error), error)


_DRIVER_ERRORS = (sqlite3.Error, asyncpg.PostgresError, asyncpg.InterfaceError)

# A string literal, a quoted name, a comment or a cast: copied as is; then the placeholders.
_PLACEHOLDER = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|::|\?(\d*)|(?<!:):([A-Za-z_]\w*)"""
)


@functools.lru_cache(maxsize=4096)
def pg_sql(sql: str) -> tuple[str, tuple[str, ...] | None]:
    """``sql`` in PostgreSQL's ``$n`` style, and the parameter names in order (None for ``?``).

    Placeholders inside string literals, quoted names and comments stay as they are; ``::``
    casts are not names. A name used twice is bound once.
    """
    names: list[str] = []
    positional = 0

    def replace(match: re.Match[str]) -> str:
        nonlocal positional
        token = match.group(0)
        if token.startswith("?"):
            if match.group(1):  # SQLite's ?NNN: the same number
                return f"${match.group(1)}"
            positional += 1
            return f"${positional}"
        name = match.group(2)
        if name is None:
            return token
        if name not in names:
            names.append(name)
        return f"${names.index(name) + 1}"

    translated = _PLACEHOLDER.sub(replace, sql)
    if positional and names:
        raise ValueError("a statement mixes ? and :name placeholders")
    return translated, (tuple(names) if names else None)


def _pg_args(names: tuple[str, ...] | None, params: Params) -> list[Any]:
    if names is None:
        if isinstance(params, Mapping):  # like sqlite3: names the statement does not use
            return []
        return list(params)
    if not isinstance(params, Mapping):
        raise ValueError("positional parameters given to a statement with :name placeholders")
    return [params[name] for name in names]


def _rowcount(status: str | bytes | None) -> int:
    """asyncpg's command tag (``UPDATE 3``, ``INSERT 0 1``) -> rows affected."""
    if isinstance(status, bytes):
        status = status.decode()
    last = (status or "").rpartition(" ")[2]
    return int(last) if last.isdigit() else -1


class Record(tuple):
    """One row: ``row[0]``, ``row["name"]``, ``row.name``, ``dict(row)``."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}
    _names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def __getattr__(self, name: str) -> Any:
        try:
            return tuple.__getitem__(self, self._index[name])
        except KeyError:
            raise AttributeError(name) from None

    def keys(self) -> list[str]:
        return list(self._names)


@functools.lru_cache(maxsize=1024)
def _record_type(names: tuple[str, ...]) -> type[Record]:
    index: dict[str, int] = {}
    for i, name in enumerate(names):
        index.setdefault(name, i)  # like sqlite3.Row: the first column of a name wins
    return type("Record", (Record,), {"__slots__": (), "_index": index, "_names": names})


class Cursor:
    """A finished statement's rows (fetched eagerly), ``rowcount`` and ``lastrowid``."""

    def __init__(self, rows: list[Record], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self._next = 0
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    async def fetchone(self) -> Record | None:
        if self._next >= len(self._rows):
            return None
        self._next += 1
        return self._rows[self._next - 1]

    async def fetchmany(self, size: int = 1) -> list[Record]:
        rows = self._rows[self._next : self._next + size]
        self._next += len(rows)
        return rows

    async def fetchall(self) -> list[Record]:
        rows = self._rows[self._next :]
        self._next = len(self._rows)
        return rows

    def __aiter__(self) -> AsyncIterator[Record]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[Record]:
        while self._next < len(self._rows):
            self._next += 1
            yield self._rows[self._next - 1]


class _Statement:
    """What ``execute`` returns: await it for the cursor, or ``async with`` it."""

    __slots__ = ("_coro",)

    def __init__(self, coro: Awaitable[Cursor]) -> None:
        self._coro = coro

    def __await__(self) -> Generator[Any, None, Cursor]:
        return self._coro.__await__()

    async def __aenter__(self) -> Cursor:
        return await self._coro

    async def __aexit__(self, *exc_info: object) -> None:
        return None


async def _run(conn: Any, sql: str, params: Params, many: bool) -> Cursor:
    """One statement on the driver connection: one thread hop, two when it returns rows."""
    if isinstance(conn, asyncpg.Connection):
        return await _run_pg(conn, sql, params, many)
    try:
        if many:
            rows = [p if isinstance(p, Mapping) else tuple(p) for p in params]
            if not rows:
                return Cursor([], 0, None)
            cursor = await conn.executemany(sql, rows)
        else:
            bound = params if isinstance(params, Mapping) else tuple(params)
            cursor = await conn.execute(sql, bound)
        records: list[Record] = []
        if cursor.description:
            make = _record_type(tuple(column[0] for column in cursor.description))
            records = [make(row) for row in await cursor.fetchall()]
        return Cursor(records, cursor.rowcount, cursor.lastrowid)
    except sqlite3.Error as error:
        raise _translate(error) from error


async def _run_pg(conn: asyncpg.Connection, sql: str, params: Params, many: bool) -> Cursor:
    """One statement on asyncpg: its statement cache prepares each text once per connection."""
    text, names = pg_sql(sql)
    try:
        if many:
            # One prepared statement, one round trip per row: asyncpg's executemany does not
            # report rows affected, and guarded upserts (a vote into a closed poll) rely on it.
            total = 0
            for p in params:
                _, status, _ = await conn._execute(
                    text,
                    _pg_args(names, p),
                    0,
                    None,
                    return_status=True,
                )
                total += max(_rowcount(status), 0)
            return Cursor([], total, None)
        # _execute is asyncpg's own path under fetch(); it also returns the command tag,
        # which gives rowcount without a second round trip.
        result, status, _ = await conn._execute(
            text, _pg_args(names, params), 0, None, return_status=True
        )
    except _DRIVER_ERRORS as error:
        raise _translate(error) from error
    records: list[Record] = []
    if result:
        make = _record_type(tuple(result[0].keys()))
        records = [make(tuple(row)) for row in result]
    return Cursor(records, _rowcount(status), None)


def _in_transaction(conn: Any) -> bool:
    if isinstance(conn, asyncpg.Connection):
        return conn.is_in_transaction()
    return bool(conn.in_transaction)


class Reader(Protocol):
    """What read-only domain functions take: the database or a transaction."""

    dialect: str  # "sqlite" or "postgresql": where a feature keeps engine-specific SQL

    def execute(self, sql: str, params: Params = ()) -> _Statement: ...
    async def fetchone(self, sql: str, params: Params = ()) -> Record | None: ...
    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]: ...
    async def fetchval(self, sql: str, params: Params = ()) -> Any: ...


class _Fetching:
    """The read verbs, built on ``execute``."""

    def execute(self, sql: str, params: Params = ()) -> _Statement:  # pragma: no cover
        raise NotImplementedError

    async def fetchone(self, sql: str, params: Params = ()) -> Record | None:
        return await (await self.execute(sql, params)).fetchone()

    async def fetchall(self, sql: str, params: Params = ()) -> list[Record]:
        return await (await self.execute(sql, params)).fetchall()

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]


class Transaction(_Fetching):
    """A unit of work inside :meth:`Database.transaction`; it reads its own writes."""

    def __init__(
        self,
        conn: Any,
        dialect: str,
        runtime: dict[str, Any] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self._conn = conn
        self.dialect = dialect
        self.runtime = runtime if runtime is not None else {}
        self.metrics = metrics  # the running bot's (bot/metrics.py); None in one-shot commands
        self._after_commit: list[Callable[[], Any]] = []
        self._savepoints = 0

    def execute(self, sql: str, params: Params = ()) -> _Statement:
        return _Statement(_run(self._conn, sql, params, many=False))

    @property
    def for_share(self) -> str:
        """`` FOR SHARE`` on PostgreSQL, nothing on SQLite: ends a SELECT whose rows must not
        change until this transaction commits.

        A write guarded by another row's state (a vote lands only while its poll is open)
        reads that row with it: an UPDATE of the row elsewhere (the close) then waits for this
        commit, and a guard that waited re-reads the committed row. READ COMMITTED alone lets
        the guard pass on a row another process is changing. SQLite has one writer at a time
        (``BEGIN IMMEDIATE``): nothing to lock.
        """
        return " FOR SHARE" if self.dialect == "postgresql" else ""

    def executemany(self, sql: str, rows: Sequence[Params]) -> _Statement:
        return _Statement(_run(self._conn, sql, rows, many=True))

    async def insert_rows(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        """Many rows into one table (restores, bulk loads): PostgreSQL's binary ``COPY``,
        SQLite's multi-row ``INSERT``s (within its limit on parameters)."""
        if not rows:
            return
        if isinstance(self._conn, asyncpg.Connection):
            try:
                await self._conn.copy_records_to_table(
                    table, records=[tuple(r) for r in rows], columns=list(columns)
                )
            except _DRIVER_ERRORS as error:
                raise _translate(error) from error
            return
        names = ", ".join(c if c == "rowid" else f'"{c}"' for c in columns)
        marks = "(" + ", ".join("?" * len(columns)) + ")"
        per = max(1, 30_000 // max(1, len(columns)))  # SQLite allows 32766 parameters
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            await _run(
                self._conn,
                f'INSERT INTO "{table}" ({names}) VALUES ' + ", ".join([marks] * len(chunk)),
                [v for row in chunk for v in row],
                many=False,
            )

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undo just this block on error (the transaction goes on), on every engine."""
        self._savepoints += 1
        name = f"herbot_sp{self._savepoints}"
        await _run(self._conn, f"SAVEPOINT {name}", (), many=False)
        try:
            yield
        except BaseException:
            await _run(self._conn, f"ROLLBACK TO {name}", (), many=False)
            await _run(self._conn, f"RELEASE {name}", (), many=False)
            raise
        else:
            await _run(self._conn, f"RELEASE {name}", (), many=False)

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the COMMIT succeeded (never after a rollback)."""
        self._after_commit.append(callback)


# The task that holds the write lock through an open transaction: that task may not open a
# second one (it would wait on itself); tasks it starts may, and simply take their turn.
_transaction_owner: contextvars.ContextVar[asyncio.Task[Any] | None] = contextvars.ContextVar(
    "herbot_transaction_owner", default=None
)


def _sqlite_url(path: Path | str) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"


def is_url(target: Path | str) -> TypeGuard[str]:
    """Whether ``target`` names a server database (``postgresql://...``), not a file."""
    return isinstance(target, str) and "://" in target


def _postgres_url(url: str) -> str:
    scheme, _, rest = url.partition("://")
    if scheme not in {"postgres", "postgresql", "postgresql+asyncpg"}:
        raise ValueError(f"unsupported database URL scheme {scheme!r}: use postgresql://")
    return f"postgresql+asyncpg://{rest}"


def redacted_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    return re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url)


def _postgres_engine(url: str, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        _postgres_url(url),
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 8,
        pool_timeout=3600,
        pool_pre_ping=True,  # a restarted server must not break the next transaction
        connect_args={
            # asyncpg arms a 300 s loop timer per cached statement to expire it; the cache is
            # already bounded by its size (LRU), so no timers: an idle bot has no pending
            # work on its loop (simcord's settle waited a 230-click burst out on them).
            "max_cached_statement_lifetime": 0,
            # Readers refuse writes, like SQLite's query_only: writes go through transactions.
            **({} if writer else {"server_settings": {"default_transaction_read_only": "on"}}),
        },
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # numeric (e.g. avg()) comes back as float, like SQLite's REAL, not Decimal.
        dbapi_connection.run_async(
            lambda conn: conn.set_type_codec(
                "numeric", encoder=str, decoder=float, schema="pg_catalog", format="text"
            )
        )

    return engine


def _sqlite_engine(path: Path, *, writer: bool) -> AsyncEngine:
    engine = create_async_engine(
        _sqlite_url(path),
        # The driver in autocommit mode: transactions are begun by us, as BEGIN IMMEDIATE for
        # writes (the write lock is taken up front, so a transaction never fails half-way on a
        # lock upgrade) and not at all for reads (each statement sees the last commit).
        connect_args={"isolation_level": None, "check_same_thread": False},
        pool_size=1 if writer else 4,
        max_overflow=0 if writer else 8,
        pool_pre_ping=False,
        pool_reset_on_return=None,  # reads are autocommit; the writer ends its transactions
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        for pragma in (
            "PRAGMA journal_mode = WAL",
            "PRAGMA foreign_keys = ON",
            "PRAGMA synchronous = NORMAL",
            "PRAGMA busy_timeout = 5000",
            "PRAGMA secure_delete = ON",  # forgotten words are overwritten, not left in free pages
            f"PRAGMA query_only = {'OFF' if writer else 'ON'}",
        ):
            cursor.execute(pragma)
        cursor.close()

    if writer:  # Alembic's transactions on the writer take the write lock up front too

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


async def _driver(conn: AsyncConnection) -> Any:
    """The driver's own connection (aiosqlite or asyncpg) under SQLAlchemy's."""
    return (await conn.get_raw_connection()).driver_connection


class Database(_Fetching):
    """Connections and transactions for the whole application.

    ``execute``/``fetch*`` read committed data on a reader connection; every write goes
    through :meth:`transaction`, one at a time in this process.
    """

    def __init__(
        self, url: str, writer: AsyncEngine, reader: AsyncEngine, path: Path | None
    ) -> None:
        self.url = url
        self.dialect = writer.dialect.name
        self.path = path  # the SQLite file; None on a server engine
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self._writer_conn: AsyncConnection | None = None  # held for the database's lifetime
        self.commits = 0
        # In-process state a running feature shares with code that only gets a transaction
        # (its privacy part): e.g. the recorder whose queue holds words not yet written.
        # Scoped to this database object, so two bots in one process never see each other's.
        self.runtime: dict[str, Any] = {}
        self._startup_depth = 0  # startup_lock() is re-entrant within one database object
        # The running bot's metrics (bot/metrics.py), given by the bot; None: not measured.
        self.metrics: Metrics | None = None
        # Where forget-me also writes, outside the rows a restore replaces (given by
        # bot/prepare.py from the settings); None: not kept (a bare Database in a tool).
        self.forget_ledger: ForgetLedger | None = None

    @classmethod
    async def open(cls, target: Path | str, *, migrate: bool = True) -> Database:
        """Open a SQLite file (a path) or a PostgreSQL database (a ``postgresql://`` URL)."""
        target = resolve_target(target)
        if is_url(target):
            url = str(target)
            db = cls(
                url, _postgres_engine(url, writer=True), _postgres_engine(url, writer=False), None
            )
        else:
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            db = cls(
                _sqlite_url(path),
                _sqlite_engine(path, writer=True),
                _sqlite_engine(path, writer=False),
                path,
            )
        try:
            if migrate:
                from bot.migrations import upgrade

                await upgrade(db)
        except BaseException:
            await db.close()
            raise
        return db

    def execute(self, sql: str, params: Params = ()) -> _Statement:
        return _Statement(self._read(sql, params))

    async def _read(self, sql: str, params: Params) -> Cursor:
        async with self._reader.connect() as conn:
            return await _run(await _driver(conn), sql, params, many=False)

    async def stream(
        self, sql: str, params: Params = (), *, batch: int = 500
    ) -> AsyncIterator[Record]:
        """Rows of a large read, ``batch`` at a time, on one reader connection (one snapshot)."""
        async with self._reader.connect() as conn:
            driver = await _driver(conn)
            if isinstance(driver, asyncpg.Connection):
                async for record in _stream_pg(driver, sql, params, batch):
                    yield record
                return
            try:
                await driver.execute("BEGIN")  # one consistent snapshot for the whole stream
                cursor = await driver.execute(
                    sql, params if isinstance(params, Mapping) else tuple(params)
                )
                make = _record_type(tuple(column[0] for column in cursor.description or ()))
                while rows := await cursor.fetchmany(batch):
                    for row in rows:
                        yield make(row)
            except sqlite3.Error as error:
                raise _translate(error) from error
            finally:
                if driver.in_transaction:
                    await driver.execute("ROLLBACK")

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[Snapshot]:
        """One read-only, consistent view of every table for a long read (``herbot db
        backup``): SQLite's read transaction on a reader connection, PostgreSQL's
        ``REPEATABLE READ READ ONLY``. Writers go on meanwhile; the view does not change."""
        async with self._reader.connect() as conn:
            driver = await _driver(conn)
            if isinstance(driver, asyncpg.Connection):
                try:
                    async with driver.transaction(isolation="repeatable_read", readonly=True):
                        yield Snapshot(driver)
                except _DRIVER_ERRORS as error:
                    raise _translate(error) from error
                return
            try:
                await driver.execute("BEGIN")
                yield Snapshot(driver)
            except sqlite3.Error as error:
                raise _translate(error) from error
            finally:
                if driver.in_transaction:
                    await driver.execute("ROLLBACK")

    @property
    def _begin(self) -> str:
        # SQLite: take the write lock up front. PostgreSQL: row locks, READ COMMITTED; work
        # shared between processes is claimed with conditional UPDATEs (docs/scaling.md).
        return "BEGIN IMMEDIATE" if self.dialect == "sqlite" else "BEGIN"

    async def _writer_connection(self) -> AsyncConnection:
        if self._writer_conn is None:
            self._writer_conn = await self._writer.connect()
        return self._writer_conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One unit of work: commit on success, roll back on any error, writers serialised."""
        task = asyncio.current_task()
        if task is not None and _transaction_owner.get() is task:
            raise RuntimeError("a transaction is already open in this task: pass it down")
        token = _transaction_owner.set(task)
        metrics = self.metrics
        asked = time.perf_counter()
        try:
            async with self._write_lock:
                began = time.perf_counter()
                driver = await _driver(await self._writer_connection())
                tx = Transaction(driver, self.dialect, self.runtime, metrics)
                await _run(driver, self._begin, (), many=False)
                try:
                    yield tx
                except BaseException:
                    await _run(driver, "ROLLBACK", (), many=False)
                    if metrics is not None:
                        metrics.transaction_seconds.labels("rollback").observe(
                            time.perf_counter() - began
                        )
                    raise
                try:
                    await _run(driver, "COMMIT", (), many=False)
                except DatabaseError:
                    if _in_transaction(driver):
                        await _run(driver, "ROLLBACK", (), many=False)
                    if metrics is not None:
                        metrics.transaction_seconds.labels("failed").observe(
                            time.perf_counter() - began
                        )
                    raise
                self.commits += 1
                if metrics is not None:
                    metrics.write_wait_seconds.observe(began - asked)
                    metrics.transaction_seconds.labels("commit").observe(
                        time.perf_counter() - began
                    )
        finally:
            _transaction_owner.reset(token)
        for callback in tx._after_commit:
            callback()

    def pool_use(self) -> list[tuple[str, str, int]]:
        """(pool, state, connections) now: ``reader``/``writer`` x ``in_use``/``idle``, and
        ``writer``/``busy`` (a transaction holds the write turn: 0 or 1) and
        ``writer``/``waiting`` (transactions waiting for it)."""
        found: list[tuple[str, str, int]] = []
        for name, engine in (("reader", self._reader), ("writer", self._writer)):
            pool: Any = engine.pool
            checked_out = int(pool.checkedout()) if hasattr(pool, "checkedout") else 0
            idle = int(pool.checkedin()) if hasattr(pool, "checkedin") else 0
            found += [(name, "in_use", checked_out), (name, "idle", idle)]
        waiters = getattr(self._write_lock, "_waiters", None) or ()
        found.append(("writer", "busy", int(self._write_lock.locked())))
        found.append(("writer", "waiting", len(waiters)))
        return found

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The writer's SQLAlchemy connection, under the write lock (migrations, tools)."""
        async with self._write_lock:
            conn = await self._writer_connection()
            try:
                yield conn
            finally:
                if conn.in_transaction():
                    await conn.rollback()

    @asynccontextmanager
    async def startup_lock(self) -> AsyncIterator[None]:
        """Held while this process migrates and seeds: other starters on the database wait.

        Two processes started at once on an empty database (shard processes, or `herbot run`
        beside `herbot db migrate`) would otherwise run the same migrations side by side, and
        the second would fail on a table the first just made. The one that waits finds the
        schema current and the seeds in place. PostgreSQL: a session advisory lock
        (``pg_advisory_lock``) on the writer connection, which migrations and seeds use;
        SQLite: an exclusive ``flock`` on ``<file>.lock`` beside the database (a lock on the
        database file itself would be dropped with SQLite's own locks when it is closed).
        Re-entrant within one :class:`Database`; the lock goes when the holder exits or dies.
        """
        if self._startup_depth:
            self._startup_depth += 1
            try:
                yield
            finally:
                self._startup_depth -= 1
            return
        release = await (self._lock_pg() if self.path is None else _flock(self.path))
        self._startup_depth = 1
        try:
            yield
        finally:
            self._startup_depth = 0
            await release()

    async def _lock_pg(self) -> Callable[[], Awaitable[None]]:
        async with self._write_lock:
            driver = await _driver(await self._writer_connection())
            await _run(driver, "SELECT pg_advisory_lock(?)", (STARTUP_LOCK_KEY,), many=False)

        async def release() -> None:
            async with self._write_lock:
                try:
                    await _run(
                        driver, "SELECT pg_advisory_unlock(?)", (STARTUP_LOCK_KEY,), many=False
                    )
                except DatabaseError as exc:  # the session is gone, and its lock with it
                    log.warning("could not release the startup lock: %s", exc)

        return release

    async def checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it (forgotten words leave the WAL).

        PostgreSQL has no file of ours to fold: see :meth:`vacuum`.
        """
        if self.dialect != "sqlite":
            return
        async with self._write_lock:
            driver = await _driver(await self._writer_connection())
            await _run(driver, "PRAGMA wal_checkpoint(TRUNCATE)", (), many=False)

    async def vacuum(self, tables: Iterable[str]) -> None:
        """PostgreSQL: ``VACUUM (ANALYZE)`` each table now, outside any transaction.

        After a forget-me: the deleted rows' dead tuples (their words) are removed from the
        tables and their indexes and the space marked reusable, instead of waiting for
        autovacuum, and the planner's sampled statistics (``pg_statistic`` keeps sample
        values of columns) are taken again without them. It runs on a connection of its
        own, so votes and flushes keep writing meanwhile. SQLite has nothing to do here:
        ``secure_delete`` zeroed the freed pages and :meth:`checkpoint` folds the WAL.
        """
        if self.dialect != "postgresql":
            return
        engine = create_async_engine(
            _postgres_url(self.url),
            poolclass=NullPool,
            connect_args={"max_cached_statement_lifetime": 0},
        )
        try:
            async with engine.connect() as conn:
                driver = await _driver(conn)
                for table in tables:
                    await _run(driver, f'VACUUM (ANALYZE) "{table}"', (), many=False)
        finally:
            await engine.dispose()

    async def backup(self, target: Path | str) -> Path:
        """Copy the live database to ``target`` with SQLite's online backup API."""
        if self.path is None:
            raise DatabaseError("back up a PostgreSQL database with pg_dump (docs/scaling.md)")
        source_path = self.path  # narrowed to Path, also inside copy()
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)

        def copy() -> None:
            source = sqlite3.connect(source_path)
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()

        await asyncio.to_thread(copy)
        return target

    async def close(self) -> None:
        if self._writer_conn is not None:
            await self._writer_conn.close()
            self._writer_conn = None
        await self._reader.dispose()
        if self._writer is not self._reader:
            await self._writer.dispose()


# pg_advisory_lock's key for startup_lock(): one lock per database, the same in every process.
STARTUP_LOCK_KEY = 0x6865_7262_6F74  # "herbot"


async def _flock(path: Path) -> Callable[[], Awaitable[None]]:
    """An exclusive ``flock`` on ``<path>.lock``, waited for in a worker thread."""
    import fcntl  # POSIX; herbot runs on Linux

    lock_path = path.with_name(path.name + ".lock")
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # another starter holds it: wait off the event loop
        log.info("waiting for another process to finish migrating %s", path)
        waiting = asyncio.get_running_loop().run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            waiting.add_done_callback(lambda _: os.close(fd))  # closing the file unlocks it
            raise
    except BaseException:
        os.close(fd)
        raise

    async def release() -> None:
        os.close(fd)  # closing the only descriptor releases the lock

    return release


async def _stream_pg(
    driver: asyncpg.Connection, sql: str, params: Params, batch: int
) -> AsyncIterator[Record]:
    text, names = pg_sql(sql)
    try:
        async with driver.transaction(isolation="repeatable_read", readonly=True):
            cursor = await driver.cursor(text, *_pg_args(names, params))
            make: type[Record] | None = None
            while rows := await cursor.fetch(batch):
                make = make or _record_type(tuple(rows[0].keys()))
                for row in rows:
                    yield make(tuple(row))
    except _DRIVER_ERRORS as error:
        raise _translate(error) from error


class Snapshot:
    """The rows of :meth:`Database.snapshot`, read in batches; values as the driver gives them."""

    def __init__(self, driver: Any) -> None:
        self._driver = driver

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        cursor = await _run(self._driver, sql, params, many=False)
        row = await cursor.fetchone()
        return None if row is None else row[0]

    async def batches(
        self, sql: str, params: Params = (), *, batch: int = 1000
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        """Lists of up to ``batch`` rows (plain tuples) until the result is read."""
        if isinstance(self._driver, asyncpg.Connection):
            text, names = pg_sql(sql)
            try:
                cursor = await self._driver.cursor(text, *_pg_args(names, params))
                while rows := await cursor.fetch(batch):
                    yield [tuple(row) for row in rows]
            except _DRIVER_ERRORS as error:
                raise _translate(error) from error
            return
        try:
            cursor = await self._driver.execute(
                sql, params if isinstance(params, Mapping) else tuple(params)
            )
            while rows := await cursor.fetchmany(batch):
                yield [tuple(row) for row in rows]
        except sqlite3.Error as error:
            raise _translate(error) from error


class _SyncPgCursor:
    def __init__(self, rows: list[Any]) -> None:
        self._rows = rows
        self._next = 0

    def fetchone(self) -> Any:
        rows = self.fetchmany(1)
        return rows[0] if rows else None

    def fetchmany(self, size: int = 1) -> list[Any]:
        rows = self._rows[self._next : self._next + size]
        self._next += len(rows)
        return rows

    def fetchall(self) -> list[Any]:
        return self.fetchmany(len(self._rows))


class SyncPgReader:
    """A read-only, DB-API-shaped PostgreSQL connection for code that runs in a worker thread.

    Transcript exports read in a thread (``asyncio.to_thread``) through ``sqlite3``; on
    PostgreSQL this gives them the same ``execute(sql, params).fetchmany(n)`` on asyncpg, run
    on an event loop of the thread's own. All statements share one read-only snapshot.
    """

    def __init__(self, url: str) -> None:
        # A plain loop on a thread of its own: callers may be sync code inside a running loop,
        # and the loop policy's loops may keep virtual time (tests), which would expire the
        # driver's connect timeout at once.
        self._loop = asyncio.SelectorEventLoop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="herbot-sync-reader", daemon=True
        )
        self._thread.start()
        dsn = "postgresql://" + _postgres_url(url).partition("://")[2]
        # No connect deadline: under a virtual clock (simcord) asyncpg's 60 s would pass at once.
        self._conn: asyncpg.Connection = self._call(asyncpg.connect(dsn, timeout=1e9))
        self._call(self._conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))

    def _call(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result()

    def execute(self, sql: str, params: Params = ()) -> _SyncPgCursor:
        text, names = pg_sql(sql)
        try:
            rows = self._call(self._conn.fetch(text, *_pg_args(names, params)))
        except _DRIVER_ERRORS as error:
            raise _translate(error) from error
        return _SyncPgCursor([tuple(row) for row in rows])

    def close(self) -> None:
        try:
            self._call(self._conn.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join()
            self._loop.close()


def sync_reader(target: Path | str) -> Any:
    """A read-only DB-API connection for worker threads: ``sqlite3`` or :class:`SyncPgReader`."""
    target = resolve_target(target)
    if is_url(target):
        return SyncPgReader(str(target))
    conn = sqlite3.connect(f"file:{target}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only = ON")
    return conn


def resolve_target(target: Path | str) -> Path | str:
    """Where ``target`` really lives: a hook the PostgreSQL test run replaces (tests/conftest)."""
    return target


async def open_database(path: Path | str) -> Database:
    """Open (creating if needed) and migrate the database at ``path``."""
    return await Database.open(path)


@asynccontextmanager
async def database(path: Path | str) -> AsyncIterator[Database]:
    db = await open_database(path)
    try:
        yield db
    finally:
        await db.close()
