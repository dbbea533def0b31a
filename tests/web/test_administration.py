"""The consultant's administration (links withdrawn, uploads on a client's behalf, another client's
workbook flagged, the firm's name on the client's pages) and nothing leaked (files, logs)."""

from __future__ import annotations

import io
import logging
import shutil
import stat
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient
from gunicorn.config import Config
from sqlalchemy import select

from crossover.web.gunicorn_log import RedactingLogger
from crossover.web.models import AuditEvent, Upload, db
from crossover.web.redact import RedactingFilter, redact

from .conftest import CONSULTANT, EXAMPLE, invite, make_app, upload

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "q3Vb8Zr0-_xYk2LmN4pQ7sT1uW9aC5eG6hJ0kM2nP4r"
"""A token as the portal makes them: 43 URL-safe characters."""


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_withdrawn_link_opens_nothing_until_a_new_one_is_issued(
    app: Flask, desk: FlaskClient
) -> None:
    client_id, token = invite(desk)
    visitor = app.test_client()
    assert visitor.get(f"/c/{token}").status_code == 200
    page = desk.post(f"/desk/clients/{client_id}/link/withdraw", follow_redirects=True).text
    assert "The private link is withdrawn" in page
    assert "private link withdrawn" in page
    assert "Issue a new link" in page and "Withdraw the link" not in page
    for path in (f"/c/{token}", f"/c/{token}/template.xlsx", f"/c/{token}/report.pdf"):
        gone = visitor.get(path)
        assert gone.status_code == 410, path
    assert "This link has been withdrawn. Ask your consultant for a new one." in gone.text
    assert upload(visitor, token, EXAMPLE.read_bytes()).status_code == 410
    renewed = desk.post(
        f"/desk/clients/{client_id}/link", data={"days": 7}, follow_redirects=True
    ).text
    new_token = renewed.split('id="private-link">')[1].split("<")[0].rsplit("/", 1)[1]
    assert visitor.get(f"/c/{new_token}").status_code == 200
    assert visitor.get(f"/c/{token}").status_code == 404  # the old one is gone for good
    assert _actions(app)[-2:] == ["link_withdrawn", "new_link"]


def test_the_versions_say_who_uploaded_and_flag_another_clients_workbook(
    app: Flask, desk: FlaskClient
) -> None:
    # The example workbook is Northwind Documents': sent for Acme Legal, it is flagged.
    client_id, token = invite(desk, "Acme Legal")
    upload(app.test_client(), token, EXAMPLE.read_bytes(), "from-the-client.xlsx")
    page = desk.post(
        f"/desk/clients/{client_id}/uploads",
        data={"workbook": (io.BytesIO(EXAMPLE.read_bytes()), "emailed.xlsx")},
        content_type="multipart/form-data",
        follow_redirects=True,
    ).text
    assert f"by {CONSULTANT}" in page
    assert (
        "This workbook names <strong>Northwind Documents</strong> as its client, not Acme Legal"
        in page
    )
    rows = desk.get(f"/desk/clients/{client_id}").text.split("<tbody>")[1].split("</tr>")[:2]
    assert f"<td>{CONSULTANT}</td>" in rows[0] and "emailed.xlsx" in rows[0]
    assert "<td>the client's link</td>" in rows[1] and "from-the-client.xlsx" in rows[1]
    assert all("names Northwind Documents" in row for row in rows)
    with app.app_context():
        uploads = db.session.scalars(select(Upload).order_by(Upload.id)).all()
        assert [u.uploaded_by for u in uploads] == ["client", CONSULTANT]
        assert all(u.workbook_client == "Northwind Documents" for u in uploads)
        audited = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "upload").order_by(AuditEvent.id)
        ).all()
        assert [e.detail["names_client"] for e in audited] == ["Northwind Documents"] * 2

    # The client's own workbook, its name written differently, is not flagged.
    other_id, other_token = invite(desk, "NORTHWIND documents")
    upload(app.test_client(), other_token, EXAMPLE.read_bytes())
    assert "names Northwind" not in desk.get(f"/desk/clients/{other_id}").text


def test_client_pages_carry_the_firms_name_and_contact_from_its_brand(
    tmp_path: Path, database_url: str
) -> None:
    brand = tmp_path / "brand"
    shutil.copytree(ROOT / "templates" / "brands" / "default", brand)
    toml = brand / "brand.toml"
    toml.write_text(
        toml.read_text()
        .replace('name = "Crossover Advisory"', 'name = "Hale & Finch LLP"')
        .replace(
            'contact = "advisory@crossover.example · +44 20 7946 0000 · crossover.example"',
            'contact = "llm@halefinch.example · +44 161 496 0000"',
        )
    )
    app = make_app(tmp_path / "data", database_url, WTF_CSRF_ENABLED=False, BRAND=str(brand))
    for page in ("/sign-in", "/c/unknown"):
        text = app.test_client().get(page).text
        assert '<span class="brand">Hale &amp; Finch LLP</span>' in text, page
        assert "Hale &amp; Finch LLP · llm@halefinch.example · +44 161 496 0000" in text, page
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_broken_brand_stops_the_portal_at_start_with_the_field(
    tmp_path: Path, database_url: str
) -> None:
    from crossover.errors import InputError

    brand = tmp_path / "brand"
    shutil.copytree(ROOT / "templates" / "brands" / "default", brand)
    toml = brand / "brand.toml"
    toml.write_text(toml.read_text().replace('name = "Crossover Advisory"', 'name = ""'))
    with pytest.raises(InputError, match=r"brand\.toml: name: "):
        make_app(tmp_path / "data", database_url, BRAND=str(brand))


def test_the_database_the_secret_and_the_uploads_are_the_portals_alone(
    app: Flask, desk: FlaskClient
) -> None:
    data = Path(app.config["DATA_DIR"])
    _, token = invite(desk)
    upload(app.test_client(), token, EXAMPLE.read_bytes())
    assert _mode(data) == 0o750
    assert _mode(data / "secret_key") == 0o600
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    if database.startswith("sqlite:///"):
        path = Path(database.removeprefix("sqlite:///"))
        assert _mode(path) == 0o600
        assert _mode(path.with_name(path.name + "-wal")) == 0o600  # SQLite copies the mode
    with app.app_context():
        blob = db.session.scalars(select(Upload.blob)).one()
    stored = data / "uploads" / blob
    assert _mode(stored) == 0o440
    assert _mode(stored.parent) == 0o750
    assert _mode(data / "uploads") == 0o750


def test_an_older_database_readable_by_all_is_narrowed(tmp_path: Path) -> None:
    database = tmp_path / "old.db"
    database.write_bytes(b"")
    database.chmod(0o644)
    app = make_app(tmp_path / "data", f"sqlite:///{database}")
    assert _mode(database) == 0o600
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("line", "logged"),
    [
        (f"GET /c/{TOKEN} HTTP/1.1", "GET /c/[link] HTTP/1.1"),
        (f"POST /c/{TOKEN}/upload HTTP/1.1", "POST /c/[link]/upload HTTP/1.1"),
        (f"https://portal.example/c/{TOKEN}?x=1", "https://portal.example/c/[link]?x=1"),
        (f"GET /sign-in?next=%2Fc%2F{TOKEN}&a=b", "GET /sign-in?next=%2Fc%2F[link]&a=b"),
        ("GET /desk/clients/3 HTTP/1.1", "GET /desk/clients/3 HTTP/1.1"),
    ],
)
def test_tokens_are_redacted_from_log_lines(line: str, logged: str) -> None:
    assert redact(line) == logged


def test_gunicorns_access_log_carries_no_token(capsys: pytest.CaptureFixture[str]) -> None:
    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({raw_uri}e)s')
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/c/{TOKEN}/template.xlsx",
        "PATH_INFO": f"/c/{TOKEN}/template.xlsx",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "192.0.2.7",
        "HTTP_REFERER": f"https://portal.example/c/{TOKEN}",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10)
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(seconds=0.1))
    written = capsys.readouterr().out
    assert written.strip() == (
        '192.0.2.7 "GET /c/[link]/template.xlsx HTTP/1.1" 200 '
        '"https://portal.example/c/[link]" /c/[link]/template.xlsx /c/[link]/template.xlsx'
    )


def test_the_apps_own_log_carries_no_token(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("crossover.test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.ERROR, logger="crossover.test.redact"):
        logger.error("Exception on %s [%s]", f"/c/{TOKEN}/upload", "POST")
    assert caplog.messages == ["Exception on /c/[link]/upload [POST]"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_forwarded_address_is_believed_only_from_a_trusted_proxy(
    tmp_path: Path, database_url: str
) -> None:
    signin = {"email": "nobody@firm.example", "password": "not it"}
    direct = make_app(
        tmp_path / "direct", database_url, WTF_CSRF_ENABLED=False, SIGNIN_RATE_LIMIT="3 per minute"
    )
    visitor = direct.test_client()
    codes = [
        visitor.post(
            "/sign-in", data=signin, headers={"X-Forwarded-For": f"198.51.100.{n}"}
        ).status_code
        for n in range(4)
    ]
    assert codes == [200, 200, 200, 429]  # a fresh claimed address per attempt changes nothing
    answer = visitor.get("/sign-in", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in answer.headers  # nor does a claimed HTTPS
    with direct.app_context():
        assert set(db.session.scalars(select(AuditEvent.ip))) == {"127.0.0.1"}
        db.engine.dispose()

    proxied = make_app(
        tmp_path / "proxied",
        f"sqlite:///{tmp_path / 'proxied.db'}",
        WTF_CSRF_ENABLED=False,
        TRUSTED_PROXIES=1,
    )
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    answer = proxied.test_client().post("/sign-in", data=signin, headers=forwarded)
    assert answer.headers["Strict-Transport-Security"] == "max-age=31536000"
    with proxied.app_context():
        assert db.session.scalars(select(AuditEvent.ip)).one() == "203.0.113.9"
        db.engine.dispose()
