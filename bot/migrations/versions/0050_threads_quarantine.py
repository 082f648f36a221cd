"""Thread recording: a quarantine for recorded items the database refused to write.

Feature: threads

Revision ID: 0050
Revises: 0045
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0050"
down_revision = "0045"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0050_threads_quarantine")
