"""The portal's Flask application factory: a thin layer over the library, whose views call the
functions the CLI calls."""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, current_app, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, logout_user
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

from crossover.web.brand import load_firm
from crossover.web.extensions import csrf, limiter, login_manager, migrate
from crossover.web.models import User, audit, db
from crossover.web.redact import RedactingFilter

MIGRATIONS = str(Path(__file__).with_name("migrations"))

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; connect-src 'self'"
)
HSTS = "max-age=31536000"
"""A year of HTTPS only, for this host alone (a firm's other subdomains are not ours to bind)."""
FIRM = "crossover.firm"
"""Where create_app keeps the firm's Firm (app.extensions)."""
SEEN = "seen"
"""The session's last request, in Unix seconds: the idle timeout counts from it."""


def create_app(config: Mapping[str, Any]) -> Flask:
    """A portal app configured by `config` (see crossover.web.config.load_config)."""
    app = Flask(__name__)
    app.config.update(config)
    app.logger.addFilter(RedactingFilter())
    proxies = int(app.config.get("TRUSTED_PROXIES", 0))
    if proxies:
        # Only behind proxies the firm named: otherwise anyone reaching the server directly
        # could claim any address (and a fresh one per attempt past the rate limit) or HTTPS.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    db.init_app(app)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        with app.app_context():
            event.listen(db.engine, "connect", _sqlite_pragmas)
    migrate.init_app(app, db, directory=MIGRATIONS)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see the desk."

    from crossover.web.views import auth, desk, portal

    app.register_blueprint(auth.bp)
    app.register_blueprint(desk.bp)
    app.register_blueprint(portal.bp)

    @app.get("/")
    def index() -> ResponseReturnValue:
        return redirect(url_for("desk.clients"))

    app.extensions[FIRM] = load_firm(app.config.get("BRAND"))
    app.context_processor(_firm)
    app.before_request(_end_idle_session)
    app.after_request(_security_headers)
    app.register_error_handler(HTTPException, _error_page)
    return app


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # Write-ahead logging lets readers and the one writer proceed together, and a writer waits
    # for the lock instead of failing: concurrent uploads on one SQLite file all get stored.
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    """The consultant a session names, if that session has not been ended since it began."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit():
        return None  # a session from before session versions: it ended with the upgrade
    user = db.session.get(User, int(user_id))
    if user is None or user.removed_at is not None or user.session_version != int(version):
        return None
    return user


def _end_idle_session() -> None:
    """A consultant's session unused for IDLE_TIMEOUT_MINUTES ends; any request renews it."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return
    now = int(time.time())
    seen = session.get(SEEN)
    idle_s = 60 * int(current_app.config["IDLE_TIMEOUT_MINUTES"])
    if isinstance(seen, int) and now - seen > idle_s:
        # This session only (the consultant may be at work on another machine); any copy of
        # its cookie carries the same signed time, or an older one, and ends here too.
        user: User = current_user._get_current_object()
        audit(user.email, "session_idle", ip=request.remote_addr, idle_minutes=(now - seen) // 60)
        db.session.commit()
        logout_user()
        session.clear()
        return
    session[SEEN] = now


def _firm() -> dict[str, Any]:
    """The firm's name and contact line, from its brand, on every page."""
    return {"firm": current_app.extensions[FIRM]}


def _security_headers(response: Response) -> Response:
    # A view with its own policy (the report frame) keeps it.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The Referer goes to this site only, never to another: a client's page carries the
    # private link in its URL. Same-site form posts keep it, which Flask-WTF's HTTPS check
    # needs (SECURITY.md, P6); the token it carries reaches only this server's own logs,
    # which redact it.
    response.headers["Referrer-Policy"] = "same-origin"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = HSTS
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: HTTPException) -> ResponseReturnValue:
    return render_template("error.html", error=error), error.code or 500
