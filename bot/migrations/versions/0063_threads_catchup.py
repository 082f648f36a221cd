"""Thread recording: catch-up after downtime (recovered and deleted-while-down marks, gaps).

Feature: threads

Revision ID: 0063
Revises: 0062
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0063"
down_revision = "0062"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0063_threads_catchup")
