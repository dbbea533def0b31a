"""The portal's Flask application factory: a thin layer over the library, whose views call the
functions the CLI calls."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import event
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from crossover.web.extensions import csrf, limiter, login_manager, migrate
from crossover.web.models import User, db

MIGRATIONS = str(Path(__file__).with_name("migrations"))

CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; frame-src 'self'; frame-ancestors 'self'; form-action 'self'; "
    "base-uri 'none'; connect-src 'self'"
)


def create_app(config: Mapping[str, Any]) -> Flask:
    """A portal app configured by `config` (see crossover.web.config.load_config)."""
    app = Flask(__name__)
    app.config.update(config)
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
def _load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def _security_headers(response: Response) -> Response:
    # A view with its own policy (the report frame) keeps it.
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # The client's private link is in the URL: no page may leak it to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    response.headers["Cache-Control"] = "no-store"
    return response


def _error_page(error: HTTPException) -> ResponseReturnValue:
    return render_template("error.html", error=error), error.code or 500
