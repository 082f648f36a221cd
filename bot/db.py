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

import aiosqlite
from sqlalchemy import event
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


def _translate(error: sqlite3.Error) -> DatabaseError:
    kind = IntegrityError if isinstance(error, sqlite3.IntegrityError) else DatabaseError
    return kind(str(error), error)


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


async def _run(conn: aiosqlite.Connection, sql: str, params: Params, many: bool) -> Cursor:
    """One statement on the driver connection: one thread hop, two when it returns rows."""
    try:
        if many:
            rows = [p if isinstance(p, Mapping) else tuple(p) for p in params]  # type: ignore[union-attr]
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

    def __init__(
        self, conn: aiosqlite.Connection, dialect: str, runtime: dict[str, Any] | None = None
    ) -> None:
        self._conn = conn
        self.dialect = dialect
        self.runtime = runtime if runtime is not None else {}
        self._after_commit: list[Callable[[], Any]] = []
        self._savepoints = 0

    def execute(self, sql: str, params: Params = ()) -> _Statement:
        return _Statement(_run(self._conn, sql, params, many=False))

    def executemany(self, sql: str, rows: Sequence[Params]) -> _Statement:
        return _Statement(_run(self._conn, sql, rows, many=True))

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


async def _driver(conn: AsyncConnection) -> aiosqlite.Connection:
    return (await conn.get_raw_connection()).driver_connection  # type: ignore[return-value]


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
        self._writer_conn: AsyncConnection | None = None  # held for the database's lifetime
        self.commits = 0
        # In-process state a running feature shares with code that only gets a transaction
        # (its privacy part): e.g. the recorder whose queue holds words not yet written.
        # Scoped to this database object, so two bots in one process never see each other's.
        self.runtime: dict[str, Any] = {}

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
            return await _run(await _driver(conn), sql, params, many=False)

    async def stream(
        self, sql: str, params: Params = (), *, batch: int = 500
    ) -> AsyncIterator[Record]:
        """Rows of a large read, ``batch`` at a time, on one reader connection (one snapshot)."""
        async with self._reader.connect() as conn:
            driver = await _driver(conn)
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
        try:
            async with self._write_lock:
                driver = await _driver(await self._writer_connection())
                tx = Transaction(driver, self.dialect, self.runtime)
                await _run(driver, "BEGIN IMMEDIATE", (), many=False)
                try:
                    yield tx
                except BaseException:
                    await _run(driver, "ROLLBACK", (), many=False)
                    raise
                try:
                    await _run(driver, "COMMIT", (), many=False)
                except DatabaseError:
                    if driver.in_transaction:
                        await _run(driver, "ROLLBACK", (), many=False)
                    raise
                self.commits += 1
        finally:
            _transaction_owner.reset(token)
        for callback in tx._after_commit:
            callback()

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

    async def checkpoint(self) -> None:
        """Fold the WAL back into the file and truncate it (forgotten words leave the WAL)."""
        async with self._write_lock:
            driver = await _driver(await self._writer_connection())
            await _run(driver, "PRAGMA wal_checkpoint(TRUNCATE)", (), many=False)

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
        if self._writer_conn is not None:
            await self._writer_conn.close()
            self._writer_conn = None
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
