"""/ask: cached passage vectors, the change counter and /ask sessions.

Feature: quotes

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0003_ask_vectors")
