"""Per-guild setting overrides and members' privacy choices.

Feature: core

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0001_core")
