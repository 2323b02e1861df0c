"""Time Waymark's pages as they are served, against the bench workspace.

    python -m bench.run                  # what `make bench` runs
    python -m bench.run --fresh          # reseed the bench database first
    python -m bench.run --only backlog   # just the pages whose name contains "backlog"

What it does, in order, and always stopping what it started:
1. seeds the bench database if needed (bench.seed) and collects static files into a
   throwaway folder;
2. starts gunicorn on a free port of 127.0.0.1 with 2 workers, serving roadmap.wsgi with the
   production settings (DEBUG=False, whitenoise's compressed manifest storage, a generated
   secret key; see bench.configure);
3. signs in as the bench user the way a browser does (GET the sign-in form, POST it with its
   CSRF token, keep the session cookie);
4. requests every page of PAGES in turn, sequentially: warm-ups first (not timed), then the
   timed requests; the time of a request is its wall time seen by the client on loopback,
   from sending the request to reading the last byte of the response;
5. counts each page's queries in-process, once per page after a warm-up, with Django's test
   Client and CaptureQueriesContext against the same database;
6. prints a table and writes the numbers, every sample included, to bench/results/<UTC time>.json.

Adding a page is one line in PAGES. Its path may name {ws} (the bench workspace), {product} and
{line} (the key of the largest product and of its line), {release} (the id of the largest product's
release with the most features), {current_release} (its in-progress release with the most features)
and {feature} (the number of the largest product's feature with the most dependencies), and {since}
(30 days before the run, for "what changed since")."""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, OpenerDirector, Request, build_opener

from bench import floor, seed

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
WORKERS = 2
WARMUPS = 5
REQUESTS = 30
REQUEST_TIMEOUT = 60  # seconds; a page slower than this is reported as failed
START_TIMEOUT = 60  # seconds for gunicorn to answer its first request
STOP_TIMEOUT = 10  # seconds for gunicorn to stop on SIGTERM before it is killed
BASELINE = "login"


@dataclass(frozen=True)
class Page:
    """A page to time. Its p95 is held to `floor_ratio` × the floor's p50 when it has one, else
    to `target_ms`; `max_queries` (if any) applies to its query count. `browser`: also time it
    in Chromium (first paint, interactive)."""

    name: str
    path: str
    target_ms: float = 150
    max_queries: int | None = None
    anonymous: bool = False
    statuses: tuple[int, ...] = (200,)
    floor_ratio: float | None = None
    browser: bool = False
    htmx: bool = False  # asked as htmx asks (HX-Request), for the partial a page answers then


PAGES = [
    # Baselines: the sign-in form is a plain template render; /healthz pings PostgreSQL and
    # Redis and reads the worker heartbeat (no worker runs here, so it answers 503).
    Page("login", "/accounts/login/", anonymous=True),
    Page("healthz", "/healthz", anonymous=True, statuses=(200, 503)),
    Page("portfolio", "/w/{ws}/"),
    Page("backlog", "/w/{ws}/products/{product}/backlog/", floor_ratio=3, browser=True),
    Page("board", "/w/{ws}/products/{product}/board/", floor_ratio=3, browser=True),
    Page("release list", "/w/{ws}/products/{product}/releases/", floor_ratio=3),
    Page("release (largest)", "/w/{ws}/products/{product}/releases/{release}/", floor_ratio=3),
    Page("release (in progress)", "/w/{ws}/products/{product}/releases/{current_release}/", floor_ratio=3),
    Page("feature", "/w/{ws}/products/{product}/features/{feature}/", floor_ratio=3),
    Page("product delivery", "/w/{ws}/products/{product}/delivery/"),
    Page("value/effort", "/w/{ws}/products/{product}/value-effort/"),
    Page("goals", "/w/{ws}/goals/"),
    Page("strategy overview", "/w/{ws}/products/{product}/strategy/"),
    Page("product timeline", "/w/{ws}/products/{product}/roadmap/", max_queries=10, floor_ratio=4, browser=True),
    Page("portfolio timeline", "/w/{ws}/products/{line}/roadmap/portfolio/", floor_ratio=6),
    # The line's own roadmap tab: the portfolio timeline with every feature of its products.
    Page("line timeline (features)", "/w/{ws}/products/{line}/roadmap/", floor_ratio=6),
    Page("now/next/later", "/w/{ws}/products/{product}/roadmap/now-next-later/", max_queries=10, floor_ratio=4),
    Page("release timeline", "/w/{ws}/products/{product}/roadmap/releases/"),
    Page("shared timeline", "/s/{share_token}/", anonymous=True, max_queries=10, floor_ratio=4),
    # Feedback (bench/seed_feedback.py: 5,000 ideas, 50,000 votes, 10,000 notes, 500 customers).
    Page("ideas by demand", "/w/{ws}/products/{product}/ideas/?sort=demand"),
    Page("ideas full-text search", "/w/{ws}/products/{product}/ideas/?q=export+report"),
    Page("feedback inbox", "/w/{ws}/products/{product}/feedback/inbox/"),
    # "What changed since" a month ago: the same pages plus one flat set of history queries.
    Page("timeline: what changed", "/w/{ws}/products/{product}/roadmap/?since={since}", target_ms=250,
         max_queries=15),
    Page("shared: what changed", "/s/{share_token}/?since={since}", anonymous=True, target_ms=250, max_queries=15),
    Page("release timeline: what changed", "/w/{ws}/products/{product}/roadmap/releases/?since={since}"),
    # The public ideas portal of the largest product, as a visitor without an account sees it.
    Page("portal top ideas", "/portal/{ws}/{product}/?sort=top", anonymous=True, max_queries=8),
    Page("portal trending ideas", "/portal/{ws}/{product}/", anonymous=True, max_queries=8),
    # The product overview (its facts through the registries) and a product line's roll-ups.
    Page("product overview", "/w/{ws}/products/{product}/"),
    Page("line overview", "/w/{ws}/products/{line}/"),
    Page("line backlog", "/w/{ws}/products/{line}/backlog/"),
    Page("line releases", "/w/{ws}/products/{line}/releases/?status=all"),
    Page("dashboard", "/w/{ws}/dashboard/"),
    # The workspace search over 20,000 features (and 5,000 ideas, 600 releases…): a common word,
    # two words, a prefix as the top bar's dropdown asks while typing, and an exact feature key
    # (which redirects to the feature).
    Page("search: a word", "/w/{ws}/search/?q=checkout", target_ms=100, max_queries=16),
    Page("search: two words", "/w/{ws}/search/?q=export+invoices", target_ms=100, max_queries=16),
    Page("search: dropdown", "/w/{ws}/search/?q=subscr", target_ms=100, max_queries=16, htmx=True),
    Page("search: feature key", "/w/{ws}/search/?q={product}-{feature}", target_ms=100, statuses=(302,)),
    Page("search API", "/api/v1/w/{ws}/search/?q=refunds+mobile", target_ms=100),
]


@dataclass
class Result:
    name: str
    path: str
    target_ms: float
    max_queries: int | None
    floor_ratio: float | None = None
    status: int | None = None
    bytes: int | None = None
    gzip_bytes: int | None = None  # the body as sent to a client that accepts gzip (None: not compressed)
    samples_ms: list[float] = field(default_factory=list)
    p50_ms: float | None = None
    p95_ms: float | None = None
    mean_ms: float | None = None
    ratio: float | None = None
    x_floor: float | None = None  # p95 ÷ the floor's p50, timed in the same run
    queries: int | None = None
    browser: dict | None = None
    error: str | None = None

    @property
    def over(self) -> list[str]:
        """What misses its target: "floor" (its ratio to the floor), "time", "queries"."""
        found = []
        if self.name == "floor":
            return found
        if self.floor_ratio is not None:
            if self.x_floor is not None and self.x_floor > self.floor_ratio:
                found.append("floor")
        elif self.p95_ms is not None and self.p95_ms > self.target_ms:
            found.append("time")
        if self.max_queries is not None and self.queries is not None and self.queries > self.max_queries:
            found.append("queries")
        return found


def percentile(samples: list[float], share: float) -> float:
    """The nearest-rank percentile: the smallest sample with at least `share` of them at or below it."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


# --- the server -------------------------------------------------------------------------------


class _NoRedirects(HTTPRedirectHandler):
    """Report redirects as they are: a page that sends us to the sign-in form has failed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _opener(jar: CookieJar | None = None) -> OpenerDirector:
    handlers = [_NoRedirects()]
    if jar is not None:
        handlers.append(HTTPCookieProcessor(jar))
    return build_opener(*handlers)


def fetch(opener: OpenerDirector, url: str, data: bytes | None = None, *,
          headers: dict | None = None, htmx: bool = False) -> tuple[int, bytes, dict]:
    """(status, body, headers) of one request; redirects and errors are answers too."""
    headers = {"User-Agent": "waymark-bench", **({"HX-Request": "true"} if htmx else {}), **(headers or {})}
    request = Request(url, data=data, headers=headers)
    try:
        with opener.open(request, timeout=REQUEST_TIMEOUT) as response:
            return response.status, response.read(), dict(response.headers)
    except HTTPError as exc:
        with exc:
            return exc.code, exc.read(), dict(exc.headers)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving roadmap.wsgi on 127.0.0.1:`port`, in a session of its own so that
    stopping it stops its workers too."""

    def __init__(self, *, port: int, workers: int, log_path: Path) -> None:
        self.port = port
        self.workers = workers
        self.log_path = log_path
        self.process: subprocess.Popen | None = None
        self.base_url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "gunicorn", "roadmap.wsgi", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--timeout", str(REQUEST_TIMEOUT), "--log-level", "warning"]
        if Path("/dev/shm").is_dir():
            command += ["--worker-tmp-dir", "/dev/shm"]  # as the Dockerfile runs it
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=os.environ.copy(), stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with status {self.process.returncode}:\n{self.log_tail()}")
            try:
                status, _body, _headers = fetch(_opener(), self.base_url + "/accounts/login/")
            except (URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise RuntimeError(f"gunicorn answered the sign-in page with {status}:\n{self.log_tail()}")
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self._signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._signal(signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)

    def _signal(self, signum: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signum)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def sign_in(base_url: str, email: str, password: str) -> OpenerDirector:
    """An opener carrying the session of `email`, signed in through the sign-in form."""
    jar = CookieJar()
    opener = _opener(jar)
    status, body, _headers = fetch(opener, base_url + "/accounts/login/")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or match is None:
        raise RuntimeError(f"The sign-in form did not load (status {status}).")
    form = urlencode({"username": email, "password": password, "csrfmiddlewaretoken": match.group(1).decode()})
    status, _body, headers = fetch(opener, base_url + "/accounts/login/", data=form.encode())
    if status != 302 or "/accounts/login/" in headers.get("Location", "/accounts/login/"):
        raise RuntimeError(f"Signing in as {email} failed (status {status}); is the bench database seeded?")
    if not any(cookie.name == "sessionid" for cookie in jar):
        raise RuntimeError("Signing in set no session cookie.")
    return opener


# --- measuring ----------------------------------------------------------------------------------


def places() -> dict[str, str]:
    """The values page paths are filled in with, read from the bench database."""
    from django.db.models import Count

    from feedback.services import portal_settings_update
    from releases.models import Feature, Release
    from roadmap.services import share_link_create
    from strategy.models import Product, User, Workspace

    workspace = Workspace.objects.get(slug=seed.WORKSPACE_SLUG)
    product = (Product.objects.filter(workspace=workspace, kind=Product.Kind.PRODUCT)
               .annotate(n=Count("features")).order_by("-n", "key").first())
    releases = Release.objects.filter(product=product).annotate(n=Count("features")).order_by("-n", "release_date")
    largest = releases.first()
    current = releases.filter(status=Release.Status.IN_PROGRESS).first() or largest
    feature = (Feature.objects.filter(product=product)
               .annotate(n=Count("dependencies", distinct=True) + Count("dependents", distinct=True))
               .order_by("-n", "number").first())
    # A fresh link each run: only its digest is stored, so an older token cannot be read back.
    bench_user = User.objects.get(email=seed.BENCH_EMAIL)
    _link, share_token = share_link_create(actor=bench_user, product=product, view="timeline",
                                           params={"group": "release"})
    portal_settings_update(actor=bench_user, product=product, enabled=True)
    return {
        "share_token": share_token,
        "since": (date.today() - timedelta(days=30)).isoformat(),
        "ws": workspace.slug,
        "product": product.key,
        "product_id": str(product.pk),
        "line": product.parent.key if product.parent_id else product.key,
        "release": str(largest.pk),
        "current_release": str(current.pk),
        "feature": str(feature.number),
    }


def vacuum_analyze() -> None:
    """Do to the tables the pages read what autovacuum does on a production server after bulk
    inserts, whether or not it runs on this one: refresh the planner's statistics (a plan made
    for 27 rows where there are 20,000 would time the planner's ignorance rather than the page)
    and the visibility map (without it an index-only scan reads every row from the table too)."""
    from django.apps import apps
    from django.db import connection

    tables = [model._meta.db_table for label in ("strategy", "releases", "feedback")
              for model in apps.get_app_config(label).get_models()]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(connection.ops.quote_name(table) for table in tables))


def time_page(opener: OpenerDirector, base_url: str, page: Page, path: str, *, warmups: int,
              requests: int) -> Result:
    result = Result(name=page.name, path=path, target_ms=page.target_ms, max_queries=page.max_queries,
                    floor_ratio=page.floor_ratio)
    for n in range(warmups + requests):
        started = time.perf_counter()
        status, body, headers = fetch(opener, base_url + path, htmx=page.htmx)
        took_ms = (time.perf_counter() - started) * 1000
        if status not in page.statuses:
            where = f" to {headers.get('Location')}" if headers.get("Location") else ""
            result.error = f"answered {status}{where}"
            result.status = status
            return result
        if n >= warmups:
            result.samples_ms.append(round(took_ms, 2))
        result.status, result.bytes = status, len(body)
    result.p50_ms = round(statistics.median(result.samples_ms), 1)
    result.p95_ms = round(percentile(result.samples_ms, 0.95), 1)
    result.mean_ms = round(statistics.fmean(result.samples_ms), 1)
    # What a browser is sent: the same page asked for with Accept-Encoding (not timed).
    _status, body, headers = fetch(opener, base_url + path, headers={"Accept-Encoding": "gzip"})
    if headers.get("Content-Encoding") == "gzip":
        result.gzip_bytes = len(body)
    return result


def time_floor(product_id: int, *, warmups: int, requests: int) -> Result:
    """The floor as a row of the table: `bench.floor.draw` of the largest product."""
    result = Result(name="floor", path="(bench.floor.draw: one query, str.join)", target_ms=0, max_queries=1)
    result.samples_ms, _drawn, result.bytes = floor.time_floor(product_id, warmups=warmups, requests=requests)
    return result


def summarise(result: Result) -> None:
    result.p50_ms = round(statistics.median(result.samples_ms), 1)
    result.p95_ms = round(percentile(result.samples_ms, 0.95), 1)
    result.mean_ms = round(statistics.fmean(result.samples_ms), 1)


def count_queries(pages: list[tuple[Page, str]], email: str) -> dict[str, int]:
    """{page name: queries of one request}, in-process, after one warm-up request."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from strategy.models import User

    # /healthz answers 503 without a worker; that is expected here, not an error worth a log line.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    signed_in = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    signed_in.force_login(User.objects.get(email=email))
    anonymous = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    counts = {}
    for page, path in pages:
        client = anonymous if page.anonymous else signed_in
        headers = {"HX-Request": "true"} if page.htmx else {}
        client.get(path, headers=headers)
        with CaptureQueriesContext(connection) as context:
            client.get(path, headers=headers)
        counts[page.name] = len(context.captured_queries)
    return counts


# --- reporting ------------------------------------------------------------------------------------


def table(results: list[Result]) -> str:
    header = (f"{'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'× floor':>8} {'× login':>8} {'queries':>8} {'KB':>7} "
              f"{'gz KB':>6}  target")
    lines = [header, "-" * len(header)]
    for r in results:
        if r.error:
            lines.append(f"{r.name:<24} FAILED: {r.error}")
            continue
        if r.name == "floor":
            target = "the floor's p50 is the unit of × floor"
        elif r.floor_ratio is not None:
            target = f"p95 ≤ {r.floor_ratio:g} × floor"
        else:
            target = f"p95 < {r.target_ms:g} ms"
        target += f", ≤ {r.max_queries} queries" if r.max_queries and r.name != "floor" else ""
        flag = f"  OVER ({', '.join(r.over)})" if r.over else ""
        ratio = f"{r.ratio:.1f}" if r.ratio is not None else "—"
        x_floor = f"{r.x_floor:.1f}" if r.x_floor is not None else "—"
        queries = str(r.queries) if r.queries is not None else "—"
        gzipped = f"{r.gzip_bytes / 1024:>6.0f}" if r.gzip_bytes is not None else f"{'—':>6}"
        lines.append(f"{r.name:<24} {r.p50_ms:>8.1f} {r.p95_ms:>8.1f} {x_floor:>8} {ratio:>8} {queries:>8} "
                     f"{(r.bytes or 0) / 1024:>7.0f} {gzipped}  {target}{flag}")
    browsed = [r for r in results if r.browser]
    if browsed:
        lines += ["", f"{'in Chromium (median)':<24} {'first paint ms':>15} {'interactive ms':>15} {'loaded ms':>10}"]
        for r in browsed:
            b = r.browser
            if b.get("error"):
                lines.append(f"{r.name:<24} FAILED: {b['error']}")
                continue
            shown = [f"{b[key]:.0f}" if b.get(key) is not None else f"> {b.get('timeout_ms', 0) / 1000:g} s"
                     for key in ("first_paint_ms", "interactive_ms", "loaded_ms")]
            lines.append(f"{r.name:<24} {shown[0]:>15} {shown[1]:>15} {shown[2]:>10}")
    return "\n".join(lines)


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def data_counts() -> dict[str, int]:
    from releases.models import Dependency, Feature, Release
    from strategy.models import Product, Workspace

    workspace = Workspace.objects.get(slug=seed.WORKSPACE_SLUG)
    return {
        "products": Product.objects.filter(workspace=workspace, kind=Product.Kind.PRODUCT).count(),
        "product_lines": Product.objects.filter(workspace=workspace, kind=Product.Kind.LINE).count(),
        "releases": Release.objects.filter(workspace=workspace).count(),
        "features": Feature.objects.filter(workspace=workspace).count(),
        "dependencies": Dependency.objects.filter(feature__workspace=workspace).count(),
    }


def write_results(results: list[Result], meta: dict) -> Path:
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{meta['started_at'].replace(':', '').replace('-', '')}.json"
    pages = [{**asdict(r), "over": r.over} for r in results]
    path.write_text(json.dumps({**meta, "pages": pages}, indent=2) + "\n")
    return path


# --- command line ---------------------------------------------------------------------------------


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # so that `finally` stops gunicorn and removes the temporary files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop, recreate and reseed the bench database first")
    parser.add_argument("--warmups", type=int, default=WARMUPS, choices=range(0, 101), metavar="N",
                        help=f"untimed requests per page first (default {WARMUPS})")
    parser.add_argument("--requests", type=int, default=REQUESTS, choices=range(1, 1001), metavar="N",
                        help=f"timed requests per page (default {REQUESTS})")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="time only pages whose name contains NAME (repeatable); the baseline always runs")
    parser.add_argument("--no-browser", action="store_true",
                        help="skip the Chromium timings (first paint, interactive) of the pages marked browser")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)

    scratch = Path(tempfile.mkdtemp(prefix="waymark-bench-"))
    os.environ["BENCH_STATIC_ROOT"] = str(scratch / "static")
    port = free_port()
    server = Server(port=port, workers=WORKERS, log_path=scratch / "gunicorn.log")
    started_at = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        seed_seconds = seed.setup(fresh=args.fresh, site_url=f"http://127.0.0.1:{port}")
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        vacuum_analyze()
        values = places()
        pages = [(page, page.path.format(**values)) for page in PAGES
                 if page.name == BASELINE or not args.only or any(word in page.name for word in args.only)]
        load_before = os.getloadavg()
        try:
            server.start()
            print(f"gunicorn ({WORKERS} workers, DEBUG=False) at {server.base_url}; "
                  f"{args.warmups} warm-ups and {args.requests} timed requests per page.", flush=True)
            opener = sign_in(server.base_url, seed.BENCH_EMAIL, seed.BENCH_PASSWORD)
            anonymous = _opener()
            # The floor is timed before and after the pages (half each), so that it sees the
            # machine as the pages did.
            floor_result = time_floor(int(values["product_id"]), warmups=args.warmups,
                                      requests=max(1, args.requests // 2))
            print(f"  floor: p50 {statistics.median(floor_result.samples_ms)} ms", flush=True)
            results = [floor_result]
            for page, path in pages:
                result = time_page(anonymous if page.anonymous else opener, server.base_url, page, path,
                                   warmups=args.warmups, requests=args.requests)
                results.append(result)
                print(f"  {page.name}: " + (result.error or f"p50 {result.p50_ms} ms"), flush=True)
            floor_result.samples_ms += floor.time_floor(int(values["product_id"]), warmups=0,
                                                        requests=max(1, args.requests - args.requests // 2))[0]
            summarise(floor_result)
            browsed = [(page, path) for page, path in pages if page.browser and not args.no_browser]
            if browsed:
                from bench import browser

                timings = browser.time_pages(server.base_url, browsed, email=seed.BENCH_EMAIL,
                                             password=seed.BENCH_PASSWORD)
                for result in results:
                    if result.name in timings:
                        result.browser = timings[result.name]
        finally:
            server.stop()
            log = server.log_tail()
        load_after = os.getloadavg()
        queries = count_queries([pair for pair, r in zip(pages, results[1:], strict=True) if not r.error],
                                seed.BENCH_EMAIL)
    except RuntimeError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench: interrupted; gunicorn is stopped.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    for result in results:
        result.queries = queries.get(result.name)
    floor_result.queries = 1
    baseline = next(r for r in results if r.name == BASELINE)
    for result in results:
        if result.p50_ms is not None and baseline.p50_ms:
            result.ratio = round(result.p50_ms / baseline.p50_ms, 2)
        if result.p95_ms is not None and floor_result.p50_ms:
            result.x_floor = round(result.p95_ms / floor_result.p50_ms, 2)
    meta = {
        "started_at": started_at,
        "git": {"commit": _git("rev-parse", "HEAD"), "dirty": bool(_git("status", "--porcelain"))},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after]},
        "server": {"command": "gunicorn roadmap.wsgi", "workers": WORKERS, "settings": "bench.settings (DEBUG=False)"},
        "method": {"warmups": args.warmups, "requests": args.requests, "baseline": BASELINE,
                   "time": "client wall time per request on loopback, sequential; p95 by nearest rank",
                   "floor": "bench.floor.draw of the largest product in the bench process (one SQL query on a "
                            "plain cursor, SVG with str.join), half its samples before the pages, half after; "
                            "x_floor = page p95 / floor p50",
                   "queries": "in-process, Django test Client, second request",
                   "browser": "Chromium (Playwright, /usr/bin/chromium, headless), signed in, median of "
                              "its samples: first paint = first-contentful-paint, interactive = "
                              "domContentLoadedEventEnd (scripts run, handlers bound), loaded = loadEventEnd"},
        "seed": {"seconds": round(seed_seconds, 1) if seed_seconds is not None else None, "data": data_counts(),
                 "places": values},
    }
    print()
    print(table(results))
    path = write_results(results, meta)
    print(f"\nWrote {path.relative_to(ROOT)}.")
    if any(r.error for r in results):
        if log:
            print(f"\ngunicorn's log ended with:\n{log}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    # After the pages, the usage-event ingestion and rollups (bench/usage.py), in a process of
    # its own: Django's settings (its static root among them) are fixed once per process.
    sys.exit(main() or subprocess.call([sys.executable, "-m", "bench.usage"]))
