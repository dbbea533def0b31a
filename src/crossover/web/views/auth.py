"""Consultants sign in and out; every attempt goes to the audit log."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash

from crossover.web.extensions import limiter, signin_limit
from crossover.web.forms import ActionForm, SignInForm
from crossover.web.models import User, audit, db

bp = Blueprint("auth", __name__)


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if user is not None and check_password_hash(user.password_hash, form.password.data):
            login_user(user)
            audit(email, "sign_in", ip=request.remote_addr)
            db.session.commit()
            return redirect(url_for("desk.clients"))
        audit(email, "sign_in_failed", ip=request.remote_addr)
        db.session.commit()
        flash("That email and password do not match an account.", "error")
    return render_template("sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        audit(current_user.email, "sign_out", ip=request.remote_addr)
        db.session.commit()
        logout_user()
    return redirect(url_for("auth.sign_in"))
