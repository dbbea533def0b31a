"""Report jobs: recorded in the database, delivered to workers by a task queue (Huey's).

The `jobs` table is the record: state, attempts, lease, outputs; the pages read it. Huey's
queue storage carries each job's id to a worker: a SQLite file in the data folder by
default (no server), or Redis when `CROSSOVER_QUEUE_URL` names one (several machines).

A worker loads the renderer once (the batch command's warm state) and renders each job in a
killable child forked from itself (`crossover.delivery.batch.run_batch`), so a hung render
costs one child. A job is claimed with a compare-and-set and a lease. Huey hands a message
to one worker and forgets it, so what the queue loses the table keeps: every worker sweeps
the table every few seconds, puts a running job whose lease has passed (its worker died) back
in the queue, gives up on one whose workers died on every attempt (MAX_ATTEMPTS), and sends
again a queued job whose message went missing. A duplicate message is harmless: the claim
fails. A restart loses no job.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update

from crossover.web.config import private_file
from crossover.web.models import Job, Upload, db, utcnow

POLL_S = 0.5
"""How long a worker waits before asking an empty SQLite queue again (Redis blocks instead)."""
SWEEP_S = 5.0
"""How often a worker looks in the table for jobs the queue lost."""
MAX_ATTEMPTS = 3
QUEUE = "crossover.queue"
"""Where an app keeps its queue storage (app.extensions)."""

log = logging.getLogger(__name__)


def enqueue(upload: Upload, requested_by: str) -> Job:
    """A report job for a sound upload (added to the session; the caller commits, then dispatches)."""
    job = Job(upload_id=upload.id, requested_by=requested_by)
    db.session.add(job)
    return job


def report_dir(app: Flask, upload_id: int) -> Path:
    return Path(app.config["DATA_DIR"]) / "reports" / str(upload_id)


def job_queue(app: Flask) -> Any:
    """This app's Huey queue storage: Redis if QUEUE_URL names it, else a SQLite file."""
    storage = app.extensions.get(QUEUE)
    if storage is None:
        from huey import RedisHuey, SqliteHuey

        name = str(app.config["QUEUE_NAME"])
        url = app.config.get("QUEUE_URL")
        if url:
            # Blocking reads: an idle worker waits on Redis for a message instead of polling.
            huey: Any = RedisHuey(name, url=url, results=False, blocking=True, read_timeout=1)
        else:
            path = Path(app.config["DATA_DIR"]) / "queue.db"
            private_file(path)
            huey = SqliteHuey(name, filename=str(path), results=False, strict_fifo=True)
        storage = app.extensions[QUEUE] = huey.storage
    return storage


def dispatch(app: Flask, job_id: int) -> None:
    """Send a committed job's id to the workers; a queue that fails leaves it to the next sweep."""
    try:
        job_queue(app).enqueue(str(job_id).encode())
    except Exception:  # Redis down, a locked file: the job is safe in the table, queued.
        log.warning("job %s: the queue refused it; a worker's sweep will send it", job_id)
        return
    db.session.execute(update(Job).where(Job.id == job_id).values(dispatched_at=utcnow()))
    db.session.commit()


def sweep(app: Flask, lease_s: float) -> int:
    """Put back in the queue what it lost (see the module's notes); how many jobs were sent."""
    now = utcnow()
    # A job whose workers died on every attempt (it kills them) is given up, not taken again.
    db.session.execute(
        update(Job)
        .where(Job.state == "running", Job.lease_until < now, Job.attempts >= MAX_ATTEMPTS)
        .values(state="failed", finished_at=now, error="its worker stopped on every attempt")
    )
    db.session.execute(
        update(Job)
        .where(Job.state == "running", Job.lease_until < now, Job.attempts < MAX_ATTEMPTS)
        .values(state="queued", worker=None, lease_until=None, dispatched_at=None)
    )
    db.session.commit()
    due = db.session.execute(
        select(Job.id, Job.dispatched_at)
        .where(
            Job.state == "queued",
            or_(Job.dispatched_at.is_(None), Job.dispatched_at < now - timedelta(seconds=lease_s)),
        )
        .order_by(Job.id)
    ).all()
    sent = 0
    for job_id, dispatched_at in due:
        # Of two workers sweeping at once, the one whose compare-and-set wins sends it.
        mine = db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == "queued", _same(Job.dispatched_at, dispatched_at))
            .values(dispatched_at=now)
        )
        db.session.commit()
        if mine.rowcount == 1:  # type: ignore[attr-defined]
            job_queue(app).enqueue(str(job_id).encode())
            sent += 1
    return sent


def _same(column: Any, value: Any) -> Any:
    return column.is_(None) if value is None else column == value


def claim(job_id: int, worker: str, lease_s: float) -> Job | None:
    """Take this queued job for `worker`; None if another took it (or it is done, or gone)."""
    now = utcnow()
    taken = db.session.execute(
        update(Job)
        .where(Job.id == job_id, Job.state == "queued", Job.attempts < MAX_ATTEMPTS)
        .values(
            state="running",
            worker=worker,
            started_at=now,
            lease_until=now + timedelta(seconds=lease_s),
            attempts=Job.attempts + 1,
        )
    )
    db.session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return db.session.get(Job, job_id)


def run_worker(app: Flask, *, once: bool = False, stop_after: float | None = None) -> int:
    """Take jobs from the queue and render them until stopped; returns how many were finished.

    `once`: finish at most one job, and return as soon as the queue is empty.
    """
    from crossover.delivery.batch import BatchOptions, prepare_workers, run_batch

    timeout_s = float(app.config["REPORT_TIMEOUT_S"])
    brand = Path(app.config["BRAND"]) if app.config.get("BRAND") else None
    options = BatchOptions(
        Path(app.config["DATA_DIR"]),
        frozenset({"pdf", "html"}),
        brand=brand,
        jobs=1,
        timeout_s=timeout_s,
    )
    state = prepare_workers(options)
    name = f"{socket.gethostname()}:{os.getpid()}"
    uploads = Path(app.config["DATA_DIR"]) / "uploads"
    lease_s = float(app.config.get("JOB_LEASE_S") or timeout_s + 30)
    queue = job_queue(app)
    finished = 0
    started = time.monotonic()
    swept = float("-inf")
    with app.app_context():
        while stop_after is None or time.monotonic() - started < stop_after:
            if time.monotonic() - swept >= SWEEP_S:
                sweep(app, lease_s)
                swept = time.monotonic()
            message = queue.dequeue()
            if message is None:
                db.session.remove()
                if once:
                    return finished
                if not app.config.get("QUEUE_URL"):
                    time.sleep(POLL_S)
                continue
            job = claim(_job_id(message), name, lease_s) if _job_id(message) else None
            if job is None:
                continue  # a duplicate, or another worker's
            upload = db.session.get(Upload, job.upload_id)
            assert upload is not None
            out_dir = report_dir(app, upload.id)
            out_dir.parent.mkdir(mode=0o750, exist_ok=True)
            out_dir.mkdir(mode=0o750, exist_ok=True)
            job_options = BatchOptions(
                out_dir, options.formats, brand=brand, jobs=1, timeout_s=timeout_s
            )
            [outcome] = run_batch([uploads / upload.blob], job_options, state=state)
            job.finished_at = utcnow()
            job.lease_until = None
            if outcome.ok:
                job.state = "done"
                job.outputs = list(outcome.outputs)
            else:
                job.state = "failed"
                job.error = outcome.error
            db.session.commit()
            finished += 1
            if once:
                return finished
    return finished


def _job_id(message: bytes | str) -> int:
    """The job id a message carries; 0 for a message that is not one of ours."""
    text = message.decode() if isinstance(message, bytes) else message
    return int(text) if text.isdigit() else 0
