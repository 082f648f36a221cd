"""Durations and start times typed by moderators (bot/timeparse.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.timeparse import discord_timestamp, parse_duration, parse_start

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_durations_and_starts():
    assert parse_duration("1d12h") == timedelta(hours=36)
    assert parse_duration("90m") == timedelta(minutes=90)
    with pytest.raises(ValueError, match="30m"):
        parse_duration("soon")
    assert parse_start("in 2h", NOW) == NOW + timedelta(hours=2)
    for huge in ("99999999999d", "in 99999999999d", "in 900000000d"):  # no OverflowError
        with pytest.raises(ValueError, match="at most 366 days"):
            parse_start(huge, NOW) if huge.startswith("in") else parse_duration(huge)
    assert parse_start("2026-12-01 19:00", NOW) == datetime(2026, 12, 1, 19, tzinfo=UTC)


def test_discord_timestamps_show_the_moment_in_each_readers_zone():
    assert discord_timestamp(NOW) == f"<t:{int(NOW.timestamp())}:R>"
    assert discord_timestamp(NOW, "f") == f"<t:{int(NOW.timestamp())}:f>"
