"""Polls: eligibility rules (join date, account age, screening) and a quorum, per poll and schedule.

Feature: debate

Revision ID: 0061
Revises: 0060
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0061"
down_revision = "0060"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0061_debate_poll_eligibility")
