"""Poll kinds: approval and ranked-choice polls, one ballot per member in ``poll_ballots``.

Feature: debate

Revision ID: 0040
Revises: 0010
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0040"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0040_debate_poll_kinds")
