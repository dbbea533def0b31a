"""The portal's security promises (SECURITY.md, the portal section), one test each."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crossover.web.models import AuditEvent, Upload, db
from security import hostile
from security.test_hostile_files import EXPECTED

from .conftest import CONSULTANT, EXAMPLE, PASSWORD, cli_problems, invite, items, make_app, upload

# A multiprocessing Connection is sometimes finalised late in a forkserver child's teardown
# (seen once in about ten runs, on PostgreSQL and SQLite alike; the cause is not yet found):
# the uploads and their validations are unaffected, so the late finaliser is not a failure.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*BaseConnection.__del__:pytest.PytestUnraisableExceptionWarning"
)

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "crossover" / "web" / "templates"
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _hostile(name: str, folder: Path) -> Path:
    target = folder / f"{name}.xlsx"
    if name == "truncated":
        return hostile.truncated(target, EXAMPLE)
    if name == "many-rows":
        return hostile.many_rows(target, EXAMPLE)
    builder: Callable[[Path], Path] = hostile.HOSTILE[name]
    return builder(target)


@sqlite_only
def test_hostile_files_are_refused_as_validate_refuses_them_and_kept(
    app: Flask, desk: FlaskClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app.config["UPLOAD_RATE_LIMIT"] = "100 per minute"
    _, token = invite(desk)
    visitor = app.test_client()
    uploads = Path(app.config["DATA_DIR"]) / "uploads"
    for name in sorted(EXPECTED):
        path = _hostile(name, tmp_path)
        said = cli_problems(path, capsys)
        page = upload(visitor, token, path.read_bytes(), path.name)
        assert page.status_code == 200, name
        assert items(page.text, "error") == said, name
        assert EXPECTED[name] in said[0], name
        with app.app_context():
            kept = db.session.scalars(select(Upload).order_by(Upload.id.desc())).first()
            assert kept is not None and not kept.sound
            assert (uploads / kept.blob).read_bytes() == path.read_bytes(), name
    # Still serving, and the consultant can fetch every refused file as it was sent.
    assert visitor.get(f"/c/{token}").status_code == 200
    with app.app_context():
        ids = db.session.scalars(select(Upload.id)).all()
    assert len(ids) == len(EXPECTED)
    with desk.get(f"/desk/versions/{ids[0]}/file") as sent:
        assert sent.headers["Content-Type"] == "application/octet-stream"
        assert sent.headers["Content-Disposition"].startswith("attachment")


def _with_long_notes(target: Path) -> Path:
    """The example with 5,000 notes beside the Tiers table: sound, and several MB to read.

    The validation children start warm (the forkserver has read a workbook), so the example
    alone may read within a 1 MB ceiling; this one cannot.
    """
    from openpyxl import load_workbook

    workbook = load_workbook(EXAMPLE)
    sheet = workbook["Tiers"]
    for row in range(sheet.max_row + 1, sheet.max_row + 5001):
        sheet.cell(row=row, column=20, value=f"a note that takes some room, number {row}")
    workbook.save(target)
    return target


@sqlite_only
def test_a_workbook_that_overruns_its_child_is_refused_and_the_server_stays_up(
    app: Flask, desk: FlaskClient, tmp_path: Path
) -> None:
    _, token = invite(desk)
    app.config["VALIDATION_TIMEOUT_S"] = 0.01
    page = upload(app.test_client(), token, EXAMPLE.read_bytes())
    assert items(page.text, "error") == [
        "the workbook took longer than 0.01 s to read and was stopped; a filled-in template "
        "reads in a second or two: copy your answers into a fresh template and send that"
    ]
    app.config["VALIDATION_TIMEOUT_S"] = 60.0
    app.config["VALIDATION_MEMORY_MB"] = 1
    page = upload(app.test_client(), token, _with_long_notes(tmp_path / "notes.xlsx").read_bytes())
    [refusal] = items(page.text, "error")
    assert "needed more memory than a filled-in template ever does" in refusal
    app.config["VALIDATION_MEMORY_MB"] = 512
    assert "Received" in upload(app.test_client(), token, EXAMPLE.read_bytes()).text


def _csrf(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match is not None, page
    return match.group(1)


@sqlite_only
def test_every_form_needs_its_csrf_token(tmp_path: Path, database_url: str) -> None:
    from werkzeug.security import generate_password_hash

    from crossover.web.models import User

    app = make_app(tmp_path / "data", database_url)
    with app.app_context():
        db.session.add(User(email=CONSULTANT, password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()
    browser = app.test_client()
    signin = {"email": CONSULTANT, "password": PASSWORD}
    assert browser.post("/sign-in", data=signin).status_code == 400
    token = _csrf(browser.get("/sign-in").text)
    assert browser.post("/sign-in", data={**signin, "csrf_token": token}).status_code == 302
    invite_form = {"name": "Acme", "email": "cfo@acme.example", "days": 30}
    assert browser.post("/desk/clients", data=invite_form).status_code == 400
    page = browser.post(
        "/desk/clients",
        data={**invite_form, "csrf_token": _csrf(browser.get("/desk/").text)},
        follow_redirects=True,
    ).text
    link = re.search(r"/c/([A-Za-z0-9_-]+)<", page)
    assert link is not None
    client_page = f"/c/{link.group(1)}"
    client = app.test_client()
    assert upload(client, link.group(1), EXAMPLE.read_bytes()).status_code == 400
    assert not (tmp_path / "data" / "uploads").exists()
    import io

    response = client.post(
        f"{client_page}/upload",
        data={
            "workbook": (io.BytesIO(EXAMPLE.read_bytes()), "a.xlsx"),
            "csrf_token": _csrf(client.get(client_page).text),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_page_has_a_strict_content_security_policy(app: Flask, desk: FlaskClient) -> None:
    _, token = invite(desk)
    upload(app.test_client(), token, b"not a workbook")
    for page in (
        "/sign-in",
        "/desk/",
        "/desk/clients/1",
        "/desk/versions/1",
        "/desk/audit",
        f"/c/{token}",
        "/c/unknown",
    ):
        response = desk.get(page)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy
        assert "style-src 'self'" in policy
        assert "unsafe-inline" not in policy
        assert "frame-ancestors 'self'" in policy
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP here
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Nothing in the templates would need an exception to that policy.
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "<script" not in text, template
        assert "style=" not in text, template
        assert "<style" not in text, template
        assert re.search(r"\son[a-z]+=", text) is None, template  # no event-handler attributes


def test_session_cookies_are_secure_httponly_and_samesite(app: Flask) -> None:
    browser = app.test_client()
    response = browser.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD})
    cookies = response.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    attributes = {part.strip().split("=")[0].lower() for part in session.split(";")[1:]}
    assert {"secure", "httponly", "samesite"} <= attributes
    assert "SameSite=Lax" in session


def test_passwords_are_stored_hashed(app: Flask) -> None:
    from crossover.web.models import User

    with app.app_context():
        user = db.session.scalars(select(User)).one()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))


def test_sign_ins_uploads_releases_and_emails_are_audited(app: Flask, desk: FlaskClient) -> None:
    _, token = invite(desk)
    upload(app.test_client(), token, b"nope")
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        summary = [(e.actor, e.action, e.detail.get("sound")) for e in events]
        assert summary == [
            (CONSULTANT, "sign_in", None),
            (CONSULTANT, "invite", None),
            ("client", "upload", False),
        ]
        assert all(e.ip == "127.0.0.1" for e in events)
    assert "upload" in desk.get("/desk/audit").text
