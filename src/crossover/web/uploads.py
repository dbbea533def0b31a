"""Receiving one file: keep it by its content, validate it in a bounded child, record both."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, request

from crossover.web.jobs import dispatch, enqueue
from crossover.web.models import Client, Upload, audit, db
from crossover.web.storage import store
from crossover.web.validation import validate_upload


def receive(client: Client, data: bytes, filename: str, uploaded_by: str) -> Upload:
    """Store the bytes (before anything can refuse them), validate, record; a sound one gets a report job."""
    uploads = Path(current_app.config["DATA_DIR"]) / "uploads"
    client_id = client.id
    # No transaction stays open while the file is read: other uploads write meanwhile.
    db.session.commit()
    stored = store(uploads, data, filename)
    result = validate_upload(
        uploads / stored.blob,
        timeout_s=float(current_app.config["VALIDATION_TIMEOUT_S"]),
        memory_mb=int(current_app.config["VALIDATION_MEMORY_MB"]),
    )
    upload = Upload(
        client_id=client_id,
        sha256=stored.sha256,
        blob=stored.blob,
        filename=filename[:255],
        size=stored.size,
        uploaded_by=uploaded_by,
        sound=result.sound,
        problems=result.problems,
        warnings=result.warnings,
        figures=result.figures,
        seconds=result.seconds,
        workbook_client=result.client_name[:200] if result.client_name else None,
    )
    db.session.add(upload)
    db.session.flush()
    audit(
        uploaded_by,
        "upload",
        client_id,
        ip=request.remote_addr,
        upload_id=upload.id,
        sha256=stored.sha256,
        sound=result.sound,
        problems=len(result.problems),
        **({"names_client": result.client_name} if upload.names_another_client else {}),
    )
    job = enqueue(upload, uploaded_by) if result.sound else None
    db.session.commit()
    if job is not None:
        dispatch(current_app, job.id)  # once the row is there to claim
    return upload
