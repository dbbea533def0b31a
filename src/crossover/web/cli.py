"""`crossover serve`, `crossover worker` and `crossover users add`: the portal from the command line."""

from __future__ import annotations

import ipaddress
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from crossover.termination import unwind_on_sigterm

# The same names as crossover.web.config's, which this module does not import: every
# `crossover` command loads this module, and the portal's imports cost the others time.
TRUSTED_PROXIES_ENV = "CROSSOVER_TRUSTED_PROXIES"
BRAND_ENV = "CROSSOVER_BRAND"

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


@contextmanager
def _database(data_dir: Path, database_url: str | None) -> Iterator[None]:
    """The portal's database, migrated, for a command's work; its connections closed after."""
    from crossover.web.models import db

    app = _app(data_dir, database_url)
    upgrade_database(app)
    with app.app_context():
        try:
            yield
        finally:
            db.session.remove()
            db.engine.dispose()


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
    type=click.IntRange(1, 64),
    help="Web server processes (gunicorn). Above 1, give the rate limits a shared store "
    "(docs/web.md), or each process counts on its own.",
)
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 256),
    help="Requests each web process answers at once.",
)
@click.option(
    "--report-workers",
    default=1,
    show_default=True,
    type=click.IntRange(0, 16),
    help="Report workers started beside the server (0: run `crossover worker` elsewhere).",
)
@click.option(
    "--certfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Serve HTTPS with this certificate (PEM); needs --keyfile.",
)
@click.option(
    "--keyfile",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The certificate's private key (PEM).",
)
@click.option(
    "--trusted-proxies",
    default=0,
    show_default=True,
    type=click.IntRange(0, 8),
    envvar=TRUSTED_PROXIES_ENV,
    help="Reverse proxies in front that terminate HTTPS and set X-Forwarded-For/-Proto; "
    "only then are those headers believed.",
)
@click.option(
    "--allow-plain-http",
    is_flag=True,
    help="Serve plain HTTP on an address other networks reach (a network you trust only).",
)
@click.option(
    "--brand",
    type=click.Path(exists=True, path_type=Path),
    envvar=BRAND_ENV,
    help="The firm's brand folder: its name and contact on the client's pages, its look in "
    "the reports. Default: the brand that ships with crossover.",
)
def serve(
    host: str,
    port: int,
    data_dir: Path,
    database_url: str | None,
    workers: int,
    threads: int,
    report_workers: int,
    certfile: Path | None,
    keyfile: Path | None,
    trusted_proxies: int,
    allow_plain_http: bool,
    brand: Path | None,
) -> None:
    """Run the intake portal under gunicorn: clients upload workbooks, consultants work at the desk.

    The database is migrated to the newest schema first. Serve HTTPS with --certfile and
    --keyfile, or behind an HTTPS reverse proxy (--trusted-proxies 1). Plain HTTP is served
    on a loopback address only, unless --allow-plain-http says otherwise.

    \b
    Examples:
      crossover serve --data ./crossover-data
      crossover serve --host 0.0.0.0 --port 8443 --certfile cert.pem --keyfile key.pem
    """
    from crossover.web.gunicorn_log import RedactingLogger

    if (certfile is None) != (keyfile is None):
        raise click.UsageError("--certfile and --keyfile go together: give both, or neither")
    plain = certfile is None and trusted_proxies == 0
    if plain and not is_loopback(host) and not allow_plain_http:
        raise click.UsageError(
            f"not serving plain HTTP on {host}: passwords, session cookies and clients' "
            "private links would cross the network unencrypted. Give --certfile and "
            "--keyfile, put an HTTPS reverse proxy in front (--trusted-proxies 1), or add "
            "--allow-plain-http on a network you trust"
        )
    settings: dict[str, Any] = {"TRUSTED_PROXIES": trusted_proxies}
    if brand is not None:
        settings["BRAND"] = str(brand)
    if plain:
        # Browsers keep a Secure cookie only from HTTPS (and from localhost): over plain HTTP
        # from another machine, sign-in would fail with the session cookie dropped.
        settings |= {"SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False}
    os.umask(0o027)  # what the portal writes (reports, journals) is not for other accounts
    app = _app(data_dir, database_url, **settings)
    upgrade_database(app)
    with app.app_context():
        from crossover.web.models import db

        db.engine.dispose()  # each web process opens its own connections after the fork
    environment = dict(os.environ, **({BRAND_ENV: str(brand)} if brand else {}))
    command = [sys.executable, "-m", "crossover", "worker", "--data", str(data_dir)]
    if database_url:
        command += ["--database-url", database_url]
    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "gthread",
        "logger_class": RedactingLogger,
        "accesslog": "-",
        "umask": 0o027,
        # A validation may wait its turn and then read for VALIDATION_TIMEOUT_S: the web
        # process answering it is not hung.
        "timeout": 120,
        "graceful_timeout": 10,
        # gunicorn's own X-Forwarded-Proto trust (127.0.0.1 by default) is off: only
        # --trusted-proxies decides whether those headers are believed.
        "forwarded_allow_ips": "",
    }
    if certfile is not None and keyfile is not None:
        options |= {"certfile": str(certfile), "keyfile": str(keyfile)}
    scheme = "http" if certfile is None else "https"
    click.echo(f"crossover portal on {scheme}://{host}:{port}/ (data in {data_dir.resolve()})")
    children = [subprocess.Popen(command, env=environment) for _ in range(report_workers)]
    # SIGTERM (a service manager, a test) unwinds like Ctrl-C, so the workers are stopped too.
    unwind_on_sigterm()
    try:
        gunicorn(lambda: _app(data_dir, database_url, **settings), options).run()
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(10)


def is_loopback(host: str) -> bool:
    """Whether `host` is reached from this machine only (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def gunicorn(make_app: Callable[[], Any], options: dict[str, Any]) -> Any:
    """Gunicorn run from Python with these settings; each web process builds its own app."""
    from gunicorn.app.base import BaseApplication

    class Portal(BaseApplication):
        def load_config(self) -> None:
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            from crossover.web.validation import start_forkserver

            app = make_app()
            start_forkserver()
            return app

    return Portal()


@click.command()
@DATA_OPTION
@DATABASE_OPTION
def worker(data_dir: Path, database_url: str | None) -> None:
    """Render queued reports: take each from the queue and render it in a killable warm child.

    Run one or more beside the web servers. On several machines, name one Redis server for
    the queue in CROSSOVER_QUEUE_URL (the default queue is a file in the data folder).

    \b
    Example:
      crossover worker --data ./crossover-data
    """
    from crossover.web.jobs import run_worker

    os.umask(0o027)  # reports are the portal's account's and its group's, not everyone's
    # SIGTERM unwinds the worker, which stops a render in progress (its job's lease then
    # passes and another worker takes it) instead of leaving the render child orphaned.
    unwind_on_sigterm()
    run_worker(_app(data_dir, database_url))


@click.group()
def users() -> None:
    """Consultant accounts for the portal's desk.

    \b
    Example:
      crossover users add me@firm.example --data ./crossover-data
    """


@users.command("add")
@click.argument("email")
@DATA_OPTION
@DATABASE_OPTION
def add_user(email: str, data_dir: Path, database_url: str | None) -> None:
    """Create a consultant account (the password is prompted, or read from standard input).

    An account removed earlier is restored with the new password.

    \b
    Example:
      crossover users add me@firm.example --data ./crossover-data
    """
    from werkzeug.security import generate_password_hash

    from crossover.errors import InputError
    from crossover.web.models import User, audit, db

    email = email.strip().lower()
    if "@" not in email:
        raise InputError(f"{email}: not an email address")
    password = _new_password()
    with _database(data_dir, database_url):
        user = _user(email)
        if user is not None and user.removed_at is None:
            raise InputError(
                f"{email}: an account with this email already exists "
                "(`crossover users reset-password` sets a new password)"
            )
        if user is None:
            db.session.add(User(email=email, password_hash=generate_password_hash(password)))
        else:
            user.password_hash = generate_password_hash(password)
            user.removed_at = None
            user.end_sessions()
        audit("command line", "user_added", email=email, restored=user is not None)
        db.session.commit()
    click.echo(f"Consultant {email} added")


@users.command("list")
@DATA_OPTION
@DATABASE_OPTION
def list_users(data_dir: Path, database_url: str | None) -> None:
    """List the consultant accounts: email, when added, and whether removed.

    \b
    Example:
      crossover users list --data ./crossover-data
    """
    from sqlalchemy import select

    from crossover.web.models import User, db

    with _database(data_dir, database_url):
        accounts = db.session.scalars(select(User).order_by(User.email)).all()
        if not accounts:
            click.echo("No consultant accounts yet: add one with `crossover users add EMAIL`")
            return
        for user in accounts:
            state = f"removed {user.removed_at:%Y-%m-%d %H:%M} UTC" if user.removed_at else "active"
            click.echo(f"{user.email}  added {user.created_at:%Y-%m-%d %H:%M} UTC  {state}")


@users.command("remove")
@click.argument("email")
@DATA_OPTION
@DATABASE_OPTION
def remove_user(email: str, data_dir: Path, database_url: str | None) -> None:
    """Remove a consultant account: it cannot sign in, and its open sessions end at once.

    Its name stays on the clients it invited and in the audit log.

    \b
    Example:
      crossover users remove former@firm.example --data ./crossover-data
    """
    from crossover.web.models import audit, db, utcnow

    email = email.strip().lower()
    with _database(data_dir, database_url):
        user = _existing(email)
        user.removed_at = utcnow()
        user.end_sessions()
        audit("command line", "user_removed", email=email)
        db.session.commit()
    click.echo(f"Consultant {email} removed; any session it had open has ended")


@users.command("reset-password")
@click.argument("email")
@DATA_OPTION
@DATABASE_OPTION
def reset_password(email: str, data_dir: Path, database_url: str | None) -> None:
    """Set a new password (prompted, or read from standard input); every open session ends.

    \b
    Example:
      crossover users reset-password me@firm.example --data ./crossover-data
    """
    from werkzeug.security import generate_password_hash

    from crossover.web.models import audit, db

    email = email.strip().lower()
    password = _new_password()
    with _database(data_dir, database_url):
        user = _existing(email)
        user.password_hash = generate_password_hash(password)
        user.end_sessions()
        audit("command line", "password_reset", email=email)
        db.session.commit()
    click.echo(f"New password set for {email}; every session it had open has ended")


def _new_password() -> str:
    """A password from the prompt (typed twice) or standard input's first line, checked."""
    from crossover.errors import InputError

    if sys.stdin.isatty():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if len(password) < 12:
        raise InputError("the password is too short: use at least 12 characters")
    return password


def _user(email: str) -> Any:
    from sqlalchemy import select

    from crossover.web.models import User, db

    return db.session.scalars(select(User).where(User.email == email)).first()


def _existing(email: str) -> Any:
    """The active account with this email; InputError saying what to do if there is none."""
    from crossover.errors import InputError

    user = _user(email)
    if user is None or user.removed_at is not None:
        state = "was removed" if user is not None else "has no account"
        raise InputError(
            f"{email}: {state} (`crossover users list` shows the accounts; "
            "`crossover users add` adds one)"
        )
    return user


COMMANDS = (serve, worker, users)
