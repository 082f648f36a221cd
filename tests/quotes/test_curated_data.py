"""The curated quote store and the /ask question set obey docs/curated-format.md.

Plain data checks with tomllib and the source texts, no bot code: a curation mistake (a
misquoted excerpt, a dangling id, a typo in a tag) fails here, in the diff that made it.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
QUOTES_DIR = ROOT / "herbot_config" / "quotes"
QUESTIONS_FILE = ROOT / "tests" / "data" / "questions.toml"

ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PARAGRAPH = re.compile(r"^¶([1-9][0-9]*)$")
ELISION = " … "
MAX_TEXT = 1000
KINDS = {"excerpt", "line", "fact"}
SOURCE_KINDS = {"film", "article"}
STYLES = {"direct", "paraphrase", "out-of-scope", "near-miss", "unrelated", "false-premise"}
DECLINE_STYLES = {"out-of-scope", "near-miss", "unrelated"}  # must be declined: expect = []
QUESTION_KINDS = {"article", "film", "interpretive", "near-miss", "false-premise", "unrelated"}
CURATORS = "herbot curators"
FILM_TAG = "film-knowledge"


def find_sources_dir() -> Path | None:
    """Where the article texts live: $HERBOT_SOURCES_DIR, else shared/sources beside the checkout.

    The main checkout sits beside shared/ (ROOT.parent / "shared"); a git worktree sits one
    level deeper, so the nearest ancestor holding shared/sources is used.
    """
    if env := os.environ.get("HERBOT_SOURCES_DIR"):
        return Path(env) if Path(env).is_dir() else None
    for ancestor in ROOT.parents:
        candidate = ancestor / "shared" / "sources"
        if candidate.is_dir():
            return candidate
    return None


def load(path: Path) -> dict:
    with path.open("rb") as f:
        return tomllib.load(f)


@cache
def sources() -> dict[str, dict]:
    entries = load(QUOTES_DIR / "sources.toml")["sources"]
    by_id = {s["id"]: s for s in entries}
    assert len(by_id) == len(entries), "duplicate source id in sources.toml"
    return by_id


@cache
def quote_files() -> dict[str, list[dict]]:
    return {
        path.stem: load(path)["quotes"]
        for path in sorted(QUOTES_DIR.glob("*.toml"))
        if path.name != "sources.toml"
    }


def all_quotes() -> list[dict]:
    return [q for quotes in quote_files().values() for q in quotes]


@cache
def questions() -> list[dict]:
    return load(QUESTIONS_FILE)["questions"]


def paragraphs(text: str) -> list[str]:
    """¶N is the Nth non-empty line (`awk 'NF'`), the title line being ¶1."""
    return [line for line in text.split("\n") if line.strip(" \t")]


def paragraph_number(quote: dict) -> int:
    match = PARAGRAPH.match(quote["locator"])
    assert match, f"{quote['id']}: article locator must be ¶N, got {quote['locator']!r}"
    return int(match.group(1))


# --- sources --------------------------------------------------------------------------------


def test_sources_are_well_formed():
    assert set(sources()) == set(quote_files()), "one quotes file per source, named by its id"
    for sid, source in sources().items():
        assert ID.match(sid), sid
        assert source["kind"] in SOURCE_KINDS, sid
        assert source.get("title", "").strip(), sid
        if source["kind"] == "article":
            assert source.get("file", "").endswith(".txt"), f"{sid}: an article names its file"


# --- quotes ---------------------------------------------------------------------------------


def test_quote_ids_are_unique_and_well_formed():
    ids = [q["id"] for q in all_quotes()]
    duplicates = [i for i, n in Counter(ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    bad = [i for i in ids if not ID.match(i)]
    assert not bad, f"ids must match {ID.pattern}: {bad}"


def test_every_quote_is_complete_and_in_its_sources_file():
    for stem, quotes in quote_files().items():
        for q in quotes:
            qid = q.get("id", "?")
            assert q["source"] in sources(), f"{qid}: unknown source {q['source']!r}"
            assert q["source"] == stem, f"{qid}: belongs in {q['source']}.toml, not {stem}.toml"
            for field in ("text", "speaker", "locator"):
                assert isinstance(q.get(field), str), f"{qid}: {field} missing"
                assert q[field].strip(), f"{qid}: empty {field}"
            assert len(q["text"]) <= MAX_TEXT, f"{qid}: text is {len(q['text'])} chars"
            assert q["kind"] in KINDS, f"{qid}: kind {q['kind']!r}"
            assert isinstance(q.get("note", ""), str), f"{qid}: note must be a string"


def test_tags_are_well_formed():
    for q in all_quotes():
        tags = q["tags"]
        assert isinstance(tags, list) and tags, f"{q['id']}: at least one tag"
        bad = [t for t in tags if not isinstance(t, str) or not ID.match(t)]
        assert not bad, f"{q['id']}: tags must match {ID.pattern}: {bad}"
        assert len(tags) == len(set(tags)), f"{q['id']}: repeated tag"


def test_kinds_fit_their_sources():
    for q in all_quotes():
        source_kind = sources()[q["source"]]["kind"]
        if q["kind"] == "excerpt":
            assert source_kind == "article", f"{q['id']}: excerpts quote articles"
        if q["kind"] == "line":
            assert source_kind == "film", f"{q['id']}: lines are spoken in the film"
        if q["kind"] == "fact":
            assert q["speaker"] == CURATORS, f"{q['id']}: facts are spoken by {CURATORS!r}"
        if source_kind == "film":
            assert FILM_TAG in q["tags"], f"{q['id']}: film entries are tagged {FILM_TAG}"
        else:
            assert FILM_TAG not in q["tags"], f"{q['id']}: article entries are not {FILM_TAG}"
            paragraph_number(q)


def test_excerpts_are_verbatim_in_their_paragraph():
    sources_dir = find_sources_dir()
    if sources_dir is None:
        pytest.skip(
            "source texts not found (no shared/sources beside the checkout and no "
            "HERBOT_SOURCES_DIR); verbatim check skipped"
        )
    texts = {
        sid: paragraphs((sources_dir / s["file"]).read_text(encoding="utf-8"))
        for sid, s in sources().items()
        if s["kind"] == "article"
    }
    checked = 0
    for q in all_quotes():
        if q["kind"] != "excerpt":
            continue
        paras = texts[q["source"]]
        n = paragraph_number(q)
        assert n <= len(paras), f"{q['id']}: {q['locator']} but the file has {len(paras)}"
        for piece in q["text"].split(ELISION):
            assert piece.strip(), f"{q['id']}: empty piece around an elision"
            assert piece in paras[n - 1], f"{q['id']}: not verbatim in {q['locator']}: {piece!r}"
        checked += 1
    assert checked, "no excerpts checked"


def test_paragraph_numbering_rule_matches_awk_nf():
    """Guards the ¶ rule on a known paragraph: ¶8 of the Film Stories file is OpenAI's founding."""
    sources_dir = find_sources_dir()
    if sources_dir is None:
        pytest.skip("source texts not found; see test_excerpts_are_verbatim_in_their_paragraph")
    film_stories = sources()["filmstories-altman"]["file"]
    paras = paragraphs((sources_dir / film_stories).read_text(encoding="utf-8"))
    assert paras[0].startswith("Her | What OpenAI CEO Sam Altman")
    assert paras[7].startswith("OpenAI was founded in 2015")


def test_store_is_big_enough():
    quotes = all_quotes()
    assert len(quotes) >= 120, len(quotes)
    for sid in sources():
        assert any(q["source"] == sid for q in quotes), f"no entries for {sid}"


# --- questions ------------------------------------------------------------------------------


def test_questions_are_well_formed_and_point_at_real_ids():
    ids = {q["id"] for q in all_quotes()}
    seen = set()
    for question in questions():
        text = question["q"].strip()
        assert text, "empty question"
        assert text.casefold() not in seen, f"duplicate question {text!r}"
        seen.add(text.casefold())
        assert question["style"] in STYLES, f"{text!r}: style {question['style']!r}"
        expect = question["expect"]
        assert question.get("kind", "article") in QUESTION_KINDS, (
            f"{text!r}: kind {question['kind']!r}"
        )
        if question["style"] in DECLINE_STYLES:
            assert expect == [], f"{text!r}: a question to decline expects nothing"
        elif question["style"] == "false-premise":
            assert expect and question.get("note"), f"{text!r}: name the correcting ids, note how"
        else:
            assert expect, f"{text!r}: an in-scope question names the ids that answer it"
        missing = [i for i in expect if i not in ids]
        assert not missing, f"{text!r}: unknown ids {missing}"


def test_question_counts():
    styles = Counter(q["style"] for q in questions())
    in_scope = styles["direct"] + styles["paraphrase"]
    assert in_scope >= 60, styles
    assert styles["paraphrase"] >= 20, styles
    assert styles["out-of-scope"] >= 10, styles
