"""Alembic's environment for the portal: the app's engine and models, run online only."""

from __future__ import annotations

from alembic import context
from flask import current_app

from crossover.web.models import db


def run_migrations_online() -> None:
    """Upgrade through the app's own engine (SQLite or PostgreSQL), each migration in a transaction."""
    with db.engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=db.metadata,
            # SQLite alters a table by copying it: batch mode writes migrations that way.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


assert current_app, "migrations run inside the portal's app context (crossover.web.cli)"
run_migrations_online()
