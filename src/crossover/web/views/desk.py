"""The consultant's desk: clients, their versions, reports, release, email, notes, the audit log."""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import func, select

from crossover.errors import CrossoverError
from crossover.formatting import Display, money, mtok, weeks
from crossover.report.changes import FIGURE_LABELS
from crossover.summary import VERDICTS
from crossover.web.forms import (
    ActionForm,
    DiffForm,
    EmailForm,
    InviteForm,
    NewLinkForm,
    NoteForm,
    UploadForm,
)
from crossover.web.jobs import dispatch, enqueue, report_dir
from crossover.web.links import new_link
from crossover.web.models import AuditEvent, Client, Job, Note, Upload, audit, db, utcnow
from crossover.web.uploads import receive

bp = Blueprint("desk", __name__, url_prefix="/desk")

# The report is a finished document with its own inline styles and embedded images; it is
# shown in a frame under a policy that allows those and nothing else (no script at all).
REPORT_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; "
    "frame-ancestors 'self'; sandbox"
)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every desk page needs a signed-in consultant."""


@bp.get("/")
def clients() -> ResponseReturnValue:
    rows = db.session.scalars(select(Client).order_by(Client.name)).all()
    return render_template("desk/clients.html", clients=rows, form=InviteForm())


@bp.post("/clients")
def invite() -> ResponseReturnValue:
    form = InviteForm()
    if not form.validate_on_submit():
        rows = db.session.scalars(select(Client).order_by(Client.name)).all()
        return render_template("desk/clients.html", clients=rows, form=form), 400
    token, hashed, expires = new_link(form.days.data)
    client = Client(
        name=form.name.data.strip(),
        email=form.email.data.strip(),
        token_hash=hashed,
        token_expires_at=expires,
        created_by_id=current_user.id,
    )
    db.session.add(client)
    db.session.flush()
    audit(current_user.email, "invite", client.id, ip=request.remote_addr, expires=str(expires))
    db.session.commit()
    _show_link_once(token)
    return redirect(url_for("desk.client", client_id=client.id))


def _show_link_once(token: str) -> None:
    flash(url_for("portal.home", token=token, _external=True), "link")


@bp.get("/clients/<int:client_id>")
def client(client_id: int) -> ResponseReturnValue:
    found = db.get_or_404(Client, client_id)
    return _client_page(found)


def _client_page(found: Client, upload_form: UploadForm | None = None) -> str:
    return render_template(
        "desk/client.html",
        client=found,
        link_form=NewLinkForm(),
        note_form=NoteForm(),
        upload_form=upload_form or UploadForm(),
        revoke_form=ActionForm(),
    )


@bp.post("/clients/<int:client_id>/link")
def renew_link(client_id: int) -> ResponseReturnValue:
    found = db.get_or_404(Client, client_id)
    form = NewLinkForm()
    if form.validate_on_submit():
        token, found.token_hash, found.token_expires_at = new_link(form.days.data)
        found.link_revoked_at = None
        audit(current_user.email, "new_link", found.id, ip=request.remote_addr)
        db.session.commit()
        _show_link_once(token)
    return redirect(url_for("desk.client", client_id=found.id))


@bp.post("/clients/<int:client_id>/link/withdraw")
def revoke_link(client_id: int) -> ResponseReturnValue:
    """The client's link stops working at once; no new one is issued until asked for."""
    found = db.get_or_404(Client, client_id)
    if ActionForm().validate_on_submit() and found.link_revoked_at is None:
        found.link_revoked_at = utcnow()
        audit(current_user.email, "link_withdrawn", found.id, ip=request.remote_addr)
        db.session.commit()
        flash("The private link is withdrawn: it no longer opens the client's page.", "ok")
    return redirect(url_for("desk.client", client_id=found.id))


@bp.post("/clients/<int:client_id>/uploads")
def upload(client_id: int) -> ResponseReturnValue:
    """A workbook the client sent another way, received as the client's are, under the consultant's name."""
    found = db.get_or_404(Client, client_id)
    form = UploadForm()
    if not form.validate_on_submit():
        return _client_page(found, form), 400
    file = form.workbook.data
    received = receive(found, file.read(), file.filename or "workbook", current_user.email)
    return redirect(url_for("desk.version", upload_id=received.id))


@bp.post("/clients/<int:client_id>/notes")
def add_note(client_id: int) -> ResponseReturnValue:
    found = db.get_or_404(Client, client_id)
    form = NoteForm()
    if form.validate_on_submit():
        db.session.add(Note(client_id=found.id, author=current_user.email, text=form.text.data))
        db.session.commit()
    return redirect(url_for("desk.client", client_id=found.id))


@bp.get("/versions/<int:upload_id>")
def version(upload_id: int) -> ResponseReturnValue:
    upload = db.get_or_404(Upload, upload_id)
    job = upload.jobs[0] if upload.jobs else None
    ahead = 0
    if job is not None and job.state == "queued":
        ahead = (
            db.session.scalar(
                select(func.count()).select_from(Job).where(Job.state == "queued", Job.id < job.id)
            )
            or 0
        )
    return render_template(
        "desk/version.html",
        upload=upload,
        client=upload.client,
        job=job,
        ahead=ahead,
        action=ActionForm(),
        email_form=EmailForm(to=upload.client.email),
    )


@bp.post("/versions/<int:upload_id>/render")
def render(upload_id: int) -> ResponseReturnValue:
    upload = db.get_or_404(Upload, upload_id)
    if ActionForm().validate_on_submit() and upload.sound:
        job = enqueue(upload, current_user.email)
        db.session.commit()
        dispatch(current_app, job.id)
    return redirect(url_for("desk.version", upload_id=upload.id))


@bp.get("/versions/<int:upload_id>/report.html")
def report_html(upload_id: int) -> ResponseReturnValue:
    response = send_file(_report_file(upload_id, ".html"), mimetype="text/html")
    response.headers["Content-Security-Policy"] = REPORT_POLICY
    return response


@bp.get("/versions/<int:upload_id>/report.pdf")
def report_pdf(upload_id: int) -> ResponseReturnValue:
    pdf = _report_file(upload_id, ".pdf")
    return send_file(pdf, mimetype="application/pdf", as_attachment=True, download_name=pdf.name)


@bp.get("/versions/<int:upload_id>/file")
def download(upload_id: int) -> ResponseReturnValue:
    """The file exactly as the client sent it, refused ones included, never opened by the browser."""
    upload = db.get_or_404(Upload, upload_id)
    path = Path(current_app.config["DATA_DIR"]) / "uploads" / upload.blob
    return send_file(
        path, mimetype="application/octet-stream", as_attachment=True, download_name=upload.filename
    )


@bp.post("/versions/<int:upload_id>/release")
def release(upload_id: int) -> ResponseReturnValue:
    upload = db.get_or_404(Upload, upload_id)
    if ActionForm().validate_on_submit() and upload.sound:
        upload.client.released_upload_id = upload.id
        audit(
            current_user.email,
            "release",
            upload.client_id,
            ip=request.remote_addr,
            upload_id=upload.id,
        )
        db.session.commit()
        flash("Released: the client now sees this version's recommendation.", "ok")
    return redirect(url_for("desk.version", upload_id=upload.id))


@bp.post("/versions/<int:upload_id>/email")
def email(upload_id: int) -> ResponseReturnValue:
    from crossover.delivery.email import email_report

    upload = db.get_or_404(Upload, upload_id)
    form = EmailForm()
    if form.validate_on_submit():
        pdf = _report_file(upload_id, ".pdf")
        cc = [form.cc.data] if form.cc.data else []
        try:
            said = email_report(
                pdf,
                [form.to.data],
                cc,
                config=_smtp_config(),
                environ=current_app.config["SMTP_ENV"],
            )
        except CrossoverError as e:
            audit(
                current_user.email,
                "email_failed",
                upload.client_id,
                ip=request.remote_addr,
                upload_id=upload.id,
                error=str(e),
            )
            db.session.commit()
            flash(str(e), "error")
        else:
            audit(
                current_user.email,
                "email",
                upload.client_id,
                ip=request.remote_addr,
                upload_id=upload.id,
                to=form.to.data,
                cc=cc,
            )
            db.session.commit()
            flash(said, "ok")
    return redirect(url_for("desk.version", upload_id=upload.id))


@bp.get("/clients/<int:client_id>/diff")
def diff(client_id: int) -> ResponseReturnValue:
    """Two sound versions compared with `crossover diff`'s own function: inputs, figures, waterfall."""
    from crossover.catalogue import load_catalogue
    from crossover.diff import diff_scenarios
    from crossover.formatting import display_for
    from crossover.inputs import load_scenario

    found = db.get_or_404(Client, client_id)
    sound = [u for u in found.uploads if u.sound]
    form = DiffForm(request.args)
    choices = [(u.id, f"#{u.id}, {u.uploaded_at:%Y-%m-%d %H:%M} UTC, {u.filename}") for u in sound]
    form.old.choices = form.new.choices = choices
    if len(sound) < 2:
        return render_template("desk/diff.html", client=found, form=form, result=None)
    if not request.args:
        form.old.data, form.new.data = sound[1].id, sound[0].id
    elif not form.validate():
        abort(400)
    old, new = (next(u for u in sound if u.id == form[f].data) for f in ("old", "new"))
    uploads = Path(current_app.config["DATA_DIR"]) / "uploads"
    catalogue = load_catalogue()
    # Both files were read and found sound in the bounded child when they came in.
    new_scenario = load_scenario(uploads / new.blob, catalogue)
    result = diff_scenarios(load_scenario(uploads / old.blob, catalogue), new_scenario, catalogue)
    shown = display_for(new_scenario.client.currency, new_scenario.client.usd_fx_rate)
    return render_template(
        "desk/diff.html",
        client=found,
        form=form,
        result=result,
        old=old,
        new=new,
        figure=lambda name, value: _figure_text(name, value, shown),
        money=lambda usd: money(usd, shown),
        verdicts=VERDICTS,
        labels=FIGURE_LABELS,
    )


def _figure_text(name: str, value: float | None, shown: Display) -> str:
    if name == "payback_weeks":
        return weeks(value, shown)
    if value is None:
        return "never" if name == "crossover_mtok_per_day" else "–"
    if name == "crossover_mtok_per_day":
        return f"{mtok(value, shown)}/day"
    return money(value, shown)


@bp.get("/audit")
def audit_log() -> ResponseReturnValue:
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(500)).all()
    return render_template("desk/audit.html", events=events)


def _smtp_config() -> Path | None:
    configured = current_app.config["SMTP_CONFIG"]
    return Path(configured) if configured else None


def _report_file(upload_id: int, suffix: str) -> Path:
    upload = db.get_or_404(Upload, upload_id)
    done = [job for job in upload.jobs if job.state == "done" and job.outputs]
    if not done:
        abort(404)
    name = next(n for n in done[0].outputs or [] if n.endswith(suffix))
    return report_dir(current_app, upload.id) / name
