"""The client's side: one private link, the template, uploads and what was found in them."""

from __future__ import annotations

import io
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from crossover.web.extensions import client_key, limiter, upload_limit
from crossover.web.forms import UploadForm
from crossover.web.jobs import report_dir
from crossover.web.links import token_hash
from crossover.web.models import CLIENT_LINK, Client, Upload, db, utcnow
from crossover.web.uploads import receive

bp = Blueprint("portal", __name__, url_prefix="/c")


def _client(token: str) -> Client:
    """The client this token opens, and only that one: 404 for an unknown link, 410 for an expired one."""
    client = db.session.scalars(
        select(Client).where(Client.token_hash == token_hash(token))
    ).first()
    if client is None:
        abort(404)
    if client.link_revoked_at is not None:
        abort(410, "This link has been withdrawn. Ask your consultant for a new one.")
    if client.token_expires_at <= utcnow():
        abort(410, "This link has expired. Ask your consultant for a new one.")
    return client


@bp.get("/<token>")
def home(token: str) -> ResponseReturnValue:
    client = _client(token)
    latest = client.uploads[0] if client.uploads else None
    released = (
        db.session.get(Upload, client.released_upload_id) if client.released_upload_id else None
    )
    return render_template(
        "portal/home.html",
        client=client,
        token=token,
        form=UploadForm(),
        latest=latest,
        earlier=client.uploads[1:],
        released=released,
        released_pdf=_released_pdf(released),
    )


@bp.post("/<token>/upload")
@limiter.limit(upload_limit, key_func=client_key)
def upload(token: str) -> ResponseReturnValue:
    client = _client(token)
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template(
            "portal/home.html",
            client=client,
            token=token,
            form=form,
            latest=None,
            earlier=client.uploads,
            released=None,
            released_pdf=None,
        ), 400
    file = form.workbook.data
    receive(client, file.read(), file.filename or "workbook", CLIENT_LINK)
    return redirect(url_for("portal.home", token=token))


@bp.get("/<token>/template.xlsx")
def template(token: str) -> ResponseReturnValue:
    from crossover.workbook.template import build_template, save_workbook

    client = _client(token)
    workbook = build_template()
    # The client's name goes where the reader looks for it: the defined name's cell.
    sheet, cell = next(iter(workbook.defined_names["client_name"].destinations))
    workbook[sheet][cell.replace("$", "")] = client.name
    buffer = io.BytesIO()
    path = Path(current_app.config["DATA_DIR"]) / "tmp"
    path.mkdir(exist_ok=True)
    target = path / f"template-{client.id}-{utcnow():%Y%m%d%H%M%S%f}.xlsx"
    try:
        save_workbook(workbook, target)
        buffer.write(target.read_bytes())
    finally:
        target.unlink(missing_ok=True)
    buffer.seek(0)
    return send_file(
        buffer,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=f"{_slug(client.name)}-llm-costs.xlsx",
    )


@bp.get("/<token>/report.pdf")
def report_pdf(token: str) -> ResponseReturnValue:
    client = _client(token)
    released = (
        db.session.get(Upload, client.released_upload_id) if client.released_upload_id else None
    )
    pdf = _released_pdf(released)
    if pdf is None:
        abort(404)
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=pdf.name)


def _released_pdf(upload: Upload | None) -> Path | None:
    if upload is None:
        return None
    done = [job for job in upload.jobs if job.state == "done" and job.outputs]
    if not done:
        return None
    pdf = next(name for name in done[0].outputs or [] if name.endswith(".pdf"))
    return report_dir(current_app, upload.id) / pdf


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:60] or "client"
