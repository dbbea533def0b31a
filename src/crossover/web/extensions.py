"""The Flask extensions, created unbound so that create_app can bind them to each app it makes."""

from __future__ import annotations

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
login_manager = LoginManager()
migrate = Migrate()
limiter = Limiter(key_func=get_remote_address)


def signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def upload_limit() -> str:
    return str(current_app.config["UPLOAD_RATE_LIMIT"])


def client_key() -> str:
    """Uploads are limited per private link: clients behind one office address do not share."""
    return str((request.view_args or {}).get("token", get_remote_address()))
