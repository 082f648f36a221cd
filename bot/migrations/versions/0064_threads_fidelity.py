"""Thread recording keeps what a message holds: forwards, polls, Components V2, stickers,
full embeds, the quoted text of replies, reactions (per member, live) and, optionally, the
attachments themselves (content-addressed, within budgets).

Feature: threads

Revision ID: 0064
Revises: 0063
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0064"
down_revision = "0063"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0064_threads_fidelity")
