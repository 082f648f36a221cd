"""``herbot db backup`` and ``herbot db restore``: one portable dump for SQLite and PostgreSQL.

A dump is gzip-compressed JSON lines (``herbot.dump/1``). The first line is the manifest: the
format, the migration head the rows belong to, when it was made and from which engine, every
table with its columns and row count, and the SHA-256 of everything after that line. Then,
table by table in foreign-key order, a line ``{"table": name}`` followed by one JSON array a
row. JSON's own numbers, strings and null carry what they can; what JSON lacks is spelled as a
one-key object: ``{"int": "1234..."}`` for integers beyond 2**53 (Discord ids: JavaScript
readers would round them), ``{"bytes": base64}``, ``{"float": "nan"}``, ``{"datetime": iso}``.
SQLite's implicit ``rowid`` (the full-text and vector key) is dumped as a column ``rowid``, as
PostgreSQL's schema has it explicitly, so a dump of either engine restores into the other.

The backup reads one consistent snapshot while the bot runs (:meth:`Database.snapshot`),
writes beside the target and renames it into place only after reading the file back (the
checksum, every table's row count, the head). The restore refuses a file that does not verify
and a target that holds anything beyond what the migrations seed; it migrates an empty target
to the dump's head, inserts every row in batches in one transaction, moves PostgreSQL's
identity sequences past the restored ids, checks every count, migrates on to this release's
head, and then forgets again every member the forget ledger lists (bot/forget_ledger.py) whose
id the restored rows hold, so a restore never brings back what a member asked herbot to
forget. A forget the dump already holds (the same moment in its ``privacy_forgotten``, made
before the backup) is not repeated: what the member wrote after it is theirs, as it is in the
live database. No clock is compared but the forget's own time, written in both places.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from bot import __version__
from bot.clock import iso, parse
from bot.db import Database, Reader, Transaction
from bot.feature import Feature
from bot.forget_ledger import ForgetLedger
from bot.migrations import current, history, upgrade

log = logging.getLogger(__name__)

FORMAT = "herbot.dump/1"
SKIPPED = frozenset({"alembic_version"})
# What the migrations themselves put in an empty database: a target holding no more than this
# is empty (tests/core/test_backup.py checks it against a fresh database on both engines).
SEEDED = {"quote_sources": 1, "ask_generation": 1, "privacy_secret": 1}
# Counters that triggers on other tables bump (ask_generation counts changes to quotes):
# restored after every other table, so they keep the value the dump holds.
COUNTERS = ("ask_generation",)
BATCH_ROWS = 1000  # rows read a batch; restores insert 5 batches at a time
PROGRESS_SECONDS = 2.0
SAFE_INT = 2**53

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


# --- values ----------------------------------------------------------------------------------


def encode(value: Any) -> Any:
    """A database value as JSON can hold it exactly (see the module docstring)."""
    if value is None or isinstance(value, str | bool):
        return value
    if isinstance(value, int):
        return value if -SAFE_INT < value < SAFE_INT else {"int": str(value)}
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": repr(value)}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, Decimal):
        return {"decimal": str(value)}
    raise BackupError(f"cannot dump a value of type {type(value).__name__}")


def decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((kind, text),) = value.items()
    if kind == "int":
        return int(text)
    if kind == "bytes":
        return base64.b64decode(text)
    if kind == "float":
        return float(text)
    if kind == "datetime":
        return datetime.fromisoformat(text)
    if kind == "decimal":
        return Decimal(text)
    raise BackupError(f"unknown value kind {kind!r} in the dump")


# --- the tables ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[str, ...]  # what a dump holds of it, ``rowid`` included where it is kept
    types: tuple[str, ...] = ()  # PostgreSQL's data types of ``columns`` (restore's coercion)


def _in_order(names: Iterable[str], parents: dict[str, set[str]]) -> list[str]:
    """Parents before children; alphabetical among tables ready at the same step."""
    pending, ordered = set(names), list[str]()
    while pending:
        ready = sorted(n for n in pending if parents.get(n, set()) & pending <= {n})
        if not ready:
            raise BackupError(f"foreign keys form a cycle among {sorted(pending)}")
        ordered += ready
        pending -= set(ready)
    return ordered


async def tables(db: Reader, dialect: str) -> list[Table]:
    """Every plain table herbot keeps, in foreign-key order (the migration table aside)."""
    if dialect == "sqlite":
        return await _sqlite_tables(db)
    names = [
        r[0]
        for r in await db.fetchall(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
        if r[0] not in SKIPPED
    ]
    parents: dict[str, set[str]] = {}
    for child, parent in await db.fetchall(
        "SELECT c.relname, p.relname FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
        "JOIN pg_class p ON p.oid = k.confrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE k.contype = 'f' AND n.nspname = 'public'"
    ):
        parents.setdefault(child, set()).add(parent)
    columns: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in await db.fetchall(
        "SELECT table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_generated = 'NEVER' AND data_type <> 'tsvector' "
        "ORDER BY table_name, ordinal_position"
    ):
        columns.setdefault(table, []).append((column, kind))
    return [
        Table(
            name,
            tuple(c for c, _ in columns.get(name, [])),
            tuple(k for _, k in columns.get(name, [])),
        )
        for name in _in_order(names, parents)
    ]


async def _sqlite_tables(db: Reader) -> list[Table]:
    rows = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
    )
    virtual = {r[0] for r in rows if (r[1] or "").upper().startswith("CREATE VIRTUAL")}
    plain = {
        r[0]: (r[1] or "")
        for r in rows
        if r[0] not in virtual
        and r[0] not in SKIPPED
        and not any(r[0].startswith(v + "_") for v in virtual)
    }
    parents: dict[str, set[str]] = {}
    found: dict[str, Table] = {}
    for name, sql in plain.items():
        keys = await db.fetchall(f'PRAGMA foreign_key_list("{name}")')
        parents[name] = {k["table"] for k in keys}
        info = await db.fetchall(f'PRAGMA table_info("{name}")')
        columns = tuple(c["name"] for c in info)
        keys_ = [c for c in info if c["pk"]]
        alias = len(keys_) == 1 and (keys_[0]["type"] or "").upper() == "INTEGER"
        has_rowid = "WITHOUT ROWID" not in sql.upper() and not alias
        found[name] = Table(name, (("rowid",) if has_rowid else ()) + columns)
    return [found[n] for n in _in_order(plain, parents)]


def _quoted(columns: Iterable[str]) -> str:
    return ", ".join(c if c == "rowid" else f'"{c}"' for c in columns)


# --- the manifest ----------------------------------------------------------------------------


@dataclass
class Manifest:
    head: str
    engine: str
    created: datetime
    tables: dict[str, tuple[tuple[str, ...], int]]  # name -> (columns, rows), dump order
    sha256: str = ""
    herbot: str = __version__
    format: str = FORMAT

    def line(self) -> bytes:
        return (
            json.dumps(
                {
                    "format": self.format,
                    "head": self.head,
                    "engine": self.engine,
                    "created": iso(self.created),
                    "herbot": self.herbot,
                    "tables": {
                        name: {"columns": list(cols), "rows": rows}
                        for name, (cols, rows) in self.tables.items()
                    },
                    "sha256": self.sha256,
                },
                separators=(",", ":"),
            ).encode()
            + b"\n"
        )

    @classmethod
    def parse(cls, line: bytes) -> Manifest:
        try:
            raw = json.loads(line)
            if raw.get("format") != FORMAT:
                raise BackupError(
                    f"not a herbot dump of format {FORMAT} (it says {raw.get('format')!r})"
                )
            return cls(
                head=str(raw["head"]),
                engine=str(raw["engine"]),
                created=parse(raw["created"]),
                tables={
                    name: (tuple(t["columns"]), int(t["rows"])) for name, t in raw["tables"].items()
                },
                sha256=str(raw["sha256"]),
                herbot=str(raw.get("herbot", "")),
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError, AttributeError):
            raise BackupError("the file does not start with a herbot dump's manifest") from None

    @property
    def total_rows(self) -> int:
        return sum(rows for _, rows in self.tables.values())

    def table(self) -> str:
        width = max((len(t) for t in self.tables), default=5)
        lines = [f"{'table':<{width}}  {'rows':>8}"]
        lines += [f"{t:<{width}}  {n:>8}" for t, (_, n) in self.tables.items()]
        return "\n".join(lines)


class _Pacer:
    """Progress lines: one per table, and one every PROGRESS_SECONDS inside a long one."""

    def __init__(self, progress: Progress | None) -> None:
        self._progress = progress
        self._last = time.monotonic()

    def say(self, text: str) -> None:
        if self._progress is not None:
            self._progress(text)
        self._last = time.monotonic()

    def tick(self, text: str) -> None:
        if time.monotonic() - self._last >= PROGRESS_SECONDS:
            self.say(text)


# --- writing and reading the file ------------------------------------------------------------


class _BodyWriter:
    """The rows after the manifest: gzip-compressed into a side file, hashed as written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.digest = hashlib.sha256()
        self._file = gzip.open(path, "wb", compresslevel=6)  # noqa: SIM115 (closed by close())

    def write(self, lines: list[bytes]) -> None:
        data = b"".join(lines)
        self.digest.update(data)
        self._file.write(data)

    def close(self) -> None:
        self._file.close()


def _line(value: Any) -> bytes:
    try:  # orjson: several times faster; the standard library for what it refuses
        return orjson.dumps(value, option=orjson.OPT_APPEND_NEWLINE)
    except TypeError:  # e.g. a lone surrogate in text: json escapes it
        return json.dumps(value, separators=(",", ":")).encode() + b"\n"


def _parse(line: bytes) -> Any:
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line)  # what _line wrote with the standard library


def _assemble(target: Path, manifest: Manifest, body: Path) -> None:
    """The manifest as its own gzip member, then the body's members copied as they are."""
    with target.open("wb") as out:
        out.write(gzip.compress(manifest.line(), compresslevel=6))
        with body.open("rb") as rows:
            shutil.copyfileobj(rows, out, 1 << 20)
        out.flush()
        os.fsync(out.fileno())


def read_manifest(path: Path) -> Manifest:
    try:
        with gzip.open(path, "rb") as f:
            return Manifest.parse(f.readline())
    except (OSError, EOFError) as exc:
        raise BackupError(f"{path} is not a readable herbot dump ({exc})") from None


def _body(path: Path) -> Iterator[tuple[str, list[Any]] | str]:
    """The table names (str) and rows ((table, values)) after the manifest, as stored."""
    table = ""
    with gzip.open(path, "rb") as f:
        f.readline()
        for line in f:
            if line.startswith(b"{"):
                table = _parse(line)["table"]
                yield table
            else:
                yield table, _parse(line)


def verify(path: Path, progress: Progress | None = None) -> Manifest:
    """Read the whole file: its checksum and each table's row count must match the manifest."""
    manifest = read_manifest(path)
    pacer = _Pacer(progress)
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    table = ""
    try:
        with gzip.open(path, "rb") as f:
            f.readline()
            for n, line in enumerate(f):
                digest.update(line)
                if line.startswith(b"{"):
                    table = _parse(line)["table"]
                    counts[table] = 0
                else:
                    counts[table] += 1
                if n % 10_000 == 0:
                    pacer.tick(f"verifying {path.name}: {n} rows read")
    except (OSError, EOFError, ValueError, KeyError) as exc:
        raise BackupError(f"{path} is damaged ({exc}): use another backup") from None
    if digest.hexdigest() != manifest.sha256:
        raise BackupError(
            f"{path} is damaged: its rows do not match the manifest's checksum (SHA-256); "
            "use another backup"
        )
    wanted = {name: rows for name, (_, rows) in manifest.tables.items()}
    if counts != wanted:
        wrong = sorted(t for t in set(counts) | set(wanted) if counts.get(t) != wanted.get(t))
        raise BackupError(f"{path}: row counts differ from the manifest in {', '.join(wrong)}")
    return manifest


# --- backup ----------------------------------------------------------------------------------


async def backup(db: Database, target: Path, progress: Progress | None = None) -> Manifest:
    """Dump ``db`` into the new file ``target`` (written beside it, verified, renamed)."""
    pacer = _Pacer(progress)
    head = await current(db)
    if head is None:
        raise BackupError("the database has no schema: nothing to back up")
    specs = await tables(db, db.dialect)
    partial = target.with_name(f".{target.name}.partial")
    body_path = target.with_name(f".{target.name}.rows")
    counts: dict[str, tuple[tuple[str, ...], int]] = {}
    writer = _BodyWriter(body_path)
    try:
        async with db.snapshot() as snap:
            created = datetime.now(UTC)
            pacer.say(f"backing up {len(specs)} tables ({db.dialect}) to {target}")
            for spec in specs:
                expected = int(await snap.fetchval(f'SELECT count(*) FROM "{spec.name}"'))
                pacer.tick(f"backing up {spec.name}: {expected} rows")
                writer.write([_line({"table": spec.name})])
                done = 0
                async for rows in snap.batches(
                    f'SELECT {_quoted(spec.columns)} FROM "{spec.name}"', batch=BATCH_ROWS
                ):
                    writer.write([_line([encode(v) for v in row]) for row in rows])
                    done += len(rows)
                    pacer.tick(f"backing up {spec.name}: {done} of {expected} rows")
                if done != expected:
                    raise BackupError(f"{spec.name}: counted {expected} rows, read {done}")
                counts[spec.name] = (spec.columns, done)
        writer.close()
        manifest = Manifest(
            head=head,
            engine=db.dialect,
            created=created,
            tables=counts,
            sha256=writer.digest.hexdigest(),
        )
        _assemble(partial, manifest, body_path)
        pacer.say(f"verifying {target.name}")
        found = verify(partial, progress)
        if found.head != head or found.tables != counts:
            raise BackupError(f"{target}: the file read back differs from what was written")
        partial.replace(target)
    finally:
        writer.close()
        body_path.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    log.info("backed up %d rows of %d tables", manifest.total_rows, len(counts))
    return manifest


# --- restore ---------------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: Manifest
    head: str  # the migration head after the restore (this release's)
    reforgotten: int = 0  # members the ledger listed whose rows the dump still held
    counts: dict[str, int] = field(default_factory=dict)


async def _table_names(db: Database) -> set[str]:
    if db.dialect == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    else:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_type = 'BASE TABLE'"
        )
    return {r[0] for r in await db.fetchall(sql)}


async def _refuse_non_empty(db: Database, specs: list[Table], where: str) -> None:
    for spec in specs:
        rows = int(await db.fetchval(f'SELECT count(*) FROM "{spec.name}"'))
        if rows > SEEDED.get(spec.name, 0):
            raise BackupError(
                f"{where} is not empty ({spec.name} has {rows} rows): restore into a new, "
                "empty database so nothing there is overwritten (docs/hosting.md, 'Restore')"
            )


def _coercer(kind: str) -> Callable[[Any], Any]:
    """A value from the other engine as PostgreSQL's column type takes it (asyncpg is strict)."""

    def text(v: Any) -> Any:
        return v if v is None or isinstance(v, str) else str(v)

    def integer(v: Any) -> Any:
        return v if v is None or isinstance(v, int) else int(v)

    def double(v: Any) -> Any:
        return v if v is None or isinstance(v, float) else float(v)

    def blob(v: Any) -> Any:
        return v if v is None or isinstance(v, bytes) else str(v).encode()

    return {"text": text, "bigint": integer, "integer": integer, "double precision": double}.get(
        kind, blob if kind == "bytea" else (lambda v: v)
    )


class _Inserter:
    """Rows of one table into the target, a few thousand at a time (Transaction.insert_rows)."""

    def __init__(self, tx: Transaction, spec: Table, dumped: tuple[str, ...]) -> None:
        extra = set(dumped) - set(spec.columns) - {"rowid"}
        if extra:
            raise BackupError(
                f"{spec.name}: the dump has columns this schema lacks ({', '.join(sorted(extra))})"
            )
        self.tx = tx
        self.name = spec.name
        self.keep = [i for i, c in enumerate(dumped) if c in spec.columns]
        self.columns = [dumped[i] for i in self.keep]
        types = dict(zip(spec.columns, spec.types, strict=False))
        self.coerce = [_coercer(types.get(c, "")) for c in self.columns] if spec.types else None
        self.per_insert = BATCH_ROWS * 5
        self.pending: list[list[Any]] = []
        self.written = 0

    async def add(self, values: list[Any]) -> None:
        row = [v if type(v) is not dict else decode(v) for v in (values[i] for i in self.keep)]
        if self.coerce is not None:
            row = [f(v) for f, v in zip(self.coerce, row, strict=True)]
        self.pending.append(row)
        if len(self.pending) >= self.per_insert:
            await self.flush()

    async def flush(self) -> None:
        if not self.pending:
            return
        await self.tx.insert_rows(self.name, self.columns, self.pending)
        self.written += len(self.pending)
        self.pending = []


async def _reset_identities(tx: Transaction) -> None:
    """PostgreSQL: each identity's sequence continues after the largest restored value."""
    if tx.dialect != "postgresql":
        return
    identities = await tx.fetchall(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND is_identity = 'YES'"
    )
    for table, column in identities:
        await tx.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{column}'), "
            f'coalesce((SELECT max("{column}") FROM "{table}"), 0) + 1, false)'
        )


def member_columns(features: Iterable[Feature]) -> dict[str, tuple[str, ...]]:
    """The columns that name members (the privacy registry's personal columns)."""
    from bot.privacy import parts

    found: dict[str, set[str]] = {}
    for part in parts(features):
        for table, columns in part.personal_columns.items():
            found.setdefault(table, set()).update(columns)
    return {t: tuple(sorted(c)) for t, c in found.items()}


async def restore(
    target: Path | str,
    source: Path,
    *,
    features: Iterable[Feature],
    ledger: ForgetLedger,
    progress: Progress | None = None,
) -> RestoreReport:
    """Restore the dump ``source`` into the empty database ``target`` (see the docstring)."""
    features = list(features)
    pacer = _Pacer(progress)
    pacer.say(f"verifying {source.name}")
    manifest = verify(source, progress)
    if manifest.head not in history():
        raise BackupError(
            f"{source} was made at migration {manifest.head}, which this herbot does not know: "
            "restore it with the release that made it (or a newer one)"
        )
    db = await Database.open(target, migrate=False)
    try:
        where = "the target database"
        existing = await _table_names(db)
        at = await current(db) if "alembic_version" in existing else None
        if at is None and existing:
            raise BackupError(
                f"{where} has tables but no herbot schema: restore into a new, empty database"
            )
        if at is not None and at != manifest.head:
            raise BackupError(
                f"{where} is at migration {at}, the dump at {manifest.head}: restore into a "
                "new, empty database (the restore migrates it to the dump's head first)"
            )
        if at is not None:
            await _refuse_non_empty(db, await tables(db, db.dialect), where)
        async with db.startup_lock():
            await upgrade(db, target=manifest.head)
        specs = {spec.name: spec for spec in await tables(db, db.dialect)}
        await _refuse_non_empty(db, list(specs.values()), where)
        missing = set(manifest.tables) - set(specs)
        if missing:
            raise BackupError(f"the schema lacks the dump's tables {', '.join(sorted(missing))}")
        people = member_columns(features)
        ids: set[int] = set()
        report = RestoreReport(manifest, head="")
        pacer.say(f"restoring {manifest.total_rows} rows into {len(manifest.tables)} tables")
        async with db.transaction() as tx:
            for name in reversed(list(specs)):  # the rows the migrations seeded make way
                await tx.execute(f'DELETE FROM "{name}"')
            later: list[tuple[str, list[Any]]] = []
            inserter: _Inserter | None = None
            watch: list[int] = []
            for item in _body(source):
                if isinstance(item, str):
                    if inserter is not None:
                        await inserter.flush()
                    pacer.tick(f"restoring {item}")
                    columns = manifest.tables[item][0]
                    inserter = _Inserter(tx, specs[item], columns)
                    watch = [i for i, c in enumerate(columns) if c in people.get(item, ())]
                    continue
                name, values = item
                assert inserter is not None
                for i in watch:
                    value = decode(values[i])
                    if isinstance(value, int) and not isinstance(value, bool):
                        ids.add(value)
                if name in COUNTERS:
                    later.append(item)
                    continue
                await inserter.add(values)
                pacer.tick(f"restoring {name}: {inserter.written} rows")
            if inserter is not None:
                await inserter.flush()
            for name in COUNTERS:
                if name in manifest.tables:
                    await tx.execute(f'DELETE FROM "{name}"')
                    last = _Inserter(tx, specs[name], manifest.tables[name][0])
                    for row_name, values in later:
                        if row_name == name:
                            await last.add(values)
                    await last.flush()
            await _reset_identities(tx)
            for name, (_, rows) in manifest.tables.items():
                found = int(await tx.fetchval(f'SELECT count(*) FROM "{name}"'))
                if found != rows:  # raised inside the block: nothing stays half-restored
                    raise BackupError(f"{name}: {rows} rows in the dump, {found} restored")
                report.counts[name] = found
        async with db.startup_lock():
            await upgrade(db)
        report.head = await current(db) or ""
        report.reforgotten = await _reapply_forgets(db, features, ledger, ids, pacer)
    finally:
        await db.close()
    log.info("restored %d rows of %d tables", manifest.total_rows, len(manifest.tables))
    return report


async def _reapply_forgets(
    db: Database, features: list[Feature], ledger: ForgetLedger, ids: set[int], pacer: _Pacer
) -> int:
    """Forget again each member the ledger lists whose id the restored rows hold, unless the
    restored rows hold that very forget (``privacy_forgotten``: made before the backup)."""
    from bot import privacy

    listed: dict[int, datetime] = {}
    for member_id, at in ledger.forgotten_among(ids).items():
        # The same forget in the restored ledger table: it is in the dump already (what
        # they wrote since is theirs to keep); older or missing: forgotten after the backup.
        restored = await privacy.forgotten_at(db, member_id)
        if restored is None or restored < at:
            listed[member_id] = at
    if listed:
        pacer.say(f"forgetting again {len(listed)} member(s) the forget ledger lists")
    for member_id, forgotten_at in sorted(listed.items()):
        await privacy.forget(db, features, member_id, at=forgotten_at)  # db has no ledger:
    return len(listed)  # nothing is appended to it again
