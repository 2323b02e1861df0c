"""Seed the bench database with one large workspace, quickly.

    python -m bench.seed            # create and migrate the bench database, seed it if empty
    python -m bench.seed --fresh    # drop the bench database first, then the same

The workspace ("Waymark Bench", slug `waymark-bench`) is created through
strategy.services.workspace_create, so it gets its admin membership and the default workflow
the way every workspace does; everything else is written with bulk_create (the services check
rules row by row, which would take many minutes for 20,000 features). What it holds:

- the bench user (bench@waymark.test, an admin) and 20 other members, editors and viewers;
- 4 product lines of 5 products each; every product has a vision, personas, competitors,
  5 initiatives and 2 goals, every line a goal and personas, the workspace 10 company-wide
  goals; every goal 3 key results with 4 check-ins each;
- 30 releases per product (600), one every ~36 days from 18 months ago to 18 months ahead:
  past ones released (a few cancelled), the current ones in progress, later ones planned;
  each with a capacity (most) and one or two milestones;
- 20,000 features: 3,200 in the largest product (SHOP), the rest spread unevenly over the
  other 19; ~10 % unscheduled, the others spread unevenly over their product's releases;
  statuses across the whole workflow, following their release's phase; estimates, RICE parts
  and scores (releases.metrics.rice_score), ranks from releases.ranking.spread (shuffled, as
  after many moves), tags, assignees, initiatives, some goals, some own start/end dates
  (a few ending after their release: conflicts), requirements and comments on some;
  a creation version in their history, and a second one when their status moved on, so
  release burn-ups and feature histories have something to draw;
- today's delivery snapshots of every product (bench.seed_delivery), as the worker computes them;
- 4,000 dependencies, acyclic: a feature only depends on a feature with a smaller id of
  the same product, or (one in ten) of another product of the same line.

Idempotent: when the bench workspace exists, nothing is written. Random choices use a fixed
seed, so every fresh seed holds the same plan (dates are relative to the day of seeding)."""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

import bench
from bench import seed_delivery

WORKSPACE_NAME = "Waymark Bench"
WORKSPACE_SLUG = "waymark-bench"
BENCH_EMAIL = "bench@waymark.test"
BENCH_PASSWORD = "waymark-bench"
RANDOM_SEED = 20_240_601

# (key, name, line key); lines first. The first product is the largest.
LINES = [("COM", "Commerce"), ("APP", "Apps"), ("FIN", "Finance"), ("DAT", "Data platform")]
PRODUCTS = [
    ("SHOP", "Storefront", "COM"), ("CART", "Cart and checkout", "COM"), ("SRCH", "Search", "COM"),
    ("CAT", "Catalogue", "COM"), ("PROMO", "Promotions", "COM"),
    ("IOS", "iOS app", "APP"), ("AND", "Android app", "APP"), ("WEAR", "Watch app", "APP"),
    ("POS", "Point of sale", "APP"), ("KIOSK", "Store kiosk", "APP"),
    ("PAY", "Payments", "FIN"), ("PAYOUT", "Payouts", "FIN"), ("TAX", "Tax engine", "FIN"),
    ("BILL", "Billing", "FIN"), ("FRAUD", "Fraud screening", "FIN"),
    ("INS", "Insights", "DAT"), ("PIPE", "Event pipeline", "DAT"), ("WH", "Warehouse", "DAT"),
    ("ML", "Recommendations", "DAT"), ("EXP", "Experiments", "DAT"),
]
FEATURE_COUNTS = [3200, 1900, 1700, 1500, 1300, 1100, 1000, 950, 900, 850,
                  800, 750, 700, 650, 600, 550, 500, 450, 350, 250]
RELEASES_PER_PRODUCT = 30
RELEASE_CADENCE = 36  # days between release starts: 30 of them cover about three years
DEPENDENCIES = 4000
MEMBERS = 20
UNSCHEDULED_SHARE = 0.10

FIRST_NAMES = ["Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
               "Kemi", "Luca", "Maya", "Nils", "Olga", "Pavel", "Quinn", "Rosa", "Sam", "Tariq"]
LAST_NAMES = ["Adeyemi", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "Gupta", "Haddad",
              "Ito", "Jensen", "Kowalski", "Laine", "Moreau", "Novak", "Okoro", "Petrov", "Quispe",
              "Rossi", "Silva", "Tanaka"]
TAGS = ["performance", "accessibility", "mobile", "security", "compliance", "onboarding", "growth",
        "retention", "enterprise", "api", "integrations", "reporting", "search", "checkout", "pricing",
        "localisation", "ux", "infrastructure", "tech-debt", "experiment", "analytics", "notifications",
        "admin", "billing", "privacy", "support", "partner", "design-system", "data-quality", "beta"]
VERBS = ["Add", "Improve", "Redesign", "Speed up", "Simplify", "Automate", "Rebuild", "Support",
         "Localise", "Audit", "Personalise", "Export", "Bulk-edit", "Preview", "Schedule", "Sync"]
OBJECTS = ["checkout flow", "product pages", "search results", "order history", "saved carts",
           "refunds", "payout reports", "tax rules", "invoices", "push offers", "gift cards",
           "inventory alerts", "customer segments", "dashboards", "event tracking", "A/B tests",
           "recommendations", "store settings", "user roles", "audit log", "webhooks", "coupons",
           "shipping rates", "returns", "subscriptions", "receipts", "onboarding checklist"]
QUALIFIERS = ["for large catalogues", "on mobile", "for enterprise accounts", "in the admin",
              "for new merchants", "across devices", "with keyboard shortcuts", "in bulk",
              "for EU customers", "behind a flag", "for partners", "at checkout", "v2", ""]
INITIATIVES = ["Self-serve onboarding", "Enterprise readiness", "Faster everything", "Mobile first",
               "International expansion", "Trust and safety", "Platform quality"]
COLOURS = ["#0ea5e9", "#6366f1", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#14b8a6"]
REQUIREMENTS = ["Works on a slow connection", "Usable by keyboard and screen reader",
                "Behind a feature flag for a gradual rollout", "Help centre article updated",
                "Events tracked in the funnel", "Load-tested at twice the peak", "Release note written",
                "Reviewed by legal", "Translated into German, Dutch and French"]
COMMENTS = ["Can we ship a smaller first version of this?", "Design is ready for review.",
            "Blocked on the API change, see the dependency.", "Customers keep asking for this one.",
            "Moved to the next release: not enough capacity.", "Estimate revised after the spike."]

# Per release phase: (status name, weight). Unfinished features in released releases and
# features ending after their release give the conflict rules something to find.
STATUS_MIX = {
    "released": [("Shipped", 85), ("Won't do", 8), ("In review", 4), ("In development", 3)],
    "in_progress": [("Planned", 15), ("In design", 15), ("In development", 30), ("In review", 15),
                    ("Shipped", 20), ("Won't do", 5)],
    "planned": [("Idea", 20), ("Backlog", 35), ("Planned", 40), ("In design", 5)],
    "cancelled": [("Won't do", 70), ("Backlog", 30)],
    None: [("Idea", 50), ("Backlog", 45), ("Won't do", 5)],
}
ESTIMATES = [(1, 10), (2, 15), (3, 20), (5, 20), (8, 15), (13, 10), (None, 10)]
REACHES = [100, 300, 800, 1500, 2500, 4000, 6000, 9000, 15000]
IMPACTS = [Decimal("0.25"), Decimal("0.5"), Decimal(1), Decimal(2), Decimal(3)]
CONFIDENCES = [50, 80, 100]
EFFORTS = [Decimal("0.5"), Decimal(1), Decimal(2), Decimal(3), Decimal(5), Decimal(8)]
BATCH = 2000


@dataclass
class Counts:
    """What a seed wrote, by kind of record."""

    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + n


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _moment(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, clock(hour=rng.randint(8, 18), minute=rng.randint(0, 59)), tzinfo=UTC)


# --- the database -------------------------------------------------------------------------------


def _server_kwargs(database: dict) -> dict:
    kwargs = {"user": database.get("USER"), "password": database.get("PASSWORD"),
              "host": database.get("HOST"), "port": database.get("PORT")}
    return {key: value for key, value in kwargs.items() if value}


def drop_database() -> None:
    """Drop the bench database (closing its other sessions). Refuses a name without "bench"."""
    import psycopg2
    from django.conf import settings
    from django.db import connections
    from psycopg2 import sql

    database = settings.DATABASES["default"]
    name = database["NAME"]
    if "bench" not in name:
        raise SystemExit(f"Refusing to drop {name!r}: the bench database's name must contain 'bench'.")
    connections.close_all()
    connection = psycopg2.connect(dbname="postgres", **_server_kwargs(database))
    connection.autocommit = True  # DROP DATABASE cannot run inside a transaction block
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        connection.close()
    print(f"Dropped the database {name}.")


def prepare_database() -> None:
    """Create the bench database if missing (as `make run` does, through preflight) and migrate it."""
    from django.core.management import call_command

    call_command("preflight", create_database=True, verbosity=0)
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    took = time.perf_counter() - started
    if took > 2:
        print(f"Migrated the bench database in {took:.1f} s.")


# --- the seed -------------------------------------------------------------------------------------


def ensure_seeded() -> float | None:
    """Seed the bench workspace unless it exists. Returns the seconds seeding took, or None."""
    from django.db import transaction

    from strategy.models import Workspace

    if Workspace.objects.filter(slug=WORKSPACE_SLUG).exists():
        print(f"The bench workspace {WORKSPACE_SLUG} exists; not seeding (use --fresh to start over).")
        return None
    started = time.perf_counter()
    with transaction.atomic():
        counts = seed(today=date.today())
    took = time.perf_counter() - started
    summary = ", ".join(f"{n:,} {name}" for name, n in counts.rows.items())
    print(f"Seeded the bench workspace in {took:.1f} s: {summary}.")
    return took


def seed(*, today: date) -> Counts:
    """Write the whole bench workspace. Call inside a transaction."""
    from strategy.models import Membership, Product, Role, User
    from strategy.services import workspace_create

    rng = random.Random(RANDOM_SEED)
    counts = Counts()

    bench_user = User.objects.filter(email=BENCH_EMAIL).first() or User.objects.create_user(
        BENCH_EMAIL, BENCH_PASSWORD, full_name="Bench Admin")
    workspace = workspace_create(actor=bench_user, name=WORKSPACE_NAME)
    if workspace.slug != WORKSPACE_SLUG:
        raise RuntimeError(f"The bench workspace got the slug {workspace.slug!r}; is another one named "
                           f"{WORKSPACE_NAME!r} in the bench database?")

    members = User.objects.bulk_create([
        User(email=f"{first.lower()}.{last.lower()}@bench.waymark.test", full_name=f"{first} {last}",
             password="!bench-member-cannot-sign-in")  # an unusable password (starts with "!")
        for first, last in zip(FIRST_NAMES[:MEMBERS], LAST_NAMES[:MEMBERS], strict=True)
    ])
    roles = [Role.ADMIN] * 2 + [Role.EDITOR] * 8 + [Role.VIEWER] * (MEMBERS - 10)
    Membership.objects.bulk_create([Membership(workspace=workspace, user=user, role=role)
                                    for user, role in zip(members, roles, strict=True)])
    counts.add("members", MEMBERS + 1)
    people = [bench_user, *members]
    editors = [bench_user, *members[:10]]

    stages = [stage for stage, _label in Product.Stage.choices]
    lines = Product.objects.bulk_create([
        Product(workspace=workspace, kind=Product.Kind.LINE, key=key, name=name, stage=Product.Stage.GROWTH,
                owner=rng.choice(editors), updated_by=bench_user, description=f"The {name.lower()} product line.")
        for key, name in LINES
    ])
    line_of = {line.key: line for line in lines}
    products = Product.objects.bulk_create([
        Product(workspace=workspace, kind=Product.Kind.PRODUCT, key=key, name=name, parent=line_of[line_key],
                stage=rng.choice(stages), owner=rng.choice(editors), updated_by=bench_user,
                description=f"{name}: part of the {line_of[line_key].name.lower()} line.")
        for key, name, line_key in PRODUCTS
    ])
    counts.add("products and lines", len(lines) + len(products))

    strategy = _seed_strategy(rng, workspace, bench_user, people, lines, products, today, counts)
    releases = _seed_releases(rng, workspace, bench_user, products, today, counts)
    _seed_features(rng, workspace, bench_user, people, products, releases, strategy, today, counts)
    seed_delivery.seed(workspace=workspace, today=today)
    return counts


@dataclass
class Strategy:
    initiatives: dict[int, list[int]]  # product id -> initiative ids
    goals: dict[int | None, list[int]]  # product id (None: company-wide) -> goal ids


def _seed_strategy(rng, workspace, bench_user, people, lines, products, today, counts) -> Strategy:
    from strategy.models import CheckIn, Competitor, Goal, Initiative, KeyResult, Persona, Vision

    common = {"workspace": workspace, "created_by": bench_user}
    Vision.objects.bulk_create([
        Vision(product=product, statement=f"Every merchant runs {product.name.lower()} without thinking about it.",
               target_market="Small and mid-sized online merchants in Europe.",
               customer_needs="Fewer steps, fewer surprises, numbers they trust.",
               value_proposition="The fastest way from idea to shipped.",
               differentiators="Speed, clarity, and support that answers.", **common)
        for product in products
    ])
    Persona.objects.bulk_create([
        Persona(product=product, name=f"{rng.choice(FIRST_NAMES)} the {role}", role=role,
                description="Runs a growing shop and wants less busywork.", goals="Sell more with the same team.",
                pains="Too many tools, too many clicks.", importance=importance, colour=rng.choice(COLOURS), **common)
        for product in [*lines, *products]
        for role, importance in (("merchant", "primary"), ("operator", "primary"), ("developer", "secondary"))
    ])
    Competitor.objects.bulk_create([
        Competitor(product=product, name=f"{name} {product.key.title()}", website=f"https://{name.lower()}.example",
                   positioning="The incumbent for large merchants.", strengths="Brand, integrations.",
                   weaknesses="Slow, expensive.", threat=rng.choice(["low", "medium", "high"]), **common)
        for product in products for name in ("Acme", "Globex", "Initech", "Umbrella")
    ])
    counts.add("strategy records", len(products) * 5 + (len(lines) + len(products)) * 3)

    year_start = date(today.year, 1, 1)
    goal_specs = [(None, f"Company goal {n}") for n in range(1, 11)]
    goal_specs += [(line, f"{line.name}: grow revenue") for line in lines]
    goal_specs += [(product, f"{product.name}: {aim}") for product in products
                   for aim in ("raise activation", "cut time to value")]
    goals = Goal.objects.bulk_create([
        Goal(product=product, name=name, description="Measured quarterly.", owner=rng.choice(people),
             start_date=year_start + timedelta(days=91 * (i % 4)),
             end_date=year_start + timedelta(days=91 * (i % 4) + 90 + 365 * (i % 2)), **common)
        for i, (product, name) in enumerate(goal_specs)
    ])
    key_results = KeyResult.objects.bulk_create([
        KeyResult(goal=goal, name=name, unit=unit, direction="up", start_value=Decimal(start),
                  target_value=Decimal(target), current_value=Decimal(rng.randint(start, target)), position=n,
                  **common)
        for goal in goals
        for n, (name, unit, start, target) in enumerate([("Weekly active merchants", "", 1000, 5000),
                                                         ("Activation rate", "%", 20, 45),
                                                         ("Net revenue retention", "%", 95, 115)])
    ])
    CheckIn.objects.bulk_create([
        CheckIn(key_result=kr, value=(kr.start_value + (kr.current_value - kr.start_value) * n / 4).quantize(
            Decimal("0.01")), author=bench_user, note="Weekly check-in.")
        for kr in key_results for n in range(1, 5)
    ])
    counts.add("goals", len(goals))
    counts.add("key results", len(key_results))
    counts.add("check-ins", len(key_results) * 4)

    goals_of: dict[int | None, list[int]] = {}
    for goal in goals:
        goals_of.setdefault(goal.product_id, []).append(goal.pk)
    initiatives = Initiative.objects.bulk_create([
        Initiative(product=product, name=name, description="A strategic theme of work.",
                   status=rng.choice(["proposed", "active", "active", "done"]), colour=COLOURS[n % len(COLOURS)],
                   start_date=today - timedelta(days=rng.randint(60, 400)),
                   end_date=today + timedelta(days=rng.randint(30, 400)), **common)
        for product in products for n, name in enumerate(rng.sample(INITIATIVES, 5))
    ])
    Initiative.goals.through.objects.bulk_create([
        Initiative.goals.through(initiative_id=initiative.pk, goal_id=goal_id)
        for initiative in initiatives
        for goal_id in rng.sample(goals_of[initiative.product_id] + goals_of[None][:3], 2)
    ])
    counts.add("initiatives", len(initiatives))
    initiatives_of: dict[int, list[int]] = {}
    for initiative in initiatives:
        initiatives_of.setdefault(initiative.product_id, []).append(initiative.pk)
    return Strategy(initiatives=initiatives_of, goals=goals_of)


def _seed_releases(rng, workspace, bench_user, products, today, counts) -> dict[int, list]:
    """30 releases per product from 18 months ago to 18 months ahead, with milestones."""
    from releases.models import Milestone, Release

    first_start = today - timedelta(days=RELEASE_CADENCE * RELEASES_PER_PRODUCT // 2)
    releases = []
    for product in products:
        offset = rng.randint(0, 20)
        for n in range(RELEASES_PER_PRODUCT):
            start = first_start + timedelta(days=offset + n * RELEASE_CADENCE + rng.randint(0, 5))
            end = start + timedelta(days=rng.randint(35, 60))
            if end < today:
                status = Release.Status.CANCELLED if rng.random() < 0.05 else Release.Status.RELEASED
            elif start <= today:
                status = Release.Status.IN_PROGRESS
            else:
                status = Release.Status.PLANNED
            releases.append(Release(
                workspace=workspace, product=product, name=f"{product.name} {n + 1}", version_label=f"{n + 1}.0",
                theme=f"Release {n + 1} of {product.name}.", start_date=start, release_date=end, status=status,
                created_by=bench_user))
    releases = Release.objects.bulk_create(releases, batch_size=BATCH)
    _add_creation_history(Release, releases, bench_user, rng, counts,
                          when=lambda r: _moment(min(r.start_date - timedelta(days=30), today), rng))
    milestones = []
    for release in releases:
        window = (release.release_date - release.start_date).days
        milestones.append(Milestone(release=release, name="Beta", date=release.start_date + timedelta(
            days=window * 3 // 5)))
        if rng.random() < 0.5:
            milestones.append(Milestone(release=release, name="Code freeze",
                                        date=release.release_date - timedelta(days=5)))
    Milestone.objects.bulk_create(milestones, batch_size=BATCH)
    counts.add("releases", len(releases))
    counts.add("milestones", len(milestones))
    by_product: dict[int, list] = {}
    for release in releases:
        by_product.setdefault(release.product_id, []).append(release)
    return by_product


def _add_creation_history(model, objects, user, rng, counts, *, when) -> None:
    """A '+' version per object in its history table, as a save through the services leaves."""
    history = model.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    history.objects.bulk_create([
        history(history_date=when(obj), history_type="+", history_user=user,
                **{name: getattr(obj, name) for name in names})
        for obj in objects
    ], batch_size=BATCH)
    counts.add("history versions", len(objects))


def _seed_features(rng, workspace, bench_user, people, products, releases, strategy, today, counts) -> None:
    from releases import metrics, ranking
    from releases.models import Comment, Feature, Requirement, WorkflowStatus

    statuses = {s.name: s for s in WorkflowStatus.objects.filter(workspace=workspace)}
    features: list[Feature] = []
    first_status: dict[int, int] = {}  # feature index -> status id it was created in
    for product, count in zip(products, FEATURE_COUNTS, strict=True):
        product_releases = releases[product.pk]
        weights = [rng.lognormvariate(0, 0.6) for _ in product_releases]
        ranks = ranking.spread(count)
        rng.shuffle(ranks)
        goal_ids = strategy.goals.get(product.pk, []) + strategy.goals[None]
        for number in range(1, count + 1):
            release = None if rng.random() < UNSCHEDULED_SHARE else rng.choices(product_releases, weights)[0]
            phase = release.status if release else None
            status = statuses[_weighted(rng, STATUS_MIX[phase])]
            # Features start in Idea or Backlog; where the status moved on since, history holds two versions.
            created_in = statuses["Idea" if status.name == "Idea" else "Backlog"]
            estimate = _weighted(rng, ESTIMATES)
            reach, impact, confidence, effort = (rng.choice(REACHES), rng.choice(IMPACTS), rng.choice(CONFIDENCES),
                                                 rng.choice(EFFORTS))
            if rng.random() < 0.15:  # not fully scored yet
                reach, confidence = None, (None if rng.random() < 0.5 else confidence)
            start = end = None
            if release and rng.random() < 0.25:
                window = (release.release_date - release.start_date).days
                start = release.start_date + timedelta(days=rng.randint(0, window // 2))
                late = rng.random() < 0.05
                end = start + timedelta(days=rng.randint(5, window // 2 + (20 if late else 0)))
            elif release is None and rng.random() < 0.3:
                start = today + timedelta(days=rng.randint(-200, 300))
                end = start + timedelta(days=rng.randint(7, 60))
            feature = Feature(
                workspace=workspace, product=product, number=number, status=status, release=release,
                title=f"{rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(QUALIFIERS)}".strip(),
                description="" if rng.random() < 0.7 else "Why: merchants asked for it. What: the smallest useful "
                "version first, then iterate on feedback.",
                initiative_id=rng.choice(strategy.initiatives[product.pk]) if rng.random() < 0.4 else None,
                estimate=Decimal(estimate) if estimate is not None else None,
                start_date=start, end_date=end,
                assignee=rng.choice(people) if rng.random() < 0.85 else None,
                tags=sorted(set(rng.sample(TAGS, _weighted(rng, [(0, 25), (1, 35), (2, 25), (3, 15)])))),
                reach=reach, impact=impact, confidence=confidence, effort=effort,
                rice_score=metrics.rice_score(reach=reach, impact=impact, confidence=confidence, effort=effort),
                rank=ranks[number - 1], created_by=bench_user, updated_by=bench_user,
                version=1 if status == created_in else 2,
            )
            feature.goal_ids = rng.sample(goal_ids, 1) if rng.random() < 0.15 else []
            first_status[len(features)] = created_in.pk
            features.append(feature)
    features = Feature.objects.bulk_create(features, batch_size=BATCH)
    counts.add("features", len(features))

    Feature.goals.through.objects.bulk_create([
        Feature.goals.through(feature_id=feature.pk, goal_id=goal_id)
        for feature in features for goal_id in feature.goal_ids
    ], batch_size=BATCH)
    _seed_feature_history(rng, features, first_status, bench_user, today, counts)
    _seed_dependencies(rng, products, features, counts)

    requirements, comments = [], []
    for feature in features:
        if rng.random() < 0.25:
            closed = feature.status.is_closed
            requirements += [Requirement(feature=feature, text=text, position=n, done=closed or rng.random() < 0.3)
                             for n, text in enumerate(rng.sample(REQUIREMENTS, rng.randint(2, 5)), start=1)]
        if rng.random() < 0.10:
            comments += [Comment(feature=feature, author=rng.choice(people), body=rng.choice(COMMENTS))
                         for _ in range(rng.randint(1, 4))]
    Requirement.objects.bulk_create(requirements, batch_size=BATCH)
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    counts.add("requirements", len(requirements))
    counts.add("comments", len(comments))


def _seed_feature_history(rng, features, first_status, user, today, counts) -> None:
    """A creation version per feature (in its first status, before its release started) and, when
    its status has moved on since, a second version with today's values during its release."""
    from releases.models import Feature

    history = Feature.history.model
    names = [f.attname for f in history._meta.concrete_fields if not f.name.startswith("history_")]
    now = datetime.now(tz=UTC)
    versions = []
    for index, feature in enumerate(features):
        values = {name: getattr(feature, name) for name in names}
        release = feature.release
        if release is not None:
            created = _moment(release.start_date - timedelta(days=rng.randint(1, 60)), rng)
        else:
            created = _moment(today - timedelta(days=rng.randint(1, 400)), rng)
        created = min(created, now - timedelta(days=1))
        versions.append(history(history_date=created, history_type="+", history_user=user,
                                **{**values, "status_id": first_status[index], "version": 1}))
        if feature.status_id != first_status[index]:
            if release is not None:
                low, high = max(release.start_date, created.date()), min(release.release_date, today)
            else:
                low, high = created.date(), today
            day = low + timedelta(days=rng.randint(0, max((high - low).days, 0)))
            versions.append(history(history_date=min(max(_moment(day, rng), created + timedelta(hours=1)), now),
                                    history_type="~", history_user=user, **values))
    history.objects.bulk_create(versions, batch_size=BATCH)
    counts.add("history versions", len(versions))


def _seed_dependencies(rng, products, features, counts) -> None:
    """Edges always point from a feature to one with a smaller id, so they never form a cycle."""
    from releases.models import Dependency

    by_product: dict[int, list] = {}
    for feature in features:
        by_product.setdefault(feature.product_id, []).append(feature)
    line_products: dict[int, list[int]] = {}
    for product in products:
        line_products.setdefault(product.parent_id, []).append(product.pk)
    pairs: set[tuple[int, int]] = set()
    while len(pairs) < DEPENDENCIES:
        product = rng.choices(products, weights=[len(by_product[p.pk]) for p in products])[0]
        own = by_product[product.pk]
        feature = own[rng.randint(1, len(own) - 1)]
        earlier_siblings = [pk for pk in line_products[product.parent_id] if pk < product.pk]
        if earlier_siblings and rng.random() < 0.10:
            pool = by_product[rng.choice(earlier_siblings)]
            target = rng.choice(pool)
        else:
            position = feature.number - 1  # `own` is in number order
            target = own[rng.randint(max(0, position - 200), position - 1)]
        if target.pk < feature.pk:
            pairs.add((feature.pk, target.pk))
    Dependency.objects.bulk_create([Dependency(feature_id=a, depends_on_id=b) for a, b in sorted(pairs)],
                                   batch_size=BATCH)
    counts.add("dependencies", len(pairs))


# --- command line ---------------------------------------------------------------------------------


def setup(*, fresh: bool = False, site_url: str = "http://127.0.0.1") -> float | None:
    """Configure and start Django on the bench database, (re)create, migrate and seed it.
    Returns the seconds seeding took, or None when the workspace was there already."""
    import django

    bench.configure(site_url=site_url)
    django.setup()
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    if "bench" not in name:
        raise SystemExit(f"The bench database's name must contain 'bench' (BENCH_DATABASE_URL names {name!r}), "
                         "so that the bench never writes to a development or test database.")
    if fresh:
        drop_database()
    prepare_database()
    return ensure_seeded()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.seed", description=__doc__.split("\n\n")[0])
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the bench database first")
    args = parser.parse_args(argv)
    setup(fresh=args.fresh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
