"""bot/text.py: the one cleaning step every member's text passes."""

from __future__ import annotations

import pytest

from bot.text import (
    MAX_DEPTH,
    MAX_TEXT,
    TooDeep,
    UndecodableFile,
    clean,
    clean_payload,
    decode_file,
    install,
    is_snowflake,
)


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("plain words", "plain words"),
        ("\x00\x00\x00", ""),
        ("Who\x00 voices\x07 Samantha?", "Who voices Samantha?"),
        ("line\r\nnext\rlast\ttab", "line\nnext\nlast\ttab"),
        ("\x9b31m red", "31m red"),
        ("lone \ud800 high, \udfff low", "lone \ufffd high, \ufffd low"),
        ("e\u0301", "\u00e9"),  # NFC: the same word typed two ways matches
        ("² ﬁlm \u200b\u202e", "² ﬁlm \u200b\u202e"),  # compatibility forms and RTL kept
        ("😀 <@123> @everyone **x**", "😀 <@123> @everyone **x**"),
    ],
)
def test_clean(raw, cleaned):
    assert clean(raw) == cleaned


def test_clean_bounds_before_anything_else():
    assert len(clean("x" * 100_000)) == MAX_TEXT
    assert len(clean("e\u0301" * 10_000, 50)) <= 50


def test_clean_payload_walks_keys_and_values_in_place():
    data = {"options": [{"value": "a\x00b", "n": 3}], "k\x00": ["\ud800"]}
    assert clean_payload(data) is data
    assert data == {"options": [{"value": "ab", "n": 3}], "k": ["\ufffd"]}
    deep: list = []
    for _ in range(MAX_DEPTH + 2):
        deep = [deep]
    with pytest.raises(TooDeep):
        clean_payload(deep)


def test_decode_file():
    assert decode_file("\ufeff{}".encode(), 10) == "{}"
    with pytest.raises(UndecodableFile, match="UTF-8"):
        decode_file("{}".encode("utf-16"), 100)
    with pytest.raises(UndecodableFile, match="larger"):
        decode_file(b"x" * 2_000_001, 1_000_000)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("123", True),
        ("²", False),
        ("１２", False),
        ("١", False),
        ("9" * 21, False),
        (str(2**63), False),
        (str(2**63 - 1), True),
        ("", False),
    ],
)
def test_is_snowflake(text, ok):
    assert is_snowflake(text) is ok


def test_install_wraps_text_events_once():
    seen = []
    parsers = {"MESSAGE_CREATE": seen.append, "READY": seen.append}
    install(parsers)
    install(parsers)
    parsers["MESSAGE_CREATE"]({"content": "a\x00"})
    parsers["READY"]({"content": "a\x00"})
    assert seen == [{"content": "a"}, {"content": "a\x00"}]


def test_the_bot_cleans_its_gateway_events(simcord_bot):
    for event in ("INTERACTION_CREATE", "MESSAGE_CREATE", "MESSAGE_UPDATE"):
        assert hasattr(simcord_bot._connection.parsers[event], "__wrapped__")
