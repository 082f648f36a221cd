"""Motion polls with one vote per member, and moderated debate events.

Feature: debate

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0004_debate")
