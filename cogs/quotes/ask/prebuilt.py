"""The curated store's vectors, computed ahead and shipped with the package.

Encoding the ~200 curated passages and their curated question phrasings takes a minute or
more on a busy two-core host; a fresh database would otherwise make the first ``herbot
ask``, ``herbot run`` or ``herbot demo`` wait for it. ``curated_vectors.npz`` (beside this
module, package data) holds, for the model it was made with (id and weights SHA-256):

- the vector of each curated passage's :func:`~cogs.quotes.ask.dense.document`,
  keyed by that document's SHA-256 (so an edited passage simply has no shipped vector and
  is encoded at run time, alone);
- the vectors of each passage's curated phrasings (``asks`` in herbot_config/quotes/*.toml), keyed
  by the passage's document hash: a passage whose text changed loses its phrasings until
  the file is rebuilt (``tests/quotes/ask/test_prebuilt.py`` fails meanwhile).

Rebuild after editing herbot_config/quotes/ (only what changed is encoded)::

    python -m cogs.quotes.ask.prebuilt            # write the file
    python -m cogs.quotes.ask.prebuilt --check    # exit 1 if it is stale
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from bot.config import shipped_dir
from cogs.quotes import curated
from cogs.quotes.ask.dense import Encoder, Progress, content_hash, document

log = logging.getLogger(__name__)

DATA_FILE = Path(__file__).with_name("curated_vectors.npz")
CURATED_DIR = shipped_dir() / "quotes"
FORMAT = 1


@dataclass(frozen=True, slots=True)
class Wanted:
    """What the file must hold for a curated directory: documents and phrasings by hash."""

    documents: dict[str, str]  # document hash -> document text
    asks: dict[str, list[str]]  # document hash -> phrasings (in file order)

    def ask_texts(self) -> dict[str, str]:
        return {content_hash(a): a for items in self.asks.values() for a in items}


@dataclass(frozen=True, slots=True)
class Prebuilt:
    model: str
    weights_sha256: str
    vectors: dict[str, np.ndarray]  # document or phrasing hash -> unit vector
    asks: dict[str, list[str]]  # document hash -> its phrasings' hashes

    def fits(self, encoder: Encoder) -> bool:
        """Made by this very model: same id and, when the encoder says, same weights."""
        sha = getattr(encoder, "weights_sha256", None)
        return encoder.model_id == self.model and (sha is None or sha == self.weights_sha256)

    def ask_matrices(self) -> dict[str, np.ndarray]:
        """Document hash -> its phrasings' vectors, one row each."""
        return {
            doc: np.stack([self.vectors[h] for h in hashes])
            for doc, hashes in self.asks.items()
            if hashes and all(h in self.vectors for h in hashes)
        }


def _join_tags(tags: tuple[str, ...]) -> str:
    # The quote store's own spelling of tags (cogs.quotes.quote.join_tags), so the hash of
    # the document matches the one computed from the database row.
    return ",".join(dict.fromkeys(t.strip().lower() for t in tags if t.strip()))


def read_asks(directory: Path) -> dict[str, list[str]]:
    """Quote id -> its curated phrasings (``asks = [...]``), as written."""
    out: dict[str, list[str]] = {}
    for path in sorted(directory.glob("*.toml")):
        if path.name == curated.SOURCES_FILE:
            continue
        for table in tomllib.loads(path.read_text(encoding="utf-8")).get("quotes", []):
            asks = table.get("asks", [])
            if isinstance(table, dict) and isinstance(asks, list):
                out[str(table.get("id", ""))] = [" ".join(a.split()) for a in asks if a.strip()]
    return out


def wanted(directory: Path = CURATED_DIR) -> Wanted:
    loaded = curated.load(directory)
    asks_by_id = read_asks(directory)
    documents: dict[str, str] = {}
    asks: dict[str, list[str]] = {}
    for quote in loaded.valid_quotes():
        doc = document(quote.text, quote.locator, _join_tags(quote.tags))
        key = content_hash(doc)
        documents[key] = doc
        if asks_by_id.get(quote.id):
            asks[key] = asks_by_id[quote.id]
    return Wanted(documents, asks)


@cache
def load(path: Path = DATA_FILE) -> Prebuilt | None:
    """The shipped vectors, or None when the file is missing or unreadable."""
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            hashes = [str(h) for h in data["hashes"]]
            matrix = np.asarray(data["vectors"], dtype=np.float32)
    except (OSError, KeyError, ValueError) as exc:
        log.info("no shipped /ask vectors (%s): the curated store is encoded on first use", exc)
        return None
    if meta.get("format") != FORMAT or len(hashes) != len(matrix):
        log.warning("%s has an unknown format: ignored", path)
        return None
    return Prebuilt(
        meta["model"],
        meta["weights_sha256"],
        dict(zip(hashes, matrix, strict=True)),
        {doc: list(items) for doc, items in meta["asks"].items()},
    )


def problems(directory: Path = CURATED_DIR, path: Path = DATA_FILE) -> list[str]:
    """Why the shipped file does not match the curated TOML (empty: it is fresh)."""
    from cogs.quotes.ask.embedder import WEIGHTS_SHA256, current_model_id

    load.cache_clear()
    shipped = load(path)
    if shipped is None:
        return [f"{path.name} is missing or unreadable"]
    out = []
    if shipped.model != current_model_id() or shipped.weights_sha256 != WEIGHTS_SHA256:
        out.append(f"made with another model ({shipped.model}, {shipped.weights_sha256[:12]}…)")
    want = wanted(directory)
    missing = [h for h in want.documents if h not in shipped.vectors]
    if missing:
        out.append(f"{len(missing)} curated passages have no shipped vector")
    want_asks = {doc: [content_hash(a) for a in items] for doc, items in want.asks.items()}
    if want_asks != shipped.asks:
        changed = sum(
            1 for d in set(want_asks) | set(shipped.asks) if want_asks.get(d) != shipped.asks.get(d)
        )
        out.append(f"the phrasings of {changed} passages changed")
    extra = set(shipped.vectors) - set(want.documents) - set(want.ask_texts())
    if extra:
        out.append(f"{len(extra)} shipped vectors belong to nothing curated")
    return out


def build(encoder: Encoder, directory: Path = CURATED_DIR, path: Path = DATA_FILE) -> int:
    """Write the file for ``directory``, encoding only texts it does not hold yet.

    Returns how many texts were encoded.
    """
    want = wanted(directory)
    load.cache_clear()
    old = load(path)
    reuse = old.vectors if old is not None and old.fits(encoder) else {}
    texts = {**want.documents, **want.ask_texts()}
    todo = [h for h in texts if h not in reuse]
    vectors = {h: reuse[h] for h in texts if h in reuse}
    progress = Progress(len(todo), "curated vectors")
    for start in range(0, len(todo), 32):
        batch = todo[start : start + 32]
        vectors.update(zip(batch, encoder.encode([texts[h] for h in batch]), strict=True))
        progress.update(start + len(batch))
    progress.close()
    order = sorted(vectors)
    meta = {
        "format": FORMAT,
        "model": encoder.model_id,
        "weights_sha256": getattr(encoder, "weights_sha256", ""),
        "asks": {doc: [content_hash(a) for a in items] for doc, items in sorted(want.asks.items())},
    }
    with path.open("wb") as fh:
        np.savez_compressed(
            fh,
            meta=np.array(json.dumps(meta, sort_keys=True)),
            hashes=np.array(order),
            vectors=np.stack([vectors[h] for h in order]).astype("<f4"),
        )
    load.cache_clear()
    return len(todo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cogs.quotes.ask.prebuilt",
        description="Rebuild (or --check) the shipped vectors of the curated quote store.",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when the file is stale")
    parser.add_argument("--curated", type=Path, default=CURATED_DIR, help="herbot_config/quotes/")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if args.check:
        found = problems(args.curated)
        for problem in found:
            print(f"stale: {problem}")
        return 1 if found else 0
    from cogs.quotes.ask.embedder import shared_model

    encoded = build(shared_model(), args.curated)
    print(f"{DATA_FILE.name}: {encoded} texts encoded, the rest reused")
    return 0


if __name__ == "__main__":
    sys.exit(main())
