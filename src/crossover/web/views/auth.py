"""Consultants sign in and out; every attempt goes to the audit log."""

from __future__ import annotations

import secrets
from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from crossover.web.extensions import limiter, signin_limit
from crossover.web.forms import ActionForm, SignInForm
from crossover.web.models import User, audit, db

bp = Blueprint("auth", __name__)


@cache
def _dummy_hash() -> str:
    """A hash no password matches, checked when the email has no account.

    Checking a password costs about a quarter of a second (scrypt); answering an unknown email
    at once would tell anyone which emails have accounts. Made the way real ones are, it costs
    the same.
    """
    return generate_password_hash(secrets.token_urlsafe(32))


def password_matches(user: User | None, password: str) -> bool:
    """Whether `password` is this active account's, in the same time whether or not it exists."""
    if user is None or user.removed_at is not None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site (/desk/clients/3), else None.

    Anything with a scheme or a host, a protocol-relative //host, or a backslash (which
    browsers read as a slash) could send a consultant to another site after signing in.
    """
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(ch) < 32 for ch in target):
        return None
    return target


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(signin_limit, methods=["POST"])
def sign_in() -> ResponseReturnValue:
    form = SignInForm()
    next_path = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalars(select(User).where(User.email == email)).first()
        if password_matches(user, form.password.data):
            assert user is not None
            # A fresh session: nothing a visitor had in the cookie before carries over.
            session.clear()
            login_user(user)
            audit(email, "sign_in", ip=request.remote_addr)
            db.session.commit()
            return redirect(next_path or url_for("desk.clients"))
        audit(email, "sign_in_failed", ip=request.remote_addr)
        db.session.commit()
        flash("That email and password do not match an account.", "error")
    return render_template("sign_in.html", form=form, next_path=next_path)


@bp.post("/sign-out")
@login_required
def sign_out() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        user: User = current_user._get_current_object()
        # Every copy of this consultant's session cookie, on any browser, stops working.
        user.end_sessions()
        audit(user.email, "sign_out", ip=request.remote_addr)
        db.session.commit()
        logout_user()
        session.clear()
    return redirect(url_for("auth.sign_in"))
