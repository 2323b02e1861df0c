"""Time the browser import of a 5,000-row CSV (a Jira export), through HTTP as a browser sends
it: upload → preview → confirm → written, then the same file again (which must be all
"unchanged"), and the undo.

    python -m bench.browser_import               # 5,000 rows
    python -m bench.browser_import --rows 10000

What it does, in order, and always stopping what it started:
1. sets up the bench database as bench.run does (bench.seed), and in the bench workspace a new
   product of its own, "Import Bench <time>", made by the bench user;
2. writes the CSV before the clock starts: Jira's columns ("Issue key", "Summary",
   "Description", "Status", two "Fix Version/s", "Assignee", "Due Date", "Created", two
   "Labels", "Custom field (Story Points)", "Issue Type") over 25 fix versions, with one row in
   a hundred messy (a placeholder version "0.0", a month-only due date, an unknown status, a
   duplicate key), which the preview must refuse;
3. starts gunicorn (bench.run.Server, 2 sync workers, production settings) and one Celery
   worker (solo pool) on the bench Redis, as docker-compose runs them;
4. signs in through the sign-in form and, as the browser does: GETs the import page, POSTs the
   file (multipart, with the CSRF token) and GETs the preview it redirects to (**preview**:
   from sending the file to the last byte of the preview page); POSTs the confirmation and
   polls the progress fragment every 0.25 s, as htmx does, until it asks for a refresh, then
   GETs the result (**write**: from the confirmation to the result page); uploads the same file
   again (**re-import preview**, which must show every row unchanged); and undoes the import
   (**undo**: from the POST to the end of the background undo, polled as the page does);
5. checks what was written (features and releases of the product, before and after the undo);
6. prints a table and writes the numbers to bench/results/browser-import-<time>.json; the
   product is deleted at the end, so runs do not pile up."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import run, seed

VERSIONS = 25
POLL_SECONDS = 0.25
WRITE_TIMEOUT = 900


def make_product():
    from strategy import services
    from strategy.models import User, Workspace

    user = User.objects.get(email=seed.BENCH_EMAIL)
    workspace = Workspace.objects.get(slug=seed.WORKSPACE_SLUG)
    stamp = datetime.now(tz=UTC).strftime("%H%M%S")
    key = f"IB{stamp[-4:]}"
    return services.product_create(actor=user, workspace=workspace, name=f"Import Bench {stamp}", key=key)


def jira_csv(product, rows: int) -> tuple[bytes, int]:
    """The file, and how many of its rows are messy."""
    from strategy.models import Membership

    emails = list(Membership.objects.filter(workspace_id=product.workspace_id).values_list("user__email", flat=True))
    statuses = list(product.workspace.workflow_statuses.filter(retired_at__isnull=True).values_list("name", flat=True))
    start = date.today() - timedelta(days=120)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Issue Type", "Issue key", "Summary", "Description", "Status", "Fix Version/s", "Fix Version/s",
                     "Assignee", "Due Date", "Created", "Labels", "Labels", "Custom field (Story Points)"])
    messy = 0
    for n in range(1, rows + 1):
        version = f"{product.key} {n % VERSIONS + 1}.0"
        due = start + timedelta(days=(n % VERSIONS) * 14 + n % 10)
        row = ["Story", f"{product.key}J-{n}", f"Imported story {n}", f"From Jira: story {n}.\nSecond line.",
               statuses[n % len(statuses)], version, "", emails[n % len(emails)], due.strftime("%d/%b/%y 5:00 PM"),
               "01/Jan/25 9:00 AM", f"team-{n % 4}", "imported", str(1 + n % 8)]
        if n % 100 == 0:
            messy += 1
            kind = n // 100 % 4
            if kind == 0:
                row[5] = "0.0"
            elif kind == 1:
                row[8] = due.strftime("%Y-%m")
            elif kind == 2:
                row[4] = "Waiting for QA"
            else:
                row[1] = f"{product.key}J-{n - 1}"
        writer.writerow(row)
    return out.getvalue().encode(), messy


def multipart(fields: dict[str, str], name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "----waymark-bench-" + secrets.token_hex(8)
    parts = []
    for key, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                 "Content-Type: text/csv\r\n\r\n".encode() + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def csrf_of(body: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if match is None:
        raise RuntimeError("No CSRF token on the page.")
    return match.group(1).decode()


def counts_of(page: bytes) -> dict[str, int]:
    """The figures of the preview or result page: Created, Updated, Unchanged, Refused, New releases."""
    found = re.findall(rb"<dt>([A-Za-z ]+)</dt><dd>(\d+)</dd>", page)
    return {label.decode().lower(): int(value) for label, value in found}


class Worker:
    """One Celery worker (solo pool) on the bench settings, in a session of its own."""

    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "celery", "-A", "roadmap", "worker", "--pool", "solo", "--loglevel",
                   "WARNING", "--without-heartbeat", "--without-gossip", "--without-mingle"]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=run.ROOT, env=os.environ.copy(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, 15)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, 9)
            self.process.wait(timeout=10)


def timed_import(base: str, opener, path: str, content: bytes) -> dict:
    """Upload and preview; returns the seconds and the preview's figures and address."""
    status, body, _ = run.fetch(opener, base + path)
    if status != 200:
        raise RuntimeError(f"The import page answered {status}.")
    data, content_type = multipart({"csrfmiddlewaretoken": csrf_of(body)}, "jira-export.csv", content)
    began = time.perf_counter()
    status, _body, headers = run.fetch(opener, base + path, data=data, headers={"Content-Type": content_type})
    if status != 302:
        raise RuntimeError(f"The upload answered {status}: {_body[:300]!r}")
    location = headers["Location"]
    status, page, _ = run.fetch(opener, base + location)
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "counts": counts_of(page), "url": location, "page": page,
            "page_kb": round(len(page) / 1024)}


def timed_write(base: str, opener, preview: dict) -> dict:
    url = preview["url"]
    began = time.perf_counter()
    status, _body, headers = run.fetch(opener, base + url + "confirm/",
                                       data=f"csrfmiddlewaretoken={csrf_of(preview['page'])}".encode())
    if status != 302:
        raise RuntimeError(f"The confirmation answered {status}.")
    polls, progress = 0, []
    while time.perf_counter() - began < WRITE_TIMEOUT:
        status, fragment, headers = run.fetch(opener, base + url + "progress/", htmx=True)
        polls += 1
        written = re.search(rb"<strong>(\d+)</strong> of (\d+)", fragment)
        if written:
            progress.append((round(time.perf_counter() - began, 2), int(written.group(1))))
        if headers.get("HX-Refresh") == "true":
            break
        time.sleep(POLL_SECONDS)
    else:
        raise RuntimeError(f"The import was not written within {WRITE_TIMEOUT} s.")
    status, page, _ = run.fetch(opener, base + url)
    seconds = time.perf_counter() - began
    return {"seconds": round(seconds, 2), "polls": polls, "progress": progress, "counts": counts_of(page),
            "page": page}


def timed_undo(base: str, opener, url: str, result_page: bytes) -> dict:
    """POST the undo, then (a large import is undone in the background) poll until it is over."""
    began = time.perf_counter()
    status, _body, _ = run.fetch(opener, base + url + "undo/",
                                 data=f"csrfmiddlewaretoken={csrf_of(result_page)}".encode())
    if status != 302:
        raise RuntimeError(f"The undo answered {status}.")
    polls = 0
    while time.perf_counter() - began < WRITE_TIMEOUT:
        _status, _fragment, headers = run.fetch(opener, base + url + "progress/", htmx=True)
        polls += 1
        if headers.get("HX-Refresh") == "true":
            break
        time.sleep(POLL_SECONDS)
    else:
        raise RuntimeError(f"The import was not undone within {WRITE_TIMEOUT} s.")
    return {"seconds": round(time.perf_counter() - began, 2), "polls": polls}


def delete_product(product) -> None:
    from django.db import transaction

    from releases.models import Feature, Import, Release

    with transaction.atomic():
        for queryset in (Feature.history.filter(product_id=product.pk), Release.history.filter(product_id=product.pk),
                         Feature.objects.filter(product=product), Release.objects.filter(product=product),
                         Import.objects.filter(product=product)):
            queryset._raw_delete(queryset.db)
        product.delete()


def stored(product) -> dict:
    from releases.models import Feature, Release

    return {"features": Feature.objects.filter(product=product).count(),
            "releases": Release.objects.filter(product=product).count()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.browser_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5_000, help="rows of the CSV (default 5,000)")
    parser.add_argument("--keep", action="store_true", help="keep the product and what was imported")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="waymark-bench-browser-import-"))
    os.environ["BENCH_STATIC_ROOT"] = str(scratch / "static")
    port = run.free_port()
    server = run.Server(port=port, workers=run.WORKERS, log_path=scratch / "gunicorn.log")
    worker = Worker(scratch / "celery.log")
    started_at = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results: dict = {"rows": args.rows}
    product = None
    try:
        seed.setup(site_url=f"http://127.0.0.1:{port}")
        from django.conf import settings
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        product = make_product()
        content, messy = jira_csv(product, args.rows)
        results.update({"messy_rows": messy, "file_kb": round(len(content) / 1024),
                        "background_rows": settings.IMPORT_BACKGROUND_ROWS})
        load_before = os.getloadavg()
        try:
            server.start()
            worker.start()
            base = server.base_url
            opener = run.sign_in(base, seed.BENCH_EMAIL, seed.BENCH_PASSWORD)
            path = f"/w/{seed.WORKSPACE_SLUG}/products/{product.key}/imports/"
            print(f"browser import bench: {args.rows:,} rows ({results['file_kb']} KB), preview…", flush=True)
            preview = timed_import(base, opener, path, content)
            print("browser import bench: confirm and wait for the write…", flush=True)
            write = timed_write(base, opener, preview)
            results["after_import"] = stored(product)
            print("browser import bench: the same file again…", flush=True)
            again = timed_import(base, opener, path, content)
            print("browser import bench: undo…", flush=True)
            results["undo"] = timed_undo(base, opener, preview["url"], write["page"])
            results["after_undo"] = stored(product)
        finally:
            worker.stop()
            server.stop()
        for name, part in (("preview", preview), ("write", write), ("reimport_preview", again)):
            results[name] = {key: value for key, value in part.items() if key not in ("page", "url")}
        results["load_average_before"] = [round(x, 2) for x in load_before]
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    except RuntimeError as exc:
        print(f"bench.browser_import: {exc}\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.browser_import: interrupted; gunicorn and the worker are stopped.", file=sys.stderr)
        return 130
    finally:
        if product is not None and not args.keep:
            delete_product(product)
        shutil.rmtree(scratch, ignore_errors=True)

    p, w, a = results["preview"], results["write"], results["reimport_preview"]
    rows = [
        ("preview", f"{p['seconds']} s", f"{p['counts']} ({p['page_kb']} KB page)"),
        ("write", f"{w['seconds']} s", f"{w['counts']}, {w['polls']} progress polls"),
        ("re-import preview", f"{a['seconds']} s", f"{a['counts']}"),
        ("undo", f"{results['undo']['seconds']} s", f"{results['after_import']} → {results['after_undo']}"),
        ("load average", "", f"{results['load_average_before']} → {results['load_average_after']}"),
    ]
    for row in rows:
        print(f"{row[0]:<18}{row[1]:<10}{row[2]}")
    run.RESULTS.mkdir(exist_ok=True)
    path = run.RESULTS / f"browser-import-{started_at.replace(':', '')}.json"
    path.write_text(json.dumps({"started_at": started_at, "cpus": os.cpu_count(),
                                "git": run._git("rev-parse", "HEAD"), **results}, indent=2, default=str))
    print(f"\nWrote {path.relative_to(run.ROOT)}.")
    expected = args.rows - messy
    ok = (p["counts"].get("refused") == messy and w["counts"].get("created") == expected
          and a["counts"].get("unchanged") == expected and results["after_undo"]["features"] == 0)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
