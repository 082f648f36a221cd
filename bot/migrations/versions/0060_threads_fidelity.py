"""Thread recording keeps what a message holds: forwards, polls, Components V2, stickers,
full embeds, the quoted text of replies, reactions (per member, live) and, optionally, the
attachments themselves (content-addressed, within budgets).

Feature: threads

Revision ID: 0060
Revises: 0051
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0060"
down_revision = "0051"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0060_threads_fidelity")
