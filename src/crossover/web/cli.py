"""`crossover serve`, `crossover worker` and `crossover users add`: the portal from the command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import click

from crossover.termination import unwind_on_sigterm

DATA_OPTION = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default="crossover-data",
    show_default=True,
    envvar="CROSSOVER_DATA",
    help="Folder for the database (SQLite), the uploads and the reports.",
)
DATABASE_OPTION = click.option(
    "--database-url",
    envvar="CROSSOVER_DATABASE_URL",
    help="A PostgreSQL URL (postgresql://user:pass@host/db); default: SQLite in the data folder.",
)


def _app(data_dir: Path, database_url: str | None, **overrides: Any) -> Any:
    from crossover.web.app import create_app
    from crossover.web.config import load_config

    return create_app(load_config(data_dir, database_url, **overrides))


def upgrade_database(app: Any) -> None:
    """Bring the schema to the newest migration (an empty database gets every one)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@DATA_OPTION
@DATABASE_OPTION
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Report worker processes started beside the server.",
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    hidden=True,
    help="Send cookies over plain HTTP (tests on a loopback address only).",
)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    database_url: str | None,
    workers: int,
    insecure_cookies: bool,
) -> None:
    """Run the intake portal: clients upload workbooks, consultants work at the desk.

    The database is migrated to the newest schema first. For production, run it under
    gunicorn behind HTTPS instead (docs/web.md).

    \b
    Example:
      crossover serve --port 8000 --data ./portal-data
    """
    from werkzeug.serving import run_simple

    overrides = (
        {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}
        if insecure_cookies
        else {}
    )
    app = _app(data_dir, database_url, **overrides)
    upgrade_database(app)
    command = [sys.executable, "-m", "crossover", "worker", "--data", str(data_dir)]
    if database_url:
        command += ["--database-url", database_url]
    children = [subprocess.Popen(command) for _ in range(workers)]
    click.echo(f"crossover portal on http://{host}:{port}/ (data in {data_dir.resolve()})")
    # SIGTERM (a service manager, a test) unwinds like Ctrl-C, so the workers are stopped too.
    unwind_on_sigterm()
    try:
        run_simple(host, port, app, threaded=True)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)


@click.command()
@DATA_OPTION
@DATABASE_OPTION
def worker(data_dir: Path, database_url: str | None) -> None:
    """Render queued reports: poll the job table and render each in a killable warm child.

    Run one or more beside the web servers; any number may share one database.

    \b
    Example:
      crossover worker --data ./portal-data
    """
    from crossover.web.jobs import run_worker

    # SIGTERM unwinds the worker, which stops a render in progress (its job's lease then
    # passes and another worker takes it) instead of leaving the render child orphaned.
    unwind_on_sigterm()
    run_worker(_app(data_dir, database_url))


@click.group()
def users() -> None:
    """Consultant accounts for the portal's desk.

    \b
    Example:
      crossover users add me@firm.example --data ./portal-data
    """


@users.command("add")
@click.argument("email")
@DATA_OPTION
@DATABASE_OPTION
def add_user(email: str, data_dir: Path, database_url: str | None) -> None:
    """Create a consultant account (the password is prompted, or read from standard input).

    \b
    Example:
      crossover users add me@firm.example --data ./portal-data
    """
    from sqlalchemy import select
    from werkzeug.security import generate_password_hash

    from crossover.errors import InputError
    from crossover.web.models import User, audit, db

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    email = email.strip().lower()
    if "@" not in email:
        raise InputError(f"{email}: not an email address")
    if len(password) < 12:
        raise InputError("the password is too short: use at least 12 characters")
    app = _app(data_dir, database_url)
    upgrade_database(app)
    with app.app_context():
        if db.session.scalars(select(User).where(User.email == email)).first() is not None:
            raise InputError(f"{email}: an account with this email already exists")
        db.session.add(User(email=email, password_hash=generate_password_hash(password)))
        audit("command line", "user_added", email=email)
        db.session.commit()
    click.echo(f"Consultant {email} added")


COMMANDS = (serve, worker, users)
