"""Sessions that end (sign-out, idle, a new password, removal), tested by replaying a cookie; sign-in
that tells nothing of which emails have accounts; and the schema upgrade that made it possible."""

from __future__ import annotations

import io
import statistics
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import select, text
from werkzeug.security import check_password_hash, generate_password_hash

from crossover.cli import main
from crossover.web.app import create_app
from crossover.web.config import load_config
from crossover.web.models import AuditEvent, User, db
from crossover.web.views import auth

from .conftest import CONSULTANT, PASSWORD

NEW_PASSWORD = "a new and longer passphrase"
FIRST_REVISION = "748d6961e138"
"""The portal's first schema, as the previous release left databases."""


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _cookie(browser: FlaskClient) -> str:
    cookie = browser.get_cookie("session")
    assert cookie is not None
    return cookie.value


def _replay(app: Flask, cookie: str) -> int:
    """The desk's answer to a fresh browser carrying a copy of `cookie`: 200 open, 302 signed out."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/desk/").status_code


def _users(app: Flask, *args: str, stdin: str = "", monkeypatch: pytest.MonkeyPatch) -> None:
    """`crossover users ...` on the app's data folder and database, as a consultant types it."""
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    main(["users", *args, "--data", app.config["DATA_DIR"], "--database-url", url])


def test_a_cookie_copied_before_sign_out_opens_nothing_after(app: Flask, desk: FlaskClient) -> None:
    copied = _cookie(desk)
    assert _replay(app, copied) == 200  # the copy works while the session lives
    other_browser = app.test_client()
    other_browser.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD})
    assert desk.post("/sign-out").status_code == 302
    assert _replay(app, copied) == 302
    # Sign-out ends the consultant's sessions everywhere, the other browser's too.
    assert other_browser.get("/desk/").status_code == 302
    assert _actions(app)[-1] == "sign_out"


def test_an_idle_session_ends_after_the_configured_minutes(
    app: Flask, desk: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["IDLE_TIMEOUT_MINUTES"] = 15
    now = time.time()
    # The app's clock: crossover.web.app reads time.time() from the time module patched here.
    monkeypatch.setattr(time, "time", lambda: now)
    assert desk.get("/desk/").status_code == 200  # marks the session as seen now
    copied = _cookie(desk)
    laptop = app.test_client()  # the same consultant, at work on another machine
    laptop.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD})
    monkeypatch.setattr(time, "time", lambda: now + 14 * 60)
    assert desk.get("/desk/").status_code == 200  # within the timeout, and renewed
    monkeypatch.setattr(time, "time", lambda: now + 20 * 60)
    assert laptop.get("/desk/").status_code == 200
    monkeypatch.setattr(time, "time", lambda: now + 14 * 60 + 15 * 60 + 1)
    response = desk.get("/desk/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in")
    assert _replay(app, copied) == 302
    assert laptop.get("/desk/").status_code == 200  # used 9 minutes ago: it goes on
    assert _actions(app)[-1] == "session_idle"


def test_a_new_password_ends_every_session(
    app: Flask,
    desk: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copied = _cookie(desk)
    _users(app, "reset-password", CONSULTANT, stdin=NEW_PASSWORD + "\n", monkeypatch=monkeypatch)
    assert "every session it had open has ended" in capsys.readouterr().out
    assert desk.get("/desk/").status_code == 302
    assert _replay(app, copied) == 302
    browser = app.test_client()
    old = browser.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD})
    assert "do not match" in old.text
    new = browser.post("/sign-in", data={"email": CONSULTANT, "password": NEW_PASSWORD})
    assert new.status_code == 302
    assert "password_reset" in _actions(app)


def test_users_are_listed_removed_and_restored(
    app: Flask,
    desk: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _users(app, "add", "second@firm.example", stdin=NEW_PASSWORD + "\n", monkeypatch=monkeypatch)
    capsys.readouterr()
    _users(app, "list", monkeypatch=monkeypatch)
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == [CONSULTANT, "second@firm.example"]
    assert all(line.endswith("active") for line in listed)

    _users(app, "remove", CONSULTANT, monkeypatch=monkeypatch)
    assert desk.get("/desk/").status_code == 302  # its open session ended at once
    signin = {"email": CONSULTANT, "password": PASSWORD}
    assert "do not match" in app.test_client().post("/sign-in", data=signin).text
    capsys.readouterr()
    _users(app, "list", monkeypatch=monkeypatch)
    assert " removed " in capsys.readouterr().out.splitlines()[0]

    # Removing or resetting an account that is not there says so, and what to do.
    with pytest.raises(SystemExit) as exit_info:
        _users(app, "remove", "nobody@firm.example", monkeypatch=monkeypatch)
    assert exit_info.value.code == 65
    assert capsys.readouterr().err == (
        "Error: nobody@firm.example: has no account (`crossover users list` shows the accounts; "
        "`crossover users add` adds one)\n"
    )

    # Added again, the account comes back with its new password.
    _users(app, "add", CONSULTANT, stdin=NEW_PASSWORD + "\n", monkeypatch=monkeypatch)
    signin["password"] = NEW_PASSWORD
    assert app.test_client().post("/sign-in", data=signin).status_code == 302
    assert [a for a in _actions(app) if a.startswith("user_")] == [
        "user_added",
        "user_removed",
        "user_added",
    ]


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/desk/clients/7", "/desk/clients/7"),
        ("/desk/audit?page=2", "/desk/audit?page=2"),
        ("https://evil.example/desk/", "/desk/"),
        ("//evil.example/desk/", "/desk/"),
        ("/\\evil.example", "/desk/"),
        ("desk/", "/desk/"),
        ("/desk/\r\nSet-Cookie: x=1", "/desk/"),
    ],
)
def test_sign_in_returns_to_a_page_on_this_site_only(app: Flask, asked: str, lands: str) -> None:
    browser = app.test_client()
    response = browser.post(
        "/sign-in",
        query_string={"next": asked},
        data={"email": CONSULTANT, "password": PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == lands


def test_the_desk_sends_a_signed_out_consultant_back_after_sign_in(app: Flask) -> None:
    browser = app.test_client()
    asked = browser.get("/desk/audit")
    assert asked.headers["Location"] == "/sign-in?next=%2Fdesk%2Faudit"
    page = browser.get(asked.headers["Location"]).text
    assert 'action="/sign-in?next=/desk/audit"' in page
    signed_in = browser.post(
        asked.headers["Location"], data={"email": CONSULTANT, "password": PASSWORD}
    )
    assert signed_in.headers["Location"] == "/desk/audit"


def test_an_unknown_email_costs_a_password_check_like_a_known_one(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = check_password_hash  # what crossover.web.views.auth imported from werkzeug

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split(":")[0])
        return real(stored, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    app.config["SIGNIN_RATE_LIMIT"] = "100 per minute"
    browser = app.test_client()
    timings: dict[str, list[float]] = {"known": [], "unknown": []}
    for _ in range(3):
        for kind, email in (("known", CONSULTANT), ("unknown", "nobody@firm.example")):
            started = time.perf_counter()
            page = browser.post("/sign-in", data={"email": email, "password": "not it"})
            timings[kind].append(time.perf_counter() - started)
            assert "That email and password do not match an account." in page.text
    # One scrypt check per attempt, whether or not the account exists...
    assert checked == ["scrypt"] * 6
    # ...so the two take about as long (unknown ones took a tenth of the time before).
    known, unknown = (statistics.median(timings[k]) for k in ("known", "unknown"))
    assert 0.5 < unknown / known < 2, timings


def test_the_upgrade_from_the_first_schema_keeps_accounts_and_ends_old_sessions(
    tmp_path: Path, database_url: str
) -> None:
    """The migrations test covers an empty database; this one holds the first schema's data."""
    first = create_app(
        load_config(tmp_path / "data", database_url, environ={}, WTF_CSRF_ENABLED=False)
    )
    with first.app_context():
        upgrade(revision=FIRST_REVISION)
        db.session.execute(
            text(
                "INSERT INTO users (email, password_hash, created_at) "
                "VALUES (:email, :hash, CURRENT_TIMESTAMP)"
            ),
            {"email": CONSULTANT, "hash": generate_password_hash(PASSWORD)},
        )
        db.session.commit()
        db.session.remove()
        # A consultant signed in before the upgrade: the session names the user id alone.
        before = first.test_client()
        with before.session_transaction() as session:
            session["_user_id"] = "1"
            session["_fresh"] = True
        upgrade()
        user = db.session.scalars(select(User)).one()
        assert (user.email, user.session_version, user.removed_at) == (CONSULTANT, 0, None)
        db.session.remove()
    assert before.get("/desk/").status_code == 302  # the session from before has ended
    browser = first.test_client()
    signin = {"email": CONSULTANT, "password": PASSWORD}
    assert browser.post("/sign-in", data=signin).status_code == 302
    assert browser.get("/desk/").status_code == 200
    with first.app_context():
        db.session.remove()
        db.engine.dispose()
