"""Alembic's entry point: herbot always hands in the connection to migrate."""

from __future__ import annotations

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - the CLI path (`alembic upgrade`) is not used
    raise RuntimeError("run migrations through `herbot db migrate`")

context.configure(connection=connection, transaction_per_migration=True)
with context.begin_transaction():
    context.run_migrations()
