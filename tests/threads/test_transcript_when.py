"""/transcript export's from and to: ISO dates and times (UTC) or a Discord timestamp."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import UserError
from cogs.threads.transcripts.cog import parse_when


@pytest.mark.parametrize("stamp", ["<t:1796151600>", "<t:1796151600:R>", "<t:1796151600:F>"])
def test_a_discord_timestamp_names_the_moment(stamp):
    assert parse_when(stamp, "from") == datetime(2026, 12, 1, 19, 0, tzinfo=UTC)


def test_iso_forms_still_read_as_utc():
    assert parse_when("2026-01-31", "to") == datetime(2026, 1, 31, tzinfo=UTC)
    assert parse_when("2026-01-31T18:00", "to") == datetime(2026, 1, 31, 18, tzinfo=UTC)
    assert parse_when("  ", "to") is None


@pytest.mark.parametrize("bad", ["<t:99999999999999>", "<t:abc:R>", "yesterday", "x" * 6000])
def test_a_bad_one_gets_the_clear_refusal(bad):
    with pytest.raises(UserError, match="Discord timestamp like"):
        parse_when(bad, "from")
