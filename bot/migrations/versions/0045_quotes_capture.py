"""Quote capture: nominations by reaction (one row per nominated message, kept after review).

Feature: quotes

Revision ID: 0045
Revises: 0041
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0045"
down_revision = "0041"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0045_quotes_capture")
