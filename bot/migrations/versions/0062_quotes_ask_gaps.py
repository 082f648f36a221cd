"""/ask learns from its community: knowledge gaps, answer ratings, server-taught phrasings.

Feature: quotes

Revision ID: 0062
Revises: 0061
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0062"
down_revision = "0061"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0062_quotes_ask_gaps")
