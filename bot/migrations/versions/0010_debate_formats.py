"""Debate formats: a debate's format, its speech and phase of that format; points of information.

Feature: debate

The 0004 ``CHECK`` on ``debates.phase`` lists the classic (Oxford) phases, and a table is
never rebuilt, so a format's own phases (``prep``, ``speech``) go in the new
``format_phase`` column (``debates.phase`` then holds the classic phase it stands in for).

Revision ID: 0010
Revises: 0006
"""

from __future__ import annotations

from bot.migrations import run_sql_file

revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0010_debate_formats")
