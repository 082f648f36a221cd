"""The curated quote store on disk: TOML files under herbot_config/quotes/ (no discord import).

``sources.toml`` lists the sources; every other ``*.toml`` file holds ``[[quotes]]``. The
format is the contract in docs/curated-format.md. :func:`load` never raises on bad content: it
returns what it could read plus a list of :class:`Problem`, so ``herbot quotes validate``
can report every problem at once and the seeder can import the good rows.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

SOURCES_FILE = "sources.toml"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
TAG_PATTERN = ID_PATTERN
SOURCE_KINDS = ("film", "article")
QUOTE_KINDS = ("excerpt", "line", "fact")
DEFAULT_MAX_TEXT = 1000
MAX_SPEAKER = 100
MAX_LOCATOR = 200
MAX_NOTE = 1000

# Key order in files we write (and the order reviewers read).
SOURCE_KEYS = (
    "id",
    "kind",
    "title",
    "year",
    "director",
    "publication",
    "author",
    "url",
    "file",
    "note",
)
QUOTE_KEYS = ("id", "text", "speaker", "source", "locator", "kind", "tags", "note")
# Read by /ask alone (cogs/quotes/ask/prebuilt.py), not stored in the database.
RETRIEVAL_KEYS = ("asks",)


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    kind: str
    title: str
    year: int | None = None
    director: str | None = None
    publication: str | None = None
    author: str | None = None
    url: str | None = None
    file: str | None = None
    note: str = ""

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {}
        for key in SOURCE_KEYS:
            value = getattr(self, key)
            if value is not None and (value != "" or key in ("id", "kind", "title")):
                table[key] = value
        return table


@dataclass(frozen=True, slots=True)
class Quote:
    id: str
    text: str
    speaker: str
    source: str
    locator: str = ""
    kind: str = "excerpt"
    tags: tuple[str, ...] = ()
    note: str = ""

    def to_toml(self) -> dict[str, Any]:
        table: dict[str, Any] = {
            "id": self.id,
            "text": self.text,
            "speaker": self.speaker,
            "source": self.source,
            "locator": self.locator,
            "kind": self.kind,
            "tags": list(self.tags),
            "note": self.note,
        }
        return table


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    where: str  # a quote or source id, or "" for the whole file
    message: str

    def __str__(self) -> str:
        at = f" [{self.where}]" if self.where else ""
        return f"{self.file}{at}: {self.message}"


@dataclass
class Curated:
    sources: dict[str, Source] = field(default_factory=dict)
    quotes: list[Quote] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def valid_quotes(self) -> list[Quote]:
        """Quotes without a problem of their own (what the seeder imports from a bad store)."""
        bad = {p.where for p in self.problems if p.where}
        return [q for q in self.quotes if q.id not in bad and q.source in self.sources]


def _text(table: dict[str, Any], key: str) -> str:
    value = table.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _optional(table: dict[str, Any], key: str) -> str | None:
    value = table.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _read(path: Path, problems: list[Problem]) -> dict[str, Any] | None:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        problems.append(Problem(path.name, "", f"not valid TOML: {exc}"))
    except UnicodeDecodeError:
        problems.append(Problem(path.name, "", "not UTF-8 text"))
    return None


def _load_sources(path: Path, curated: Curated) -> None:
    data = _read(path, curated.problems)
    if data is None:
        return
    tables = data.get("sources", [])
    if not isinstance(tables, list):
        curated.problems.append(Problem(path.name, "", "'sources' must be an array of tables"))
        return
    for n, table in enumerate(tables, 1):
        where = str(table.get("id", f"#{n}")) if isinstance(table, dict) else f"#{n}"
        if not isinstance(table, dict):
            curated.problems.append(Problem(path.name, where, "each source must be a table"))
            continue
        problems = curated.problems
        sid, kind, title = _text(table, "id"), _text(table, "kind"), _text(table, "title")
        if not sid or not ID_PATTERN.fullmatch(sid):
            problems.append(Problem(path.name, where, "id must be lower-case [a-z0-9-]"))
            continue
        if sid == "discord":
            problems.append(Problem(path.name, sid, "'discord' is reserved for saved messages"))
            continue
        if sid in curated.sources:
            problems.append(Problem(path.name, sid, "duplicate source id"))
            continue
        if kind not in SOURCE_KINDS:
            problems.append(Problem(path.name, sid, f"kind must be one of {SOURCE_KINDS}"))
        if not title:
            problems.append(Problem(path.name, sid, "empty title"))
        year = table.get("year")
        if year is not None and not isinstance(year, int):
            problems.append(Problem(path.name, sid, "year must be a number"))
            year = None
        curated.sources[sid] = Source(
            id=sid,
            kind=kind or "article",
            title=title or sid,
            year=year,
            director=_optional(table, "director"),
            publication=_optional(table, "publication"),
            author=_optional(table, "author"),
            url=_optional(table, "url"),
            file=_optional(table, "file"),
            note=_text(table, "note"),
        )


def _load_quotes(path: Path, curated: Curated, max_text: int, seen: dict[str, str]) -> None:
    data = _read(path, curated.problems)
    if data is None:
        return
    # A misspelt key would otherwise drop its quotes (or a field) without a word.
    for key in data:
        if key != "quotes":
            curated.problems.append(
                Problem(path.name, "", f"unknown key '{key}': quotes go in [[quotes]] tables")
            )
    tables = data.get("quotes", [])
    if not isinstance(tables, list):
        curated.problems.append(Problem(path.name, "", "'quotes' must be an array of tables"))
        return
    texts: dict[tuple[str, str], str] = {}
    for q in curated.quotes:
        texts.setdefault((q.source, _normal(q.text)), q.id)
    for n, table in enumerate(tables, 1):
        if not isinstance(table, dict):
            curated.problems.append(Problem(path.name, f"#{n}", "each quote must be a table"))
            continue
        quote, problems = parse_quote(table, f"#{n}", max_text=max_text)
        curated.problems.extend(Problem(path.name, w, m) for w, m in problems)
        for key in table:
            if key not in QUOTE_KEYS and key not in RETRIEVAL_KEYS:  # the quote still imports
                name = quote.id if quote else f"#{n}"
                curated.problems.append(Problem(path.name, "", f"{name}: unknown key '{key}'"))
        if quote is None:
            continue
        if quote.id in seen:
            curated.problems.append(
                Problem(path.name, quote.id, f"duplicate id (first in {seen[quote.id]})")
            )
            continue
        seen[quote.id] = path.name
        text_key = (quote.source, _normal(quote.text))
        if quote.text and text_key in texts:
            curated.problems.append(
                Problem(path.name, quote.id, f"duplicate text (same as {texts[text_key]})")
            )
        texts.setdefault(text_key, quote.id)
        curated.quotes.append(quote)


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def parse_quote(
    table: dict[str, Any], fallback: str, *, max_text: int = DEFAULT_MAX_TEXT
) -> tuple[Quote | None, list[tuple[str, str]]]:
    """One quote table -> (Quote or None if unusable, [(where, problem)])."""
    problems: list[tuple[str, str]] = []
    qid = _text(table, "id")
    where = qid or fallback
    if not qid:
        return None, [(where, "empty id")]
    if not ID_PATTERN.fullmatch(qid) or len(qid) > 64:
        return None, [(where, "id must be lower-case [a-z0-9-], at most 64 characters")]
    text = table.get("text", "")
    text = text.strip() if isinstance(text, str) else ""
    for key in ("text", "speaker", "source", "locator"):
        if not _text(table, key):
            problems.append((qid, f"empty {key}"))
    if len(text) > max_text:
        problems.append((qid, f"text is {len(text)} characters; the limit is {max_text}"))
    speaker, locator = _text(table, "speaker"), _text(table, "locator")
    if len(speaker) > MAX_SPEAKER:
        problems.append((qid, f"speaker is longer than {MAX_SPEAKER} characters"))
    if len(locator) > MAX_LOCATOR:
        problems.append((qid, f"locator is longer than {MAX_LOCATOR} characters"))
    kind = _text(table, "kind") or "excerpt"
    if kind not in QUOTE_KINDS:
        problems.append((qid, f"kind must be one of {QUOTE_KINDS}"))
    raw_tags = table.get("tags", [])
    tags: tuple[str, ...] = ()
    if not isinstance(raw_tags, list) or not all(isinstance(t, str) for t in raw_tags):
        problems.append((qid, "tags must be a list of strings"))
    else:
        tags = tuple(t.strip() for t in raw_tags)
        bad = [t for t in tags if not TAG_PATTERN.fullmatch(t)]
        if bad:
            problems.append((qid, f"tags must be lower-case [a-z0-9-]: {bad}"))
    asks = table.get("asks", [])
    if not isinstance(asks, list) or not all(isinstance(a, str) and a.strip() for a in asks):
        problems.append((qid, "asks must be a list of questions (strings)"))
    note = table.get("note", "")
    if not isinstance(note, str):
        problems.append((qid, "note must be a string"))
        note = ""
    elif len(note) > MAX_NOTE:
        problems.append((qid, f"note is longer than {MAX_NOTE} characters"))
    quote = Quote(
        id=qid,
        text=text,
        speaker=speaker,
        source=_text(table, "source"),
        locator=locator,
        kind=kind,
        tags=tags,
        note=note.strip(),
    )
    return quote, problems


def load(directory: Path, *, max_text: int = DEFAULT_MAX_TEXT) -> Curated:
    """Read and validate a curated directory; problems are collected, never raised."""
    curated = Curated()
    if not directory.is_dir():
        curated.problems.append(Problem(str(directory), "", "no such directory"))
        return curated
    sources_path = directory / SOURCES_FILE
    if sources_path.is_file():
        _load_sources(sources_path, curated)
    else:
        curated.problems.append(Problem(SOURCES_FILE, "", "missing: every quote needs a source"))
    seen: dict[str, str] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name != SOURCES_FILE:
            _load_quotes(path, curated, max_text, seen)
    for quote in curated.quotes:
        if quote.source and quote.source not in curated.sources:
            curated.problems.append(
                Problem(_file_of(seen, quote.id), quote.id, f"unknown source '{quote.source}'")
            )
    return curated


def _file_of(seen: dict[str, str], quote_id: str) -> str:
    return seen.get(quote_id, "?")


def _value(value: Any) -> str:
    """One TOML value; arrays stay on one line (as curators write tags) for readable diffs."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return tomli_w.dumps({"v": value})[len("v = ") : -1]


def _tables(name: str, tables: Iterable[dict[str, Any]], header: str) -> str:
    chunks = [header]
    for table in tables:
        lines = [f"[[{name}]]"] + [f"{key} = {_value(v)}" for key, v in table.items()]
        chunks.append("\n".join(lines) + "\n")
    text = "\n".join(chunks)
    tomllib.loads(text)  # never write a file we could not read back
    return text


EXPORT_HEADER = "# Written by `herbot quotes export`. Format: docs/curated-format.md.\n"


def dumps_sources(sources: Iterable[Source]) -> str:
    return _tables("sources", (s.to_toml() for s in sources), EXPORT_HEADER)


def dumps_quotes(quotes: Iterable[Quote]) -> str:
    return _tables("quotes", (q.to_toml() for q in quotes), EXPORT_HEADER)


def export(directory: Path, sources: Iterable[Source], quotes: Iterable[Quote]) -> list[Path]:
    """Write the store as sources.toml plus one ``<source-id>.toml`` per source.

    Quotes keep their order within a source (callers sort them by id). Returns the files
    written. Files of sources that have no quotes are not written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    sources = list(sources)
    written = [directory / SOURCES_FILE]
    written[0].write_text(dumps_sources(sources), encoding="utf-8")
    by_source: dict[str, list[Quote]] = {}
    for quote in quotes:
        by_source.setdefault(quote.source, []).append(quote)
    for source_id, items in by_source.items():
        path = directory / f"{source_id}.toml"
        path.write_text(dumps_quotes(items), encoding="utf-8")
        written.append(path)
    return written
