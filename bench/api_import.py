"""Time a migration through the API: 10,000 features with their 500 releases, imported with the
features' bulk-upsert (`POST /api/v1/w/<slug>/features/bulk-upsert/`, 1,000 features and the
releases they name per request), then the same import again (which must change nothing), each
beside a floor measured in the same run.

    python -m bench.api_import                 # 10,000 features over 20 products
    python -m bench.api_import --features 20000

What it does, in order, and always stopping what it started:
1. sets up the bench database as bench.run does (bench.seed), and in it a new workspace of its
   own, "Import Bench <time>", with 20 products, made by the bench user, and a personal token;
2. prepares the request bodies before the clock starts: for each pair of products, their 50
   releases and 1,000 features (each with an external id, a release named by external id,
   estimate, RICE parts, tags, and a description);
3. starts gunicorn (bench.run.Server, 2 sync workers, production settings) and sends the
   requests one after the other from one client, as an import script would: the wall time from
   the first request to the last answer; then sends them all again (the re-run);
4. checks what was written: the counts of features, releases and history rows, and that the
   re-run created, changed and versioned nothing;
5. the floor: the same rows written in-process with `bulk_create` and no checks at all (no
   validation, no history), then deleted;
6. prints a table and writes the numbers to bench/results/api-import-<time>.json. The
   workspace is deleted at the end, so runs do not pile up.

The target (issue 14): the 10,000 features with their releases in under 30 s."""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench import run, seed

PRODUCTS = 20
RELEASES_PER_PRODUCT = 25
PER_REQUEST = 1000
TARGET_S = 30


def make_workspace() -> tuple[object, list, str]:
    from strategy import services
    from strategy.models import User

    user = User.objects.get(email=seed.BENCH_EMAIL)
    stamp = datetime.now(tz=UTC).strftime("%Y%m%d%H%M%S")
    workspace = services.workspace_create(actor=user, name=f"Import Bench {stamp}")
    products = [services.product_create(actor=user, workspace=workspace, name=f"Imported {n}", key=f"IM{n:02d}")
                for n in range(PRODUCTS)]
    _token, secret = services.api_token_create(actor=user, name="import bench", workspace=workspace)
    return workspace, products, secret


def bodies(products: list, features: int) -> list[bytes]:
    """The request bodies: per request, the features of two products and those products' releases."""
    per_product = features // len(products)
    start = date.today() - timedelta(days=180)
    requests, items, releases = [], [], []
    for n, product in enumerate(products):
        for r in range(RELEASES_PER_PRODUCT):
            begins = start + timedelta(days=30 * r)
            releases.append({"product": product.pk, "external_id": f"{product.key}-R{r}", "name": f"{product.key} {r}",
                             "version_label": f"{r}.0", "start_date": begins.isoformat(),
                             "release_date": (begins + timedelta(days=28)).isoformat(),
                             "external_url": f"https://tracker.example.test/versions/{product.key}-R{r}"})
        for f in range(per_product):
            items.append({"product": product.pk, "external_id": f"{product.key}-{f}", "title": f"Imported feature {f}",
                          "description": f"Imported from the tracker: {product.key}-{f}.",
                          "release_external_id": f"{product.key}-R{f % RELEASES_PER_PRODUCT}",
                          "estimate": str(1 + f % 8), "reach": 100 + f, "impact": "1", "confidence": 80,
                          "effort": "2", "tags": ["imported", f"team-{f % 4}"],
                          "external_url": f"https://tracker.example.test/browse/{product.key}-{f}"})
        if len(items) >= PER_REQUEST or n == len(products) - 1:
            while items:
                chunk, items = items[:PER_REQUEST], items[PER_REQUEST:]
                requests.append(json.dumps({"releases": releases, "items": chunk}).encode())
                releases = []
    return requests


def send_all(port: int, slug: str, secret: str, requests: list[bytes]) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/json", "Host": "127.0.0.1"}
    totals = {"created": 0, "updated": 0, "unchanged": 0, "refused": 0}
    samples, failures = [], []
    began = time.perf_counter()
    for body in requests:
        sent = time.perf_counter()
        connection.request("POST", f"/api/v1/w/{slug}/features/bulk-upsert/", body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        samples.append(round(time.perf_counter() - sent, 3))
        if response.status != 200:
            failures.append({"status": response.status, "body": answer[:500].decode(errors="replace")})
            continue
        result = json.loads(answer)
        for name in totals:
            totals[name] += result[name]
    wall = time.perf_counter() - began
    connection.close()
    return {"seconds": round(wall, 2), "requests": len(requests), "request_seconds": samples, **totals,
            "failures": failures}


def written(workspace) -> dict:
    from releases.models import Feature, Release

    return {"features": Feature.objects.filter(workspace=workspace).count(),
            "releases": Release.objects.filter(workspace=workspace).count(),
            "feature_history_rows": Feature.history.filter(workspace_id=workspace.pk).count(),
            "release_history_rows": Release.history.filter(workspace_id=workspace.pk).count()}


def floor(workspace, products: list, features: int) -> dict:
    """The same rows with bulk_create and no checks, in-process: what the database itself costs."""
    from django.db import transaction

    from releases.models import Feature, Release

    status = workspace.workflow_statuses.order_by("position").first()
    began = time.perf_counter()
    with transaction.atomic():
        releases = Release.objects.bulk_create([
            Release(workspace=workspace, product=p, name=f"floor {r}", start_date=date.today(),
                    release_date=date.today(), external_id=f"floor-{p.key}-R{r}")
            for p in products for r in range(RELEASES_PER_PRODUCT)])
        per_product = features // len(products)
        by_product = {}
        for release in releases:
            by_product.setdefault(release.product_id, []).append(release)
        Feature.objects.bulk_create([
            Feature(workspace=workspace, product=p, number=100_000 + f, rank=f"z{f:06d}", title=f"floor {f}",
                    status=status, release=by_product[p.pk][f % RELEASES_PER_PRODUCT], external_id=f"floor-{p.key}-{f}",
                    tags=["imported"], estimate=1)
            for p in products for f in range(per_product)], batch_size=1000)
        seconds = time.perf_counter() - began
        transaction.set_rollback(True)
    return {"seconds": round(seconds, 2)}


def delete_workspace(workspace) -> None:
    from django.db import transaction

    from releases.models import Feature, Release, WorkflowStatus
    from strategy.models import ApiToken, Membership, Product

    with transaction.atomic():
        # Raw deletes: the import wrote nothing that points at these rows, and Django's cascade
        # (one history row per deleted feature) would take minutes.
        for queryset in (Feature.history.filter(workspace_id=workspace.pk),
                         Release.history.filter(workspace_id=workspace.pk),
                         Feature.goals.through.objects.filter(feature__workspace=workspace),
                         Feature.objects.filter(workspace=workspace), Release.objects.filter(workspace=workspace)):
            queryset._raw_delete(queryset.db)
        Product.objects.filter(workspace=workspace).delete()
        WorkflowStatus.objects.filter(workspace=workspace).delete()
        ApiToken.objects.filter(workspace=workspace).delete()
        Membership.objects.filter(workspace=workspace).delete()
        workspace.delete()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_import", description=__doc__.split("\n\n")[0])
    parser.add_argument("--features", type=int, default=10_000, help="features to import (default 10,000)")
    parser.add_argument("--keep", action="store_true", help="keep the imported workspace")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="waymark-bench-import-"))
    os.environ["BENCH_STATIC_ROOT"] = str(scratch / "static")
    port = run.free_port()
    server = run.Server(port=port, workers=run.WORKERS, log_path=scratch / "gunicorn.log")
    started_at = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results: dict = {}
    workspace = None
    try:
        seed.setup(site_url=f"http://127.0.0.1:{port}")
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)
        workspace, products, secret = make_workspace()
        requests = bodies(products, args.features)
        load_before = os.getloadavg()
        try:
            server.start()
            print(f"import bench: {args.features:,} features in {len(requests)} requests…", flush=True)
            results["import"] = send_all(port, workspace.slug, secret, requests)
            results["after_import"] = written(workspace)
            print("import bench: the same import again…", flush=True)
            results["rerun"] = send_all(port, workspace.slug, secret, requests)
            results["after_rerun"] = written(workspace)
        finally:
            server.stop()
        results["floor"] = floor(workspace, products, args.features)
        results["load_average_before"] = [round(x, 2) for x in load_before]
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    except RuntimeError as exc:
        print(f"bench.api_import: {exc}\n{server.log_tail()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench.api_import: interrupted; gunicorn is stopped.", file=sys.stderr)
        return 130
    finally:
        if workspace is not None and not args.keep:
            delete_workspace(workspace)
        shutil.rmtree(scratch, ignore_errors=True)

    first, rerun = results["import"], results["rerun"]
    rows = [
        ("import", f"{first['seconds']} s", f"< {TARGET_S} s", f"{results['floor']['seconds']} s",
         f"{first['created']:,} created, {first['refused']} refused, {len(first['failures'])} failed requests"),
        ("re-run", f"{rerun['seconds']} s", "changes nothing", "",
         f"{rerun['unchanged']:,} unchanged, {rerun['created'] + rerun['updated']} written"),
        ("history rows", str(results["after_rerun"]["feature_history_rows"]),
         str(results["after_import"]["feature_history_rows"]), "", "features, after the re-run / after the import"),
    ]
    widths = [max(len(str(r[i])) for r in [("measure", "result", "target", "floor", ""), *rows]) for i in range(5)]
    for row in [("measure", "result", "target", "floor", ""), *rows]:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    run.RESULTS.mkdir(exist_ok=True)
    path = run.RESULTS / f"api-import-{started_at.replace(':', '')}.json"
    path.write_text(json.dumps({"started_at": started_at, "target_s": TARGET_S, "cpus": os.cpu_count(),
                                "git": run._git("rev-parse", "HEAD"), **results}, indent=2, default=str))
    print(f"\nWrote {path.relative_to(run.ROOT)}.")
    failed = first["failures"] or rerun["failures"] or first["refused"] or rerun["created"] or rerun["updated"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
