"""Report jobs: queued in the database by the desk, taken by workers that poll the table.

A worker loads the renderer once (the batch command's warm state) and renders each job in a
killable child forked from itself (`crossover.delivery.batch.run_batch`), so a hung render
costs one child. A job is claimed with a lease; a worker that dies leaves a running job
whose lease passes, and the next worker to poll takes it again: a restart loses no job.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import or_, select, update

from crossover.web.models import Job, Upload, db, utcnow

POLL_S = 0.5
MAX_ATTEMPTS = 3


def enqueue(upload: Upload, requested_by: str) -> Job:
    """A report job for a sound upload (added to the session; the caller commits)."""
    job = Job(upload_id=upload.id, requested_by=requested_by)
    db.session.add(job)
    return job


def report_dir(app: Flask, upload_id: int) -> Path:
    return Path(app.config["DATA_DIR"]) / "reports" / str(upload_id)


def claim(worker: str, lease_s: float) -> Job | None:
    """Take the oldest queued job, or a running one whose worker's lease has passed."""
    now = utcnow()
    # A job whose workers died on every attempt (it kills them) is given up, not taken again.
    db.session.execute(
        update(Job)
        .where(Job.state == "running", Job.lease_until < now, Job.attempts >= MAX_ATTEMPTS)
        .values(state="failed", finished_at=now, error="its worker stopped on every attempt")
    )
    candidate = db.session.scalars(
        select(Job)
        .where(
            or_(Job.state == "queued", (Job.state == "running") & (Job.lease_until < now)),
            Job.attempts < MAX_ATTEMPTS,
        )
        .order_by(Job.id)
        .limit(1)
    ).first()
    if candidate is None:
        return None
    # Compare-and-set on the state and lease read above: of two workers, one wins.
    taken = db.session.execute(
        update(Job)
        .where(
            Job.id == candidate.id,
            Job.state == candidate.state,
            Job.attempts == candidate.attempts,
        )
        .values(
            state="running",
            worker=worker,
            started_at=now,
            lease_until=now + timedelta(seconds=lease_s),
            attempts=candidate.attempts + 1,
        )
    )
    db.session.commit()
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return None
    db.session.refresh(candidate)
    return candidate


def run_worker(app: Flask, *, once: bool = False, stop_after: float | None = None) -> int:
    """Poll for jobs and render them until stopped; returns how many jobs were finished."""
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
    finished = 0
    started = time.monotonic()
    with app.app_context():
        while stop_after is None or time.monotonic() - started < stop_after:
            job = claim(name, lease_s=timeout_s + 30)
            if job is None:
                db.session.remove()
                if once:
                    return finished
                time.sleep(POLL_S)
                continue
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
