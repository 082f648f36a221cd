"""Claims on due work (timers that fire once across processes) and cache versions.

Feature: core

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0006_core_claims")
