"""Sessions that end, links withdrawn, the client a workbook names

Revision ID: 3c1f7a9e2b40
Revises: 748d6961e138
Create Date: 2026-12-07 00:40:00

- users.session_version: part of every session's id; raised on sign-out, a new password or
  removal, it ends every session the consultant has. Existing accounts start at 0, so
  sessions opened before the upgrade (whose id has no version) end once: consultants sign
  in again.
- users.removed_at: a removed account keeps its row (clients and the audit log name it).
- clients.link_revoked_at: a link withdrawn without a new one.
- uploads.workbook_client: the client name inside a sound workbook, to flag another client's
  file on the desk. Earlier uploads have none (not flagged).
- jobs.dispatched_at: when the job's id was last sent to the task queue (Huey). Jobs queued
  before the upgrade have none, so the first worker's sweep sends them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "3c1f7a9e2b40"
down_revision = "748d6961e138"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("link_revoked_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("workbook_client", sa.String(length=200), nullable=True))
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("dispatched_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_column("dispatched_at")
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("workbook_client")
    with op.batch_alter_table("clients", schema=None) as batch_op:
        batch_op.drop_column("link_revoked_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
        batch_op.drop_column("session_version")
