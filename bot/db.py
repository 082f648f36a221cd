"""The database object: the one owner of connections and transactions.

Features never commit or roll back. They read through :class:`Database` (committed data
only: SQLite's WAL lets readers use their own connections) and write inside a unit of work::

    async with db.transaction() as tx:       # BEGIN IMMEDIATE; writers take turns
        await store.save_vote(tx, ...)       # domain writers take the transaction they run in
    # here the COMMIT has happened: only now may the bot acknowledge anything

Connections, pooling and the driver belong to SQLAlchemy 2's asyncio engine (aiosqlite
underneath for SQLite), so a second engine plugs in behind the same interface. Statements are
SQL text in SQLite's ``?`` style; rows come back as :class:`Record` (by index or by name).
Migrations are Alembic's (``bot/migrations``), one ascending history.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import logging
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar, Protocol

from sqlalchemy import event, exc
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

log = logging.getLogger(__name__)

Params = Sequence[Any] | Mapping[str, Any]


class DatabaseError(Exception):
    """A statement failed; ``orig`` is the driver's own exception."""

    def __init__(self, message: str, orig: BaseException | None = None) -> None:
        super().__init__(message)
        self.orig = orig


class IntegrityError(DatabaseError):
    """A constraint (key, unique, check, foreign key) refused the write."""


def _translate(error: exc.DBAPIError) -> DatabaseError:
    kind = IntegrityError if isinstance(error, exc.IntegrityError) else DatabaseError
    return kind(str(error.orig), error.orig)


class Record(tuple):
    """One row: ``row[0]``, ``row["name"]``, ``row.name``, ``dict(row)``."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}
    _names: ClassVar[tuple[str, ...]] = ()

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
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

    def __await__(self) -> Iterator[Any]:
        return self._coro.__await__()

    async def __aenter__(self) -> Cursor:
        return await self._coro

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _cursor(result: CursorResult[Any]) -> Cursor:
    rows: list[Record] = []
    if result.returns_rows:
        make = _record_type(tuple(result.keys()))
        rows = [make(row) for row in result.fetchall()]
    try:
        lastrowid = result.lastrowid
    except (exc.InvalidRequestError, AttributeError):
        lastrowid = None
    return Cursor(rows, result.rowcount, lastrowid)


async def _run(conn: AsyncConnection, sql: str, params: Params, many: bool) -> Cursor:
    if many:
        rows = [p if isinstance(p, Mapping) else tuple(p) for p in params]  # type: ignore[union-attr]
        if not rows:
            return Cursor([], 0, None)
        bound: Any = rows
    else:
        bound = params if isinstance(params, Mapping) else tuple(params)
    try:
        return _cursor(await conn.exec_driver_sql(sql, bound))
    except exc.DBAPIError as error:
        raise _translate(error) from error


class Reader(Protocol):
    """What read-only domain functions take: the database or a transaction."""

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

    def __init__(self, conn: AsyncConnection, dialect: str) -> None:
        self._conn = conn
        self.dialect = dialect
        self._after_commit: list[Callable[[], Any]] = []

    def execute(self, sql: str, params: Params = ()) -> _Statement:
        return _Statement(_run(self._conn, sql, params, many=False))

    def executemany(self, sql: str, rows: Sequence[Params]) -> _Statement:
        return _Statement(_run(self._conn, sql, rows, many=True))

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Undo just this block on error (the transaction goes on), on every engine."""
        nested = await self._conn.begin_nested()
        try:
            yield
        except BaseException:
            await nested.rollback()
            raise
        else:
            await nested.commit()

    def after_commit(self, callback: Callable[[], Any]) -> None:
        """Run ``callback`` once the COMMIT succeeded (never after a rollback)."""
        self._after_commit.append(callback)


_in_transaction: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "herbot_in_transaction", default=False
)


def _sqlite_url(path: Path | str) -> str:
    return f"sqlite+aiosqlite:///{Path(path)}"


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

    if writer:

        @event.listens_for(engine.sync_engine, "begin")
        def _begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database(_Fetching):
    """Connections and transactions for the whole application.

    ``execute``/``fetch*`` read committed data on a reader connection; every write goes
    through :meth:`transaction`, one at a time in this process.
    """

    def __init__(self, url: str, writer: AsyncEngine, reader: AsyncEngine, path: Path) -> None:
        self.url = url
        self.dialect = writer.dialect.name
        self.path = path
        self._writer = writer
        self._reader = reader
        self._write_lock = asyncio.Lock()
        self.commits = 0

    @classmethod
    async def open(cls, path: Path | str, *, migrate: bool = True) -> Database:
        path = Path(path)
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
            return await _run(conn, sql, params, many=False)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One unit of work: commit on success, roll back on any error, writers serialised."""
        if _in_transaction.get():
            raise RuntimeError("a transaction is already open in this task: pass it down")
        token = _in_transaction.set(True)
        try:
            async with self._write_lock, self._writer.connect() as conn:
                tx = Transaction(conn, self.dialect)
                try:
                    async with conn.begin():
                        yield tx
                except exc.DBAPIError as error:  # the COMMIT itself failed
                    raise _translate(error) from error
                self.commits += 1
        finally:
            _in_transaction.reset(token)
        for callback in tx._after_commit:
            callback()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        """The writer's raw SQLAlchemy connection, under the write lock (migrations, tools)."""
        async with self._write_lock, self._writer.connect() as conn:
            yield conn

    async def checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it (forgotten words leave the WAL)."""
        async with self.connection() as conn:
            await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def backup(self, target: Path | str) -> Path:
        """Copy the live database to ``target`` with SQLite's online backup API."""
        target = Path(target)
        target.parent.mkdir(parents=True, exist_ok=True)

        def copy() -> None:
            source = sqlite3.connect(self.path)
            dest = sqlite3.connect(target)
            try:
                source.backup(dest)
            finally:
                dest.close()
                source.close()

        await asyncio.to_thread(copy)
        return target

    async def close(self) -> None:
        await self._reader.dispose()
        await self._writer.dispose()


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
