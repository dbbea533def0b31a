"""The portal under test: an app per test on a fresh database, SQLite and PostgreSQL alike."""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from crossover.web.app import create_app
from crossover.web.cli import upgrade_database
from crossover.web.config import load_config
from crossover.web.models import User, db

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "inputs" / "examples" / "document-intelligence.xlsx"
POSTGRES_ENV = "CROSSOVER_TEST_DATABASE_URL"
REDIS_ENV = "CROSSOVER_TEST_REDIS_URL"
CONSULTANT = "me@firm.example"
PASSWORD = "correct horse battery staple"


def postgres_server() -> str:
    """The test server's URL; in CI its absence is a failure, elsewhere a skip."""
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{POSTGRES_ENV} is not set: CI must run the portal's tests on PostgreSQL")
    pytest.skip(f"no PostgreSQL server ({POSTGRES_ENV} unset; `make test` starts one)")


def redis_server() -> str:
    """The test Redis server's URL; in CI its absence is a failure, elsewhere a skip."""
    url = os.environ.get(REDIS_ENV)
    if url:
        return url
    if os.environ.get("CI") == "true":
        pytest.fail(f"{REDIS_ENV} is not set: CI must test the shared rate limits on Redis")
    pytest.skip(f"no Redis server ({REDIS_ENV} unset; `make test` starts one)")


def _engine_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: a SQLite file, or a database of its own on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'portal.db'}"
        return
    server = make_url(_engine_url(postgres_server()))
    name = f"crossover_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def make_app(data_dir: Path, database_url: str, **overrides: Any) -> Flask:
    app = create_app(load_config(data_dir, database_url, environ={}, **overrides))
    upgrade_database(app)
    return app


@pytest.fixture
def app(tmp_path: Path, database_url: str) -> Iterator[Flask]:
    """A migrated portal with one consultant, CSRF off (its own tests turn it on)."""
    portal = make_app(
        tmp_path / "data",
        database_url,
        WTF_CSRF_ENABLED=False,
        VALIDATION_TIMEOUT_S=60.0,
    )
    with portal.app_context():
        db.session.add(User(email=CONSULTANT, password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()
    yield portal
    with portal.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def desk(app: Flask) -> FlaskClient:
    """A test client signed in as the consultant."""
    client = app.test_client()
    response = client.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD})
    assert response.status_code == 302, response.text
    return client


def invite(desk: FlaskClient, name: str = "Acme Legal", days: int = 30) -> tuple[int, str]:
    """Invite a client from the desk; its id and the private link's token."""
    response = desk.post(
        "/desk/clients",
        data={"name": name, "email": "cfo@acme.example", "days": days},
        follow_redirects=True,
    )
    assert response.status_code == 200, response.text
    match = re.search(r'id="private-link">[^<]*/c/([A-Za-z0-9_-]+)<', response.text)
    assert match is not None, response.text
    client_id = int(response.request.path.rsplit("/", 1)[1])
    return client_id, match.group(1)


def upload(client: FlaskClient, token: str, data: bytes, filename: str = "acme.xlsx") -> Any:
    return client.post(
        f"/c/{token}/upload",
        data={"workbook": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def items(html: str, kind: str) -> list[str]:
    """The problems ('error') or warnings ('warning') a page lists, as plain text."""
    import html as html_module

    lists = re.findall(rf'<ol class="problems problems-{kind}">(.*?)</ol>', html, re.S)
    found = []
    for block in lists[:1]:
        for item in re.findall(r"<li>(.*?)</li>", block, re.S):
            found.append(html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip())
    return found


def with_mistakes(target: Path) -> Path:
    """The example workbook with two cells a client might get wrong."""
    from openpyxl import load_workbook

    workbook = load_workbook(EXAMPLE)
    for name, value in (("input_mtok_per_day", "lots"), ("peak_to_average", -2)):
        sheet, cell = next(iter(workbook.defined_names[name].destinations))
        workbook[sheet][cell.replace("$", "")] = value
    workbook.save(target)
    return target


def cli_problems(path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """What `crossover validate` says is wrong with the file, one message a line, without the path."""
    from crossover.cli import main

    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(["validate", str(path)])
    assert exit_info.value.code == 65
    lines = capsys.readouterr().err.splitlines()
    if "problem(s) to fix:" in lines[0]:
        return [line.strip() for line in lines[1:]]
    assert len(lines) == 1
    return [lines[0].removeprefix(f"Error: {path}: ")]
