"""The portal's tables: consultants, clients, uploads, report jobs, notes and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, ForeignKey, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Named constraints, so that migrations can drop and alter them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)


CLIENT_LINK = "client"
"""Who uploaded through the client's private link (a consultant's upload names the consultant)."""


def utcnow() -> datetime:
    """Now, in UTC without a zone: SQLite keeps no zone, so every timestamp is stored naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class User(db.Model, UserMixin):  # type: ignore[name-defined]
    """A consultant who signs in to the desk."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    """Part of every session's user id: raising it (sign-out, a new password, removal) ends
    every session the consultant has, on every browser and server."""
    removed_at: Mapped[datetime | None] = mapped_column(default=None)
    """When the account was removed: it can no longer sign in; its name stays in the records."""

    def get_id(self) -> str:
        """The id Flask-Login keeps in the session: the user's and its session version."""
        return f"{self.id}.{self.session_version}"

    def end_sessions(self) -> None:
        """Every session opened before now stops working at its next request."""
        self.session_version += 1


class Client(db.Model):  # type: ignore[name-defined]
    """A client of the practice, with the private link it uploads through."""

    __tablename__ = "clients"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the link's token: the token itself is shown once and never stored."""
    token_expires_at: Mapped[datetime]
    link_revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    """When a consultant withdrew the link without issuing another; a new link clears it."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    released_upload_id: Mapped[int | None] = mapped_column(
        ForeignKey("uploads.id", use_alter=True), default=None
    )
    """The version whose recommendation the client may see; None until released."""

    uploads: Mapped[list[Upload]] = relationship(
        back_populates="client",
        foreign_keys="Upload.client_id",
        order_by="Upload.id.desc()",
    )
    notes: Mapped[list[Note]] = relationship(order_by="Note.id.desc()")


class Upload(db.Model):  # type: ignore[name-defined]
    """One file a client (or consultant) sent, sound or not, and what validation said of it."""

    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    blob: Mapped[str] = mapped_column(String(200))
    """Path of the stored bytes, relative to the data folder's uploads/."""
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int]
    uploaded_by: Mapped[str] = mapped_column(String(254))
    """CLIENT_LINK for the client's private link, or the consultant's email."""
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)
    sound: Mapped[bool]
    problems: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    """Each error as `validate` words it, {"where": "Workload!C5 (input_mtok_per_day)", "message": ...}."""
    warnings: Mapped[list[dict[str, str]]] = mapped_column(JSON)
    figures: Mapped[list[list[str]] | None] = mapped_column(JSON, default=None)
    """The report's key figures [label, value] for a sound upload."""
    seconds: Mapped[float] = mapped_column(default=0.0)
    """How long validation took."""
    workbook_client: Mapped[str | None] = mapped_column(String(200), default=None)
    """The client name the workbook itself gives (a sound one), to catch another client's file."""

    @property
    def by_client_link(self) -> bool:
        """Uploaded through the client's private link, not by a consultant."""
        return self.uploaded_by == CLIENT_LINK

    @property
    def names_another_client(self) -> bool:
        """The workbook gives a client name that is not this client's (nor part of it)."""
        if not self.workbook_client:
            return False
        named, ours = _plain(self.workbook_client), _plain(self.client.name)
        return bool(named and ours) and named not in ours and ours not in named

    client: Mapped[Client] = relationship(back_populates="uploads", foreign_keys=[client_id])
    jobs: Mapped[list[Job]] = relationship(order_by="Job.id.desc()")


class Job(db.Model):  # type: ignore[name-defined]
    """A report to render: the record of a message on the task queue (crossover.web.jobs)."""

    __tablename__ = "jobs"
    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("uploads.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    """queued, running, done or failed."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    """A running job whose lease has passed belongs to a worker that died: it is taken again."""
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(100), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    dispatched_at: Mapped[datetime | None] = mapped_column(default=None)
    """When its id was last sent to the task queue; None: not yet (a sweep sends it)."""
    outputs: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    """File names in reports/<upload id>/: the PDF, the HTML and the results JSON."""
    requested_by: Mapped[str] = mapped_column(String(254))


class Note(db.Model):  # type: ignore[name-defined]
    """A consultant's note on a client."""

    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    author: Mapped[str] = mapped_column(String(254))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(db.Model):  # type: ignore[name-defined]
    """Who did what and when: sign-ins, uploads, releases, emails."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(40))
    client_id: Mapped[int | None] = mapped_column(ForeignKey("clients.id"), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)


def _plain(name: str) -> str:
    """A name with case, spaces and punctuation set aside: 'ACME  Legal.' is 'acmelegal'."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def audit(
    actor: str, action: str, client_id: int | None = None, ip: str | None = None, **detail: Any
) -> None:
    """Add an audit event to the session; the caller's commit writes it with what it records."""
    db.session.add(
        AuditEvent(actor=actor, action=action, client_id=client_id, detail=detail, ip=ip)
    )
