"""Load on the portal over loopback: concurrent uploads to a live `crossover serve`, then the reports.

    python bench/web_load.py                  # 50 concurrent uploads, 2 report workers, 1 web process
    python bench/web_load.py --uploads 10     # a smaller run

Starts `crossover serve` on SQLite in a temporary data folder, invites one client per upload
(through the app, as the desk does), and has every client upload at once: half the example
workbook, half the same with two mistakes. Each upload is a real browser's round trip: the
page (for the session and CSRF token), the multipart POST, the redirect to the validation
page. Checks that none is lost and each has its validation stored, then waits for the
reports of the sound ones. Bounded: gives up after --timeout seconds.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "inputs" / "examples" / "document-intelligence.xlsx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _with_mistakes(target: Path) -> Path:
    from openpyxl import load_workbook

    workbook = load_workbook(EXAMPLE)
    for name, value in (("input_mtok_per_day", "lots"), ("peak_to_average", -2)):
        sheet, cell = next(iter(workbook.defined_names[name].destinations))
        workbook[sheet][cell.replace("$", "")] = value
    workbook.save(target)
    return target


def _invite(data: Path, count: int) -> list[str]:
    """Clients with known links, written as the desk writes them."""
    from crossover.web.app import create_app
    from crossover.web.cli import upgrade_database
    from crossover.web.config import load_config
    from crossover.web.links import new_link
    from crossover.web.models import Client, User, db

    app = create_app(load_config(data))
    upgrade_database(app)
    tokens = []
    with app.app_context():
        user = User(email="bench@firm.example", password_hash="unused")
        db.session.add(user)
        db.session.flush()
        for i in range(count):
            token, hashed, expires = new_link(1)
            db.session.add(
                Client(
                    name=f"Client {i}",
                    email="cfo@example.com",
                    token_hash=hashed,
                    token_expires_at=expires,
                    created_by_id=user.id,
                )
            )
            tokens.append(token)
        db.session.commit()
        db.engine.dispose()
    return tokens


def _upload(base: str, token: str, data: bytes) -> tuple[float, bool]:
    """One client's round trip; seconds from the POST to the validation page, and whether it said sound."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/c/{token}", timeout=300).read().decode()
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert match is not None
    boundary = uuid.uuid4().hex
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            f"{match.group(1)}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="workbook"; filename="w.xlsx"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    request = urllib.request.Request(
        f"{base}/c/{token}/upload",
        data=body,
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    started = time.perf_counter()
    result = opener.open(request, timeout=300).read().decode()
    seconds = time.perf_counter() - started
    assert 'id="result"' in result, result[:500]
    return seconds, "<h2>Received</h2>" in result


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--report-workers", type=int, default=2, help="report workers")
    parser.add_argument("--web-workers", type=int, default=1, help="web server processes")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="start the burst as soon as the server answers (default: one upload first, as on "
        "a server that has been up a while: its validation children start warm)",
    )
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "portal"
        tokens = _invite(data, args.uploads + 1)
        warm_token = tokens.pop()
        sound = EXAMPLE.read_bytes()
        broken = _with_mistakes(Path(folder) / "broken.xlsx").read_bytes()
        port = _free_port()
        log = (Path(folder) / "server.log").open("w")
        env = {**os.environ, "CROSSOVER_DATABASE_URL": ""}
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "crossover",
                "serve",
                "--port",
                str(port),
                "--data",
                str(data),
                "--workers",
                str(args.web_workers),
                "--report-workers",
                str(args.report_workers),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://localhost:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    urllib.request.urlopen(f"{base}/sign-in", timeout=2).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            if not args.cold:
                _upload(base, warm_token, broken)  # refused: it queues no report
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.uploads) as pool:
                futures = [
                    pool.submit(_upload, base, token, sound if i % 2 == 0 else broken)
                    for i, token in enumerate(tokens)
                ]
                outcomes = [f.result(timeout=args.timeout) for f in futures]
            uploads_done = time.perf_counter() - started
            expected_sound = (args.uploads + 1) // 2
            received = sum(ok for _, ok in outcomes)
            assert received == expected_sound, (
                f"{received} of {expected_sound} sound uploads received"
            )
            stored, jobs = _wait_for_reports(
                data, args.uploads + (0 if args.cold else 1), expected_sound, args.timeout
            )
            drained = time.perf_counter() - started
        except Exception:
            print((Path(folder) / "server.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(30)
            log.close()
    times = [s for s, _ in outcomes]
    report_times = [j for j in jobs]
    print(
        json.dumps(
            {
                "uploads": args.uploads,
                "stored_with_validation": stored,
                "report_workers": args.report_workers,
                "cold_start": args.cold,
                "web_workers": args.web_workers,
                "validation_page_p50_s": round(statistics.median(times), 2),
                "validation_page_p95_s": round(_p95(times), 2),
                "validation_page_max_s": round(max(times), 2),
                "all_uploads_answered_s": round(uploads_done, 1),
                "reports": len(report_times),
                "report_queued_to_done_p50_s": round(statistics.median(report_times), 1),
                "report_queued_to_done_p95_s": round(_p95(report_times), 1),
                "all_reports_done_s": round(drained, 1),
            },
            indent=2,
        )
    )


def _wait_for_reports(
    data: Path, uploads: int, reports: int, timeout: float
) -> tuple[int, list[float]]:
    """Every upload's row (with its validation), then the reports' queued-to-done seconds."""
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{data / 'crossover.db'}")
    deadline = time.monotonic() + timeout
    with engine.connect() as connection:
        stored = connection.execute(
            text("SELECT count(*) FROM uploads WHERE problems IS NOT NULL")
        ).scalar_one()
        assert stored == uploads, f"{stored} of {uploads} uploads stored"
        while time.monotonic() < deadline:
            rows = connection.execute(text("SELECT state, created_at, finished_at FROM jobs")).all()
            if len(rows) == reports and all(r.state in ("done", "failed") for r in rows):
                assert all(r.state == "done" for r in rows)
                from datetime import datetime

                def seconds(a: str, b: str) -> float:
                    return (datetime.fromisoformat(b) - datetime.fromisoformat(a)).total_seconds()

                engine.dispose()
                return stored, [seconds(r.created_at, r.finished_at) for r in rows]
            time.sleep(1)
            connection.rollback()
    raise TimeoutError("the reports did not finish in time")


if __name__ == "__main__":
    main()
