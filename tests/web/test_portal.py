"""The portal through Flask's test client: links, uploads, validation as `validate` words it, the desk."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import EnvironBuilder

from crossover.web.jobs import run_worker
from crossover.web.models import AuditEvent, Client, Job, Upload, db, utcnow

from .conftest import (
    CONSULTANT,
    EXAMPLE,
    PASSWORD,
    cli_problems,
    invite,
    items,
    upload,
    with_mistakes,
)

# A multiprocessing Connection is sometimes finalised late in a forkserver child's teardown
# (seen once in about ten runs, on PostgreSQL and SQLite alike; the cause is not yet found):
# the uploads and their validations are unaffected, so the late finaliser is not a failure.
pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*BaseConnection.__del__:pytest.PytestUnraisableExceptionWarning"
)


def _actions(app: Flask) -> list[str]:
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_the_link_token_is_stored_only_as_its_hash(app: Flask, desk: FlaskClient) -> None:
    client_id, token = invite(desk)
    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert client is not None
        assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
        stored = [str(v) for v in vars(client).values()]
    assert not any(token in value for value in stored)
    # The desk never shows it again.
    assert token not in desk.get(f"/desk/clients/{client_id}").text


def test_a_token_opens_its_own_client_only(app: Flask, desk: FlaskClient) -> None:
    _, acme = invite(desk, "Acme Legal")
    _, other = invite(desk, "Globex")
    visitor = app.test_client()
    assert upload(visitor, acme, b"not a workbook").status_code == 200
    page = visitor.get(f"/c/{other}").text
    assert "Globex" in page
    assert "Acme" not in page
    assert "problem(s) to fix" not in page  # Acme's upload is not Globex's
    assert visitor.get(f"/c/{acme[:-1]}x").status_code == 404
    assert visitor.get("/c/guess").status_code == 404


def test_an_expired_link_is_refused(app: Flask, desk: FlaskClient) -> None:
    client_id, token = invite(desk)
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert client is not None
        client.token_expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    visitor = app.test_client()
    response = visitor.get(f"/c/{token}")
    assert response.status_code == 410
    assert "expired" in response.text
    assert upload(visitor, token, EXAMPLE.read_bytes()).status_code == 410


def test_the_expiry_is_the_consultants_choice(app: Flask, desk: FlaskClient) -> None:
    client_id, _ = invite(desk, days=3)
    with app.app_context():
        client = db.session.get(Client, client_id)
        assert client is not None
        left = client.token_expires_at - utcnow()
    assert timedelta(days=2, hours=23) < left <= timedelta(days=3)


def test_the_template_carries_the_clients_name(
    app: Flask, desk: FlaskClient, tmp_path: Path
) -> None:
    from crossover.workbook import read_workbook_with_warnings

    _, token = invite(desk, "Acme Legal")
    response = app.test_client().get(f"/c/{token}/template.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    path = tmp_path / "template.xlsx"
    path.write_bytes(response.data)
    from openpyxl import load_workbook

    workbook = load_workbook(path)
    sheet, cell = next(iter(workbook.defined_names["client_name"].destinations))
    assert workbook[sheet][cell.replace("$", "")].value == "Acme Legal"
    # Still the template the reader knows: blank elsewhere, so not sound yet.
    with pytest.raises(Exception, match="problem"):
        read_workbook_with_warnings(path)


def test_every_problem_is_shown_as_validate_words_it(
    app: Flask, desk: FlaskClient, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = with_mistakes(tmp_path / "acme.xlsx")
    expected = cli_problems(broken, capsys)
    assert len(expected) == 2
    _, token = invite(desk)
    page = upload(app.test_client(), token, broken.read_bytes())
    assert page.status_code == 200
    assert items(page.text, "error") == expected
    assert "2 problem(s) to fix" in page.text
    assert "Received" not in page.text


def test_a_sound_workbook_is_received_with_its_warnings_and_no_recommendation(
    app: Flask, desk: FlaskClient
) -> None:
    _, token = invite(desk)
    visitor = app.test_client()
    page = upload(visitor, token, EXAMPLE.read_bytes(), "northwind.xlsx").text
    assert "Received" in page
    assert items(page, "error") == []
    # The example's bill differs from the catalogue price: the analysis warns.
    assert items(page, "warning") == [
        "The API cost priced from the catalogue differs from the client's current bill by "
        "more than 20%: check the volumes and prices, or the bill."
    ]
    assert "Adopt the proposed split" not in page
    assert "Monthly savings" not in page


def test_every_upload_is_kept_by_its_content_refused_ones_too(
    app: Flask, desk: FlaskClient, tmp_path: Path
) -> None:
    _, token = invite(desk)
    visitor = app.test_client()
    broken = with_mistakes(tmp_path / "acme.xlsx").read_bytes()
    for data in (broken, EXAMPLE.read_bytes(), broken):
        upload(visitor, token, data)
    uploads = Path(app.config["DATA_DIR"]) / "uploads"
    with app.app_context():
        rows = db.session.scalars(select(Upload).order_by(Upload.id)).all()
        assert [r.sound for r in rows] == [False, True, False]
        assert rows[0].blob == rows[2].blob  # the same bytes are the same file
        for row, data in zip(rows, (broken, EXAMPLE.read_bytes(), broken), strict=True):
            digest = hashlib.sha256(data).hexdigest()
            assert row.sha256 == digest
            assert row.blob == f"{digest[:2]}/{digest}.xlsx"
            assert (uploads / row.blob).read_bytes() == data
    assert len(list(uploads.rglob("*.xlsx"))) == 2


def test_an_upload_over_the_limit_is_refused_with_413_and_nothing_stored(
    app: Flask, desk: FlaskClient
) -> None:
    _, token = invite(desk)
    too_big = b"PK\x03\x04" + b"\0" * app.config["MAX_CONTENT_LENGTH"]
    builder = EnvironBuilder(
        path=f"/c/{token}/upload",
        method="POST",
        data={"workbook": (io.BytesIO(too_big), "big.xlsx")},
    )
    environ = builder.get_environ()
    try:
        response = app.test_client().open(environ)
    finally:
        # The test client keeps a large body in a temporary file: closed here, not left to GC.
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code == 413
    assert "was not kept" in response.text
    assert not (Path(app.config["DATA_DIR"]) / "uploads").exists()
    with app.app_context():
        assert db.session.scalars(select(Upload)).all() == []


def test_reports_render_in_a_worker_and_the_desk_shows_them(app: Flask, desk: FlaskClient) -> None:
    client_id, token = invite(desk)
    upload(app.test_client(), token, EXAMPLE.read_bytes())
    with app.app_context():
        upload_id = db.session.scalars(select(Upload.id)).one()
    page = desk.get(f"/desk/versions/{upload_id}").text
    assert "Queued" in page
    assert 'http-equiv="refresh"' in page  # the page follows the job until it is done
    assert run_worker(app, once=True) == 1
    page = desk.get(f"/desk/versions/{upload_id}").text
    assert "Download the PDF" in page
    assert 'http-equiv="refresh"' not in page
    with desk.get(f"/desk/versions/{upload_id}/report.pdf") as pdf:
        assert pdf.status_code == 200
        assert pdf.data.startswith(b"%PDF-")
    with desk.get(f"/desk/versions/{upload_id}/report.html") as html:
        assert "Northwind Documents" in html.get_data(as_text=True)
        # The report's own policy: its inline styles and images, and no script at all.
        assert "script-src" not in html.headers["Content-Security-Policy"]
        assert "sandbox" in html.headers["Content-Security-Policy"]
    versions = desk.get(f"/desk/clients/{client_id}").text
    assert "Adopt the proposed split" in versions
    assert "$20,693" in versions  # the example's monthly savings (tests/engine/test_golden.py)


def test_a_job_whose_worker_died_is_taken_again(app: Flask, desk: FlaskClient) -> None:
    _, token = invite(desk)
    upload(app.test_client(), token, EXAMPLE.read_bytes())
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        # A worker took it and died: the job is still "running", its lease long past.
        job.state, job.attempts, job.worker = "running", 1, "gone:1"
        job.lease_until = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert run_worker(app, once=True) == 1
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        assert (job.state, job.attempts) == ("done", 2)


def test_the_client_sees_the_recommendation_once_released(app: Flask, desk: FlaskClient) -> None:
    _, token = invite(desk)
    visitor = app.test_client()
    upload(visitor, token, EXAMPLE.read_bytes())
    run_worker(app, once=True)
    with app.app_context():
        upload_id = db.session.scalars(select(Upload.id)).one()
    assert visitor.get(f"/c/{token}/report.pdf").status_code == 404
    desk.post(f"/desk/versions/{upload_id}/release")
    page = visitor.get(f"/c/{token}").text
    assert "Your recommendation" in page
    assert "Adopt the proposed split" in page
    with visitor.get(f"/c/{token}/report.pdf") as pdf:
        assert pdf.data.startswith(b"%PDF-")
    assert _actions(app) == ["sign_in", "invite", "upload", "release"]


def test_sign_in_attempts_are_audited_and_rate_limited(app: Flask) -> None:
    visitor = app.test_client()
    wrong = {"email": CONSULTANT, "password": "not it"}
    page = visitor.post("/sign-in", data=wrong)
    assert "do not match" in page.text
    for _ in range(9):
        visitor.post("/sign-in", data=wrong)
    assert (
        visitor.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD}).status_code
        == 429
    )
    assert _actions(app) == ["sign_in_failed"] * 10


def test_uploads_are_rate_limited_per_link(app: Flask, desk: FlaskClient) -> None:
    app.config["UPLOAD_RATE_LIMIT"] = "3 per minute"
    _, first = invite(desk, "Acme")
    _, second = invite(desk, "Globex")
    visitor = app.test_client()
    codes = [upload(visitor, first, b"x").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert upload(visitor, second, b"x").status_code == 200


def test_the_desk_needs_a_signed_in_consultant(app: Flask, desk: FlaskClient) -> None:
    client_id, _ = invite(desk)
    visitor = app.test_client()
    for path in ("/desk/", f"/desk/clients/{client_id}", "/desk/audit"):
        response = visitor.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/sign-in")


def test_the_desk_compares_two_versions_with_crossover_diff(
    app: Flask, desk: FlaskClient, tmp_path: Path
) -> None:
    from openpyxl import load_workbook

    client_id, token = invite(desk)
    visitor = app.test_client()
    upload(visitor, token, EXAMPLE.read_bytes())
    assert "Compare two versions" not in desk.get(f"/desk/clients/{client_id}").text
    workbook = load_workbook(EXAMPLE)
    sheet, cell = next(iter(workbook.defined_names["peak_to_average"].destinations))
    before = workbook[sheet][cell.replace("$", "")].value
    workbook[sheet][cell.replace("$", "")] = before + 1
    changed = tmp_path / "v2.xlsx"
    workbook.save(changed)
    upload(visitor, token, changed.read_bytes())
    assert "Compare two versions" in desk.get(f"/desk/clients/{client_id}").text
    page = desk.get(f"/desk/clients/{client_id}/diff")
    assert page.status_code == 200
    rows = re.findall(
        r"<tr><td[^>]*>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td></tr>",
        page.text.split('class="diff-changes"')[1].split("</table>")[0],
    )
    assert rows == [("workload.peak_to_average", str(before), str(before + 1))]
    steps = re.findall(
        r"<tr><td[^>]*>([^<]+)</td><td>([^<]+)</td></tr>",
        page.text.split('class="diff-attribution"')[1].split("</table>")[0],
    )
    assert [field for field, _ in steps] == ["workload.peak_to_average"]
    assert "Monthly savings" in page.text
    # Versions are chosen by id; an unknown one is refused.
    assert desk.get(f"/desk/clients/{client_id}/diff?old=1&new=99").status_code == 400
