"""Thread recording: catch-up after downtime (recovered and deleted-while-down marks, gaps).

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
    run_sql_file("0060_threads_catchup")
