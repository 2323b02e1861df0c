"""Time usage-event ingestion through the real API and the usage rollups, each beside a floor
measured in the same run.

    python -m bench.usage                   # what `make bench` runs after the pages
    python -m bench.usage --batches 400     # more ingestion (batches of 1,000 events)

What it does, in order, and always stopping what it started:
1. sets up the bench database as bench.run does (bench.seed), and in it a workspace of its own,
   "Usage Bench", with three products: UIN (ingestion through the API), UCP (the COPY floor)
   and UEV (5 million events for the rollups, seeded once with COPY and kept between runs);
2. ingestion: gunicorn serves roadmap.wsgi with 2 sync workers (bench.run.Server); 4 client
   processes send `--batches` batches of 1,000 events (prepared before the clock starts) to
   POST /api/v1/events with an ingest key, each over its own connection; events per second =
   events accepted ÷ wall time from the first request to the last answer;
3. the floor: PostgreSQL's own COPY of the same rows, from a file, into the same partitioned
   table (product UCP), events per second;
4. full rollup: every day of UEV's 5 million events recomputed (`usage_rollup_all`) in a child
   Python process, its wall time and peak RSS (the work itself runs inside PostgreSQL, whose
   memory is the server's, not counted here);
5. incremental rollup: 50,000 new events written to UEV's last two days, then the rollup of the
   dirty days, in a child process;
6. prints a table against the targets and writes every number to bench/results/usage-<time>.json.
The ingested and floor events are deleted at the end, so runs do not pile up."""

from __future__ import annotations

import argparse
import http.client
import io
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench import run, seed

WORKSPACE_SLUG = "usage-bench"
INGEST, FLOOR, ROLLUP = "UIN", "UCP", "UEV"
BATCH = 1000
CLIENTS = 4
ROLLUP_EVENTS = 5_000_000
ROLLUP_DAYS = 90
INCREMENTAL_EVENTS = 50_000
TARGETS = {"ingest_events_per_s": 30_000, "full_rollup_s": 60, "incremental_rollup_s": 2, "worker_peak_rss_mb": 300}
COLUMNS = "product_id, event_id, name, user_id, anonymous_id, session_id, occurred_at, feature_key, properties"
FEATURE_KEYS = ["csv-export", "dark-mode", "offline-sync", "bulk-edit", "saved-views", "sso"]
NAMES = ["page_viewed", "search_performed", "item_viewed", "list_filtered", "report_viewed"]


# --- data -------------------------------------------------------------------------------------


def products() -> dict[str, int]:
    """The ids of the bench's three usage products, made on first use."""
    from strategy.models import Product, Workspace

    workspace, _created = Workspace.objects.get_or_create(slug=WORKSPACE_SLUG, defaults={"name": "Usage Bench"})
    ids = {}
    for key, name in ((INGEST, "Ingestion"), (FLOOR, "COPY floor"), (ROLLUP, "Rollups")):
        product, _created = Product.objects.get_or_create(workspace=workspace, key=key, defaults={"name": name})
        ids[key] = product.pk
    return ids


def ingest_key(product_id: int) -> str:
    from roadmap.models import IngestKey
    from roadmap.services import ingest_keys

    raw = ingest_keys.new_key()
    IngestKey.objects.create(product_id=product_id, name=f"bench {datetime.now(UTC):%Y-%m-%d %H:%M}",
                             key_digest=ingest_keys.key_digest(raw), key_prefix=raw[:ingest_keys.PREFIX_LENGTH])
    return raw


def api_events(count: int, run_id: str) -> list[dict]:
    """Events as a web app sends them: the last hour, 2,000 users, sessions of ~5 events."""
    rng = random.Random(42)
    now = datetime.now(UTC)
    events = []
    for n in range(count):
        user = rng.randrange(2000)
        event = {"id": f"{run_id}-{n}", "name": rng.choice(NAMES), "user_id": f"user-{user}",
                 "session_id": f"{run_id}-s{n // 5}", "timestamp": (now - timedelta(seconds=rng.randrange(3600)))
                 .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                 "properties": {"path": f"/reports/{rng.randrange(500)}", "plan": "pro"}}
        if n % 10 == 0:
            event["feature_key"] = rng.choice(FEATURE_KEYS)
        events.append(event)
    return events


def copy_text(product_id: int, events: list[dict]) -> bytes:
    """The same events as rows of COPY's text format."""
    lines = []
    for ev in events:
        lines.append("\t".join((str(product_id), ev["id"], ev["name"], ev["user_id"], "\\N", ev["session_id"],
                                ev["timestamp"], ev.get("feature_key", "\\N"),
                                json.dumps(ev["properties"], separators=(",", ":")))))
    return ("\n".join(lines) + "\n").encode()


def seed_rollup_events(product_id: int) -> dict:
    """5 million events over the last 90 days for UEV, with COPY; kept between runs."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM roadmap_usage_event WHERE product_id = %s", [product_id])
        if cursor.fetchone()[0] == ROLLUP_EVENTS:
            return {"seeded": False}
        cursor.execute("DELETE FROM roadmap_usage_event WHERE product_id = %s", [product_id])
    from roadmap.services import usage

    rng = random.Random(7)
    today = datetime.now(UTC).date()
    usage.usage_partitions_ensure(months_ahead=4, today=today - timedelta(days=ROLLUP_DAYS + 5))
    per_day = ROLLUP_EVENTS // ROLLUP_DAYS
    n = session = 0
    generated = copied = 0.0
    with connection.cursor() as cursor:
        for offset in range(ROLLUP_DAYS):
            started = time.monotonic()
            day = today - timedelta(days=ROLLUP_DAYS - offset)
            stamp = day.isoformat()
            pool = 20_000 + offset * 150  # the user base grows
            quota = per_day if offset < ROLLUP_DAYS - 1 else ROLLUP_EVENTS - n
            lines: list[str] = []
            while len(lines) < quota:
                session += 1
                user = int(pool * rng.random() ** 1.6)
                length = 1 if rng.random() < 0.4 else rng.randint(2, 10)
                second = rng.randrange(86_000 - 60 * length)
                for _ in range(min(length, quota - len(lines))):
                    h, rest = divmod(second, 3600)
                    key = rng.choice(FEATURE_KEYS) if rng.random() < 0.1 else "\\N"
                    lines.append(f"{product_id}\te{n}\tpage_viewed\tuser-{user}\t\\N\ts{session}\t"
                                 f"{stamp} {h:02d}:{rest // 60:02d}:{rest % 60:02d}+00\t{key}\t{{}}\n")
                    n += 1
                    second += rng.randint(5, 60)
            data = io.BytesIO("".join(lines).encode())
            generated += time.monotonic() - started
            started = time.monotonic()
            cursor.copy_expert(f"COPY roadmap_usage_event ({COLUMNS}) FROM STDIN", data)
            copied += time.monotonic() - started
        cursor.execute("ANALYZE roadmap_usage_event")
    return {"seeded": True, "generate_s": round(generated, 1), "copy_s": round(copied, 1),
            "copy_events_per_s": round(ROLLUP_EVENTS / copied)}


# --- ingestion ----------------------------------------------------------------------------------


def _client(port: int, key: str, bodies: list[bytes], start_at: float, out) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    accepted, failures = 0, []
    while time.time() < start_at:
        time.sleep(0.001)
    for body in bodies:
        connection.request("POST", "/api/v1/events", body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
        if response.status == 200:
            accepted += json.loads(payload)["accepted"]
        else:
            failures.append(f"{response.status} {payload[:200]!r}")
    out.put({"accepted": accepted, "failures": failures, "finished": time.time()})


def ingest(port: int, key: str, events: list[dict]) -> dict:
    bodies = [json.dumps({"events": events[i:i + BATCH]}).encode() for i in range(0, len(events), BATCH)]
    share = [bodies[i::CLIENTS] for i in range(CLIENTS)]
    out = multiprocessing.Queue()
    start_at = time.time() + 1.0  # every client ready before the clock starts
    workers = [multiprocessing.Process(target=_client, args=(port, key, part, start_at, out)) for part in share]
    for worker in workers:
        worker.start()
    results = [out.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    seconds = max(r["finished"] for r in results) - start_at
    accepted = sum(r["accepted"] for r in results)
    failures = [f for r in results for f in r["failures"]]
    return {"events": len(events), "accepted": accepted, "batches": len(bodies), "clients": CLIENTS,
            "seconds": round(seconds, 2), "events_per_s": round(accepted / seconds) if seconds else None,
            "body_bytes": len(bodies[0]), "failures": failures[:5]}


def copy_floor(product_id: int, events: list[dict], scratch: Path) -> dict:
    from django.db import connection

    path = scratch / "events.copy"
    path.write_bytes(copy_text(product_id, events))
    with connection.cursor() as cursor, path.open("rb") as rows:
        started = time.monotonic()
        cursor.copy_expert(f"COPY roadmap_usage_event ({COLUMNS}) FROM STDIN", rows)
        seconds = time.monotonic() - started
    return {"events": len(events), "seconds": round(seconds, 2), "events_per_s": round(len(events) / seconds)}


def scan_floor(product_id: int) -> dict:
    """One pass of PostgreSQL over the 5 M events, reading the columns a rollup groups by: the
    least a full rollup can cost."""
    from django.db import connection

    with connection.cursor() as cursor:
        started = time.monotonic()
        cursor.execute("SELECT count(DISTINCT session_id) FROM roadmap_usage_event WHERE product_id = %s",
                       [product_id])
        return {"seconds": round(time.monotonic() - started, 2)}


# --- rollups, in a child process ------------------------------------------------------------------


def child(mode: str, product_id: int) -> None:
    """Run one rollup and print its time and this process's peak RSS as JSON."""
    import django

    django.setup()
    from roadmap.services import usage

    started = time.monotonic()
    if mode == "full":
        result = usage.usage_rollup_all(product_id=product_id)
    else:
        result = usage.usage_rollup(product_id=product_id)
    seconds = time.monotonic() - started
    # VmHWM: this process's own peak RSS (ru_maxrss would carry the parent's over the exec).
    peak = next(int(line.split()[1]) for line in Path("/proc/self/status").read_text().splitlines()
                if line.startswith("VmHWM:")) / 1024
    print(json.dumps({"seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1), "days": len(result.days),
                      "ranges": [[str(a), str(b)] for a, b in result.ranges]}))


def rollup(mode: str, product_id: int) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.usage", "--child", mode, str(product_id)],
                          cwd=run.ROOT, env=os.environ.copy(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"The {mode} rollup failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def add_incremental(product_id: int) -> list[str]:
    """50,000 new events on the rolled-up product's last two days, through the ingest write."""
    from roadmap.services import usage

    rng = random.Random(11)
    now = datetime.now(UTC)
    run_id = uuid.uuid4().hex[:8]
    rows = []
    for n in range(INCREMENTAL_EVENTS):
        moment = now - timedelta(seconds=rng.randrange(2 * 86_400))
        rows.append((f"inc-{run_id}-{n}", "page_viewed", f"user-{rng.randrange(30_000)}", None,
                     f"inc-{run_id}-s{n // 5}", moment, None, "{}"))
    for start in range(0, len(rows), 10_000):
        usage.usage_events_write(product_id=product_id, rows=rows[start:start + 10_000])
    return [row[0] for row in rows]


def delete_events(product_id: int, ids: list[str] | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute("DELETE FROM roadmap_usage_event WHERE product_id = %s", [product_id])
        else:
            cursor.execute("DELETE FROM roadmap_usage_event WHERE product_id = %s AND event_id = ANY(%s)",
                           [product_id, ids])
        cursor.execute("DELETE FROM roadmap_usagedirtyday WHERE product_id = %s", [product_id])


# --- report -------------------------------------------------------------------------------------


def table(results: dict) -> str:
    ingest_, floor = results["ingestion"], results["copy_floor"]
    full, incremental = results["full_rollup"], results["incremental_rollup"]
    ratio = ingest_["events_per_s"] / floor["events_per_s"] if floor["events_per_s"] else 0
    rows = [
        ("ingestion via API (2 gunicorn workers)", f"{ingest_['events_per_s']:,} ev/s",
         f"≥ {TARGETS['ingest_events_per_s']:,} ev/s", f"COPY {floor['events_per_s']:,} ev/s ({ratio:.0%})",
         "ok" if ingest_["events_per_s"] >= TARGETS["ingest_events_per_s"] else "OVER"),
        ("full rollup, 5 M events", f"{full['seconds']} s", f"< {TARGETS['full_rollup_s']} s",
         f"one scan of the 5 M: {results['scan_floor']['seconds']} s",
         "ok" if full["seconds"] < TARGETS["full_rollup_s"] else "OVER"),
        ("incremental rollup, 50 k new events", f"{incremental['seconds']} s",
         f"< {TARGETS['incremental_rollup_s']} s", "", "ok" if incremental["seconds"] < TARGETS["incremental_rollup_s"]
         else "OVER"),
        ("rollup worker peak RSS", f"{max(full['peak_rss_mb'], incremental['peak_rss_mb'])} MB",
         f"< {TARGETS['worker_peak_rss_mb']} MB", "PostgreSQL's memory not counted", "ok"
         if max(full["peak_rss_mb"], incremental["peak_rss_mb"]) < TARGETS["worker_peak_rss_mb"] else "OVER"),
    ]
    widths = [max(len(str(r[i])) for r in [("measure", "result", "target", "floor", ""), *rows]) for i in range(5)]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(("measure", "result", "target", "floor", ""), widths,
                                                         strict=True))]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.usage", description=__doc__.split("\n\n")[0])
    parser.add_argument("--batches", type=int, default=200, help="batches of 1,000 events to ingest (default 200)")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "PRODUCT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], int(args.child[1]))
        return 0

    scratch = Path(tempfile.mkdtemp(prefix="waymark-bench-usage-"))
    os.environ["BENCH_STATIC_ROOT"] = str(scratch / "static")
    port = run.free_port()
    server = run.Server(port=port, workers=run.WORKERS, log_path=scratch / "gunicorn.log")
    started_at = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results: dict = {}
    try:
        seed.setup(site_url=f"http://127.0.0.1:{port}")
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        ids = products()
        for key in (INGEST, FLOOR):
            delete_events(ids[key])
        print("usage bench: seeding the rollup events if needed (5 M with COPY, once)…", flush=True)
        results["rollup_seed"] = seed_rollup_events(ids[ROLLUP])
        key = ingest_key(ids[INGEST])
        events = api_events(args.batches * BATCH, uuid.uuid4().hex[:8])
        load_before = os.getloadavg()
        try:
            server.start()
            print(f"usage bench: ingesting {len(events):,} events through gunicorn ({run.WORKERS} workers) "
                  f"from {CLIENTS} clients…", flush=True)
            results["ingestion"] = ingest(port, key, events)
        finally:
            server.stop()
        results["copy_floor"] = copy_floor(ids[FLOOR], events, scratch)
        print("usage bench: full rollup of 5 M events…", flush=True)
        results["scan_floor"] = scan_floor(ids[ROLLUP])
        results["full_rollup"] = rollup("full", ids[ROLLUP])
        new_ids = add_incremental(ids[ROLLUP])
        results["incremental_rollup"] = rollup("dirty", ids[ROLLUP])
        delete_events(ids[ROLLUP], new_ids)
        for product in (INGEST, FLOOR):
            delete_events(ids[product])
        results["load_average_before"] = [round(x, 2) for x in load_before]
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    except RuntimeError as exc:
        print(f"bench.usage: {exc}\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.usage: interrupted; gunicorn is stopped.", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(table(results))
    run.RESULTS.mkdir(exist_ok=True)
    path = run.RESULTS / f"usage-{started_at.replace(':', '')}.json"
    path.write_text(json.dumps({"started_at": started_at, "targets": TARGETS, "cpus": os.cpu_count(),
                                "git": run._git("rev-parse", "HEAD"), **results}, indent=2, default=str))
    print(f"\nWrote {path.relative_to(run.ROOT)}.")
    return 1 if results["ingestion"]["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
