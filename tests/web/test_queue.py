"""The report queue on both of its backends (a SQLite file in the data folder, and Redis): a worker
killed mid-job, a job given up after its attempts, messages lost or sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from crossover.web.jobs import MAX_ATTEMPTS, dispatch, job_queue, run_worker
from crossover.web.models import Job, User, db, utcnow

from .conftest import CONSULTANT, EXAMPLE, PASSWORD, invite, make_app, redis_server, upload

pytestmark = pytest.mark.filterwarnings(
    "ignore:Exception ignored in.*BaseConnection.__del__:pytest.PytestUnraisableExceptionWarning"
)
sqlite_only = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
"""The database is not what these tests are about (test_portal.py runs jobs on both)."""


@pytest.fixture(params=["sqlite-file", "redis"])
def queue_settings(request: pytest.FixtureRequest) -> dict[str, str | None]:
    """The queue's settings: none (a SQLite file in the data folder), or a Redis server."""
    if request.param == "sqlite-file":
        return {"QUEUE_URL": None, "QUEUE_NAME": "crossover"}
    # A queue name of its own, so that runs sharing one Redis server take nothing of another's.
    return {"QUEUE_URL": redis_server(), "QUEUE_NAME": f"test-{uuid.uuid4().hex[:8]}"}


@pytest.fixture
def portal(
    tmp_path: Path, database_url: str, queue_settings: dict[str, str | None]
) -> Iterator[Flask]:
    app = make_app(tmp_path / "data", database_url, WTF_CSRF_ENABLED=False, **queue_settings)
    with app.app_context():
        db.session.add(User(email=CONSULTANT, password_hash=generate_password_hash(PASSWORD)))
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def signed_in(portal: Flask) -> FlaskClient:
    browser = portal.test_client()
    assert (
        browser.post("/sign-in", data={"email": CONSULTANT, "password": PASSWORD}).status_code
        == 302
    )
    return browser


def _job(app: Flask) -> Job:
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        db.session.expunge(job)
        return job


def _pass_lease(app: Flask, attempts: int | None = None) -> None:
    """Time passes: the running job's lease is over (and it has had `attempts`)."""
    with app.app_context():
        job = db.session.scalars(select(Job)).one()
        job.lease_until = utcnow() - timedelta(minutes=1)
        if attempts is not None:
            job.attempts = attempts
        db.session.commit()


@sqlite_only
def test_a_worker_killed_mid_job_loses_nothing(
    portal: Flask, signed_in: FlaskClient, queue_settings: dict[str, str | None]
) -> None:
    _, token = invite(signed_in)
    upload(portal.test_client(), token, EXAMPLE.read_bytes())
    assert _job(portal).state == "queued"
    env = {
        **os.environ,
        "CROSSOVER_DATABASE_URL": portal.config["SQLALCHEMY_DATABASE_URI"],
        "CROSSOVER_QUEUE_URL": queue_settings["QUEUE_URL"] or "",
        "CROSSOVER_QUEUE_NAME": queue_settings["QUEUE_NAME"] or "",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "crossover", "worker", "--data", portal.config["DATA_DIR"]],
        env=env,
        start_new_session=True,  # its render child is in its group: both are killed together
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while _job(portal).state != "running":
            assert time.monotonic() < deadline and worker.poll() is None, _job(portal).state
            time.sleep(0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait()
    killed = _job(portal)
    assert (killed.state, killed.attempts) == ("running", 1)  # the queue's message is gone
    # Another worker, once the lease has passed, finds it in the table and renders it.
    assert run_worker(portal, once=True) == 0  # the lease still holds: nothing to take
    _pass_lease(portal)
    assert run_worker(portal, once=True) == 1
    done = _job(portal)
    assert (done.state, done.attempts) == ("done", 2)
    assert done.outputs is not None and any(name.endswith(".pdf") for name in done.outputs)


@sqlite_only
def test_a_job_whose_workers_die_on_every_attempt_is_given_up(
    portal: Flask, signed_in: FlaskClient
) -> None:
    _, token = invite(signed_in)
    upload(portal.test_client(), token, EXAMPLE.read_bytes())
    with portal.app_context():
        job = db.session.scalars(select(Job)).one()
        job.state, job.attempts, job.worker = "running", MAX_ATTEMPTS, "gone:1"
        db.session.commit()
    _pass_lease(portal)
    assert run_worker(portal, once=True) == 0
    given_up = _job(portal)
    assert (given_up.state, given_up.error) == ("failed", "its worker stopped on every attempt")
    page = signed_in.get(f"/desk/versions/{given_up.upload_id}").text
    assert "The report failed: its worker stopped on every attempt" in page


@sqlite_only
def test_a_lost_message_is_sent_again_and_a_duplicate_renders_once(
    portal: Flask, signed_in: FlaskClient
) -> None:
    _, token = invite(signed_in)
    upload(portal.test_client(), token, EXAMPLE.read_bytes())
    with portal.app_context():
        queue = job_queue(portal)
        assert queue.queue_size() == 1
        queue.flush_queue()  # the message is lost (a Redis restart without persistence)
        job = db.session.scalars(select(Job)).one()
        job.dispatched_at = utcnow() - timedelta(hours=1)
        db.session.commit()
        job_id = job.id
    # The sweep sends it again, and it is rendered.
    assert run_worker(portal, once=True) == 1
    assert _job(portal).state == "done"
    # Sent twice (two sweeps at once, a desk double-click): the claim lets one through.
    with portal.app_context():
        reloaded = db.session.get(Job, job_id)
        assert reloaded is not None
        reloaded.state, reloaded.attempts = "queued", 0
        db.session.commit()
        dispatch(portal, job_id)
        dispatch(portal, job_id)
        assert job_queue(portal).queue_size() == 2
    assert run_worker(portal, once=True) == 1
    assert run_worker(portal, once=True) == 0
    with portal.app_context():
        assert job_queue(portal).queue_size() == 0
    assert _job(portal).attempts == 1


def test_a_queue_url_that_is_not_redis_is_refused_with_the_setting(tmp_path: Path) -> None:
    from crossover.errors import InputError
    from crossover.web.config import load_config

    with pytest.raises(InputError) as refused:
        load_config(tmp_path, environ={"CROSSOVER_QUEUE_URL": "amqp://rabbit.internal"})
    assert str(refused.value) == (
        "CROSSOVER_QUEUE_URL: expected a Redis URL (redis://host:6379/0), found "
        "'amqp://rabbit.internal'; leave it unset for the queue in the data folder"
    )


def test_the_rate_limits_count_in_the_queues_redis_unless_told_otherwise(tmp_path: Path) -> None:
    from crossover.web.config import load_config

    def store(**environ: str) -> str:
        return str(load_config(tmp_path, environ=environ)["RATELIMIT_STORAGE_URI"])

    assert store() == "memory://"
    assert store(CROSSOVER_QUEUE_URL="redis://queue:6379/0") == "redis://queue:6379/0"
    assert (
        store(
            CROSSOVER_QUEUE_URL="redis://queue:6379/0",
            CROSSOVER_RATELIMIT_STORAGE_URI="memcached://limits:11211",
        )
        == "memcached://limits:11211"
    )
