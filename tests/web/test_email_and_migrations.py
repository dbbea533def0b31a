"""Emailing a report from the desk to a real (local) SMTP server; the migrations on an empty database."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, inspect, select

from crossover.web.jobs import run_worker
from crossover.web.models import AuditEvent, Upload, db

from .conftest import CONSULTANT, EXAMPLE, invite, make_app, upload


class Inbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(  # noqa: N802  (aiosmtpd finds hooks by this name)
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        assert isinstance(envelope.content, bytes)
        message = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_the_desk_emails_the_report_with_its_pdf(
    app: Flask, desk: FlaskClient, smtp: tuple[Inbox, int]
) -> None:
    inbox, port = smtp
    app.config["SMTP_ENV"] = {
        "CROSSOVER_SMTP_HOST": "127.0.0.1",
        "CROSSOVER_SMTP_PORT": str(port),
        "CROSSOVER_SMTP_SECURITY": "none",
        "CROSSOVER_SMTP_FROM": "desk@firm.example",
    }
    _, token = invite(desk)
    upload(app.test_client(), token, EXAMPLE.read_bytes())
    run_worker(app, once=True)
    with app.app_context():
        upload_id = db.session.scalars(select(Upload.id)).one()
    page = desk.post(
        f"/desk/versions/{upload_id}/email",
        data={"to": "cfo@acme.example", "cc": "me@firm.example"},
        follow_redirects=True,
    ).text
    assert "Sent northwind-documents-2026-11-27.pdf to cfo@acme.example, cc me@firm.example" in page
    [message] = inbox.messages
    assert message["To"] == "cfo@acme.example"
    assert (
        message["Subject"] == "LLM hosting report for Northwind Documents: Adopt the proposed split"
    )
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "northwind-documents-2026-11-27.pdf"
    assert attachment.get_content().startswith(b"%PDF-")
    with app.app_context():
        last = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        assert last is not None
        assert (last.actor, last.action, last.detail["to"]) == (
            CONSULTANT,
            "email",
            "cfo@acme.example",
        )


def test_an_unreachable_smtp_server_is_said_and_audited(app: Flask, desk: FlaskClient) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = s.getsockname()[1]
    app.config["SMTP_ENV"] = {
        "CROSSOVER_SMTP_HOST": "127.0.0.1",
        "CROSSOVER_SMTP_PORT": str(closed),
        "CROSSOVER_SMTP_SECURITY": "none",
        "CROSSOVER_SMTP_FROM": "desk@firm.example",
    }
    _, token = invite(desk)
    upload(app.test_client(), token, EXAMPLE.read_bytes())
    run_worker(app, once=True)
    page = desk.post(
        "/desk/versions/1/email", data={"to": "cfo@acme.example"}, follow_redirects=True
    ).text
    assert f"127.0.0.1:{closed}" in page
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions[-1] == "email_failed"


def test_migrations_build_the_models_schema_on_an_empty_database(
    tmp_path: Path, database_url: str
) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    app = make_app(tmp_path / "data", database_url)
    with app.app_context():
        engine = db.engine
        tables = set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            differences: list[Any] = compare_metadata(
                MigrationContext.configure(connection), db.metadata
            )
        db.session.remove()
        engine.dispose()
    assert tables == {
        "alembic_version",
        "users",
        "clients",
        "uploads",
        "jobs",
        "notes",
        "audit_events",
    }
    assert differences == []


def test_upgrading_twice_changes_nothing(tmp_path: Path, database_url: str) -> None:
    first = make_app(tmp_path / "data", database_url)
    with first.app_context():
        # Its pooled connection closed now, not whenever the collector finds it (a PostgreSQL
        # connection left open fails whichever test is running then).
        db.engine.dispose()
    app = make_app(tmp_path / "data", database_url)
    with app.app_context():
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        with engine.connect() as connection:
            from sqlalchemy import text

            versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
        engine.dispose()
        db.engine.dispose()
    assert len(versions) == 1
