"""Forget-me outlives a restore: the list of forgotten members in a file outside the database.

``privacy_forgotten`` (bot/privacy.py) tells every process's writers whom to withhold, but it
is a table: a restore from an older backup (``herbot db restore``) replaces it together with
the rows the member asked to forget. This ledger is a file the restore does not replace
(``[bot] forget_ledger`` or ``HERBOT_FORGET_LEDGER``; by default beside the SQLite file, or in
the working directory on PostgreSQL: the image's data volume). Every forget-me appends a line
before it deletes anything; the restore hashes every member id found in the restored rows'
member columns, and forgets again each one the ledger lists (forget-me is idempotent).

A line names a member by HMAC-SHA256 of their id under a random key written once in the
file's first line, so the file lists nobody. A bare SHA-256 of a Discord id would be no
cover: ids are 64-bit numbers built from a timestamp, quick to enumerate. Whoever holds the
file and a candidate id can still test it, exactly as herbot does. The key lives in the file
and not in the database, so the ledger stays readable whichever database is restored. Lines
are appended with one ``write`` on an ``O_APPEND`` descriptor and synced, so processes sharing
the file never interleave a line.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.clock import iso, parse

log = logging.getLogger(__name__)

FORMAT = "herbot.forget-ledger/1"
FILE_NAME = "forget-ledger.jsonl"


class LedgerError(Exception):
    """The ledger file cannot be read or written; the message says which file and why."""


def default_path(database: Path | str) -> Path:
    """Beside the SQLite file (``herbot.db`` -> ``herbot.forget-ledger.jsonl``); for a
    server's URL, in the working directory (the image's ``/data``)."""
    if isinstance(database, Path):
        return database.with_name(f"{database.stem}.{FILE_NAME}")
    return Path(FILE_NAME).absolute()


@dataclass(frozen=True, slots=True)
class ForgetLedger:
    path: Path

    def _key(self, *, create: bool) -> bytes | None:
        """The file's key, making the file (header only) on first use when ``create``."""
        if create and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            header = json.dumps({"format": FORMAT, "key": secrets.token_hex(32)}) + "\n"
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process made it just now: use theirs
                pass
            else:
                try:
                    os.write(fd, header.encode())
                    os.fsync(fd)
                finally:
                    os.close(fd)
        try:
            with self.path.open(encoding="utf-8") as f:
                first = f.readline()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise LedgerError(f"cannot read the forget ledger {self.path}: {exc}") from None
        try:
            header = json.loads(first)
            if header.get("format") != FORMAT:
                raise ValueError(header.get("format"))
            return bytes.fromhex(header["key"])
        except (ValueError, KeyError, TypeError, AttributeError):
            raise LedgerError(
                f"{self.path} is not a herbot forget ledger ({FORMAT}): move it away or point "
                "HERBOT_FORGET_LEDGER elsewhere"
            ) from None

    @staticmethod
    def _hash(key: bytes, member_id: int) -> str:
        return hmac.new(key, str(member_id).encode(), hashlib.sha256).hexdigest()

    def append(self, member_id: int, at: datetime) -> None:
        """Record that the member was forgotten at ``at``; synced before it returns."""
        key = self._key(create=True)
        assert key is not None
        line = json.dumps({"member": self._hash(key, member_id), "at": iso(at)}) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
            try:
                os.write(fd, line.encode())
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise LedgerError(f"cannot write the forget ledger {self.path}: {exc}") from None

    def entries(self) -> dict[str, datetime]:
        """Each listed member's hash and their latest forget (empty: no file yet)."""
        if self._key(create=False) is None:
            return {}
        found: dict[str, datetime] = {}
        with self.path.open(encoding="utf-8") as f:
            next(f)
            for number, line in enumerate(f, start=2):
                if not line.strip():
                    continue
                try:
                    entry = json.loads(line)
                    member, at = str(entry["member"]), parse(entry["at"])
                except (ValueError, KeyError, TypeError):
                    if not line.endswith("\n"):  # a write cut short at the very end
                        log.warning("%s: line %d is incomplete, skipped", self.path, number)
                        continue
                    raise LedgerError(f"{self.path}: line {number} is not a ledger entry") from None
                if member not in found or at > found[member]:
                    found[member] = at
        return found

    def forgotten_among(self, member_ids: Iterable[int]) -> dict[int, datetime]:
        """Which of ``member_ids`` the ledger lists, with when they were last forgotten."""
        key = self._key(create=False)
        if key is None:
            return {}
        listed = self.entries()
        found: dict[int, datetime] = {}
        for member_id in set(member_ids):
            at = listed.get(self._hash(key, member_id))
            if at is not None:
                found[member_id] = at
        return found

    def problem(self) -> str | None:
        """None if a forget could be recorded here; else what is wrong. Writes nothing
        (``herbot doctor``): an existing file must be a ledger and writable, else its
        directory must let this user create it."""
        if self.path.exists():
            try:
                self._key(create=False)
            except LedgerError as exc:
                return str(exc)
            if not os.access(self.path, os.W_OK):
                return f"{self.path} is not writable by this user"
            return None
        parent = next((p for p in self.path.parents if p.exists()), None)
        if parent is None or not os.access(parent, os.W_OK | os.X_OK):
            return f"{self.path} cannot be created: {parent} is not writable by this user"
        return None


def for_settings(database: Path | str, configured: Path | None) -> ForgetLedger:
    """The ledger the settings name (``Settings.forget_ledger``), else :func:`default_path`."""
    return ForgetLedger(configured or default_path(database))
