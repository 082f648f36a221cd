"""Poll lifecycle: reminders before a poll closes, scheduled and repeating polls.

Feature: debate

Revision ID: 0041
Revises: 0040
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0041"
down_revision = "0040"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0041_debate_poll_lifecycle")
