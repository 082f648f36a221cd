"""Forget-me reaches every process: a ledger of forgotten members, by keyed hash of their id.

Feature: core

Revision ID: 0051
Revises: 0050
"""

from __future__ import annotations

import secrets

import sqlalchemy as sa
from alembic import op

from bot.migrations import run_sql_file

revision = "0051"
down_revision = "0050"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql_file("0051_core_forget_ledger")
    # The key of the ledger's hashes: random, made once per database (bot/privacy.py).
    op.execute(
        sa.text("INSERT INTO privacy_secret (id, secret) VALUES (1, :secret)").bindparams(
            secret=secrets.token_hex(32)
        )
    )
