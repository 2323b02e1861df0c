"""The seams of `releases` for the apps above it, and what `releases` tells the app below.

- `feature_summaries`: the registry of batch providers for features (see
  `strategy.extensions` for the contract). Feedback (demand per feature) and metrics
  (forecast, adoption) register here in their `AppConfig.ready()`; the feature page shows
  one panel per summary, without naming them.
- `product_delivery_summaries`: the provider `releases` registers with
  `strategy.extensions.product_summaries`, so the product page shows releases and features.
- `product_launch_summaries`: registered as "launch" with `product_summaries`: the launch
  readiness of each product's next release (to-dos done against time gone, overdue to-dos).
  The executive dashboard and the product hub read it from that registry;
  `launch_readiness(releases, today=…)` gives the same figures for any list of releases.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from strategy.extensions import Figure, Link, Row, Summary, SummaryRegistry, covered_products
from strategy.models import Initiative, Product

from . import metrics
from .models import Feature, Milestone, Release, StatusCategory
from .render import format_points
from .selectors import planning as planning_selectors
from .selectors.launch import readiness_of, todo_count_annotations

feature_summaries: SummaryRegistry[Feature] = SummaryRegistry("feature")
"""What higher apps know of a feature: the feature page shows one panel per summary."""


def product_delivery_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """Releases and features of each product (for a product line, of its products): how many
    releases, the next one with its date and progress, and features by status category. Three
    queries at most for any number of products; the products come with their workspace
    loaded (as `strategy.selectors` returns them)."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    releases = list(
        Release.objects.filter(product_id__in=ids).exclude(status=Release.Status.CANCELLED)
        .order_by("release_date", "start_date", "id")
        .values("id", "product_id", "product__key", "name", "version_label", "release_date", "status"))
    # The features counted once, by product, release and status category: both the products'
    # and the releases' figures come from it (joining releases to their features read every
    # feature of the table, 17 ms for a line of 9,600 features).
    categories: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    in_release: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in (Feature.objects.filter(product_id__in=ids).order_by()
                .values("product_id", "release_id", "status__category").annotate(n=Count("id"))):
        categories[row["product_id"]][row["status__category"]] += row["n"]
        if row["release_id"]:
            in_release[row["release_id"]][row["status__category"]] += row["n"]
    releases_of: dict[int, list[dict]] = defaultdict(list)
    for release in releases:
        found = in_release[release["id"]]
        release["feature_count"] = sum(n for category, n in found.items() if category != StatusCategory.WONT_DO)
        release["done_count"] = found[StatusCategory.DONE]
        releases_of[release["product_id"]].append(release)
    today = timezone.localdate()
    summaries = {}
    for product in products:
        mine = sorted((r for pk in covered[product.pk] for r in releases_of[pk]),
                      key=lambda r: (r["release_date"], r["id"]))
        counts: dict[str, int] = defaultdict(int)
        for pk in covered[product.pk]:
            for category, n in categories[pk].items():
                counts[category] += n
        summaries[product.pk] = _delivery_summary(product, mine, counts, today)
    return summaries


def _delivery_summary(product: Product, releases: list[dict], categories: dict[str, int], today) -> Summary:
    args = [product.workspace.slug, product.key]
    text = _("Dated releases with milestones, and the features planned into them.")
    links = () if product.is_line else (
        Link(_("Releases"), reverse("releases:release_list", args=args)),
        Link(_("Backlog"), reverse("releases:backlog", args=args)))
    total = sum(categories.values())
    if not releases and not total:
        return Summary(title=_("Releases & features"), icon="calendar", text=text, links=links,
                       status=_("No releases yet"))
    released = sum(1 for r in releases if r["status"] == Release.Status.RELEASED)
    figures = [Figure(_("Releases"), _("%(count)d, %(released)d released") % {
        "count": len(releases), "released": released},
        url="" if product.is_line else reverse("releases:release_list", args=args))]
    upcoming = next((r for r in releases if r["status"] != Release.Status.RELEASED and r["release_date"] >= today),
                    None)
    if upcoming is not None:
        name = " ".join(filter(None, [upcoming["product__key"] if product.is_line else "",
                                      upcoming["version_label"], upcoming["name"]]))
        share = 100 * upcoming["done_count"] / upcoming["feature_count"] if upcoming["feature_count"] else 0
        figures.append(Figure(
            _("Next: %(name)s, %(date)s") % {"name": name, "date": upcoming["release_date"].strftime("%-d %b %Y")},
            _("%(done)d of %(count)d done") % {"done": upcoming["done_count"], "count": upcoming["feature_count"]},
            percent=share,
            url=reverse("releases:release_detail", args=[product.workspace.slug, upcoming["product__key"],
                                                         upcoming["id"]])))
    open_ = total - categories.get(StatusCategory.WONT_DO, 0)
    done = categories.get(StatusCategory.DONE, 0)
    figures.append(Figure(_("Features done"), _("%(done)d of %(count)d") % {"done": done, "count": open_},
                          percent=100 * done / open_ if open_ else 0))
    in_progress, not_started = (categories.get(StatusCategory.IN_PROGRESS, 0),
                                categories.get(StatusCategory.NOT_STARTED, 0))
    figures.append(Figure(_("In progress · not started"), f"{in_progress} · {not_started}"))
    return Summary(title=_("Releases & features"), icon="calendar", text=text, figures=tuple(figures),
                   links=links, status="" if upcoming else _("No release coming up"))


def launch_readiness(releases: Sequence[Release], *, today) -> dict[int, metrics.Readiness]:
    """{release id: launch readiness} for the releases (with their dates and status); one query."""
    return readiness_of(list(releases), today=today)


def next_releases(product_ids: Sequence[int], *, today) -> QuerySet[Release]:
    """The next release of each of these products: the first by date (then id) not yet due
    before `today`, neither released nor cancelled. The first per product is picked in a
    subquery, so annotating the queryset reads no other release."""
    upcoming = (Release.objects.filter(product_id__in=product_ids, release_date__gte=today)
                .exclude(status__in=[Release.Status.RELEASED, Release.Status.CANCELLED]))
    first = upcoming.order_by("product_id", "release_date", "id").distinct("product_id").values("pk")
    return Release.objects.filter(pk__in=Subquery(first)).order_by("release_date", "id")


def product_launch_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """For each product (a product line: its products), the launch readiness of its next
    release still to come: share of launch to-dos done, time gone, overdue to-dos. One
    query for any number of products."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    today = timezone.localdate()
    upcoming = list(next_releases(ids, today=today)
                    .select_related("product").only("id", "name", "version_label", "start_date", "release_date",
                                                    "status", "product_id", "product__key")
                    .annotate(**todo_count_annotations(today)))
    ready = {r.pk: metrics.readiness(total=r.todo_total, done=r.todo_done, overdue=r.todo_overdue,
                                     start=r.start_date, release_date=r.release_date, today=today, status=r.status)
             for r in upcoming}
    summaries = {}
    for product in products:
        mine = [r for r in upcoming if r.product_id in covered[product.pk]]
        release = mine[0] if mine else None
        if release is None:
            summaries[product.pk] = Summary(title=_("Launch readiness"), icon="check-circle",
                                            status=_("No release coming up"))
            continue
        found = ready[release.pk]
        url = reverse("releases:release_detail", args=[product.workspace.slug, release.product.key, release.pk])
        name = str(release)
        if found.total == 0:
            summaries[product.pk] = Summary(
                title=_("Launch readiness"), icon="check-circle", links=(Link(name, url + "#launch"),),
                status=_("%(release)s has no launch to-dos yet") % {"release": name})
            continue
        figures = [Figure(_("%(release)s: %(state)s") % {"release": name, "state": found.label},
                          _("%(done)d of %(total)d to-dos done") % {"done": found.done, "total": found.total},
                          percent=found.percent, url=url + "#launch"),
                   Figure(_("Time gone"), f"{found.time_percent}%", percent=found.time_percent)]
        if found.overdue:
            figures.append(Figure(_("Overdue to-dos"), str(found.overdue), url=url + "#launch"))
        summaries[product.pk] = Summary(title=_("Launch readiness"), icon="check-circle", figures=tuple(figures),
                                        text=_("Launch to-dos done against the time gone to the release date."))
    return summaries


# --- the product page's overview: schedule, conflicts and recent changes --------------------------

SCHEDULE_DAYS = 91
CONFLICTS_SHOWN = 6
CHANGES_SHOWN = 8
# The fields a change names ("changed status, release"), as history rows store them.
CHANGE_FIELDS = {"title": _("title"), "description": _("description"), "status_id": _("status"),
                 "release_id": _("release"), "initiative_id": _("initiative"), "estimate": _("estimate"),
                 "start_date": _("start"), "end_date": _("end"), "assignee_id": _("assignee"),
                 "reach": _("reach"), "impact": _("impact"), "confidence": _("confidence"),
                 "effort": _("effort"), "tags": _("tags"), "usage_key": _("usage key")}


def _day(value) -> str:
    return value.strftime("%-d %b %Y")


def _progress_item(release: dict, slug: str, *, lead: str, today) -> Row:
    count, done = release["feature_count"], release["done_count"]
    name = " ".join(filter(None, [release["product__key"], release["version_label"], release["name"]]))
    days = (release["release_date"] - today).days
    when = (_("ships in %(n)d days, %(date)s") % {"n": days, "date": _day(release["release_date"])} if days >= 0
            else _("was due %(date)s") % {"date": _day(release["release_date"])})
    return Row(label=f"{lead}: {name}", url=reverse("releases:release_detail", args=[
        slug, release["product__key"], release["id"]]),
        note=_("%(done)d of %(count)d done · %(when)s") % {"done": done, "count": count, "when": when},
        percent=100 * done / count if count else 0, tone="warning" if days < 0 else "")


def product_schedule_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """The current and the next release of each product (of a line's products) with progress
    and dates, and what falls in the next quarter: releases and milestones. Three queries at
    most for any number of products."""
    covered = covered_products(products)
    ids = sorted({pk for pks in covered.values() for pk in pks})
    today = timezone.localdate()
    horizon = today + timedelta(days=SCHEDULE_DAYS)
    counted = ~Q(features__status__category=StatusCategory.WONT_DO)
    open_releases = list(
        Release.objects.filter(product_id__in=ids, status__in=[Release.Status.PLANNED, Release.Status.IN_PROGRESS])
        .order_by("release_date", "id")
        .values("id", "product_id", "product__key", "name", "version_label", "start_date", "release_date", "status")
        .annotate(feature_count=Count("features", filter=counted),
                  done_count=Count("features", filter=Q(features__status__category=StatusCategory.DONE))))
    milestones = list(Milestone.objects.filter(
        release__product_id__in=ids, date__gte=today, date__lte=horizon,
        release__status__in=[Release.Status.PLANNED, Release.Status.IN_PROGRESS],
    ).order_by("date", "id").values("name", "date", "release_id", "release__product_id", "release__product__key",
                                   "release__name"))
    summaries = {}
    for product in products:
        mine = set(covered[product.pk])
        releases = [r for r in open_releases if r["product_id"] in mine]
        current = [r for r in releases if r["status"] == Release.Status.IN_PROGRESS or r["start_date"] <= today]
        upcoming = [r for r in releases if r not in current]
        slug = product.workspace.slug
        items = [_progress_item(r, slug, lead=_("Current"), today=today) for r in current[:3]]
        items += [_progress_item(r, slug, lead=_("Next"), today=today) for r in upcoming[:1]]
        quarter = [(r["release_date"], r["name"], _("release"), r["product__key"], r["id"]) for r in releases
                   if today <= r["release_date"] <= horizon]
        quarter += [(m["date"], m["name"], _("milestone of %(release)s") % {"release": m["release__name"]},
                     m["release__product__key"], m["release_id"])
                    for m in milestones if m["release__product_id"] in mine]
        quarter.sort(key=lambda entry: (entry[0], entry[1]))
        items += [Row(label=f"{_day(when)} · {name}", note=f"{key} {kind}" if product.is_line else str(kind),
                       url=reverse("releases:release_detail", args=[slug, key, release_id]))
                  for when, name, kind, key, release_id in quarter[:8]]
        if not items:
            continue
        summaries[product.pk] = Summary(
            title=_("Schedule"), icon="calendar", wide=True,
            text=_("The release under way and the next one, then the next quarter's releases and milestones."),
            items=tuple(items), status="" if quarter else _("Nothing due in the next quarter"))
    return summaries


# The blocks `metrics.conflicts` finds conflicts in: phases, features against their
# release, dependencies, capacity.
_RULE_BLOCK = {metrics.PHASE_AFTER_RELEASE: 0, metrics.ENDS_AFTER_RELEASE: 1, metrics.UNFINISHED_IN_RELEASED: 1,
               metrics.ENDS_BEFORE_DEPENDENCY: 2, metrics.OVER_CAPACITY: 3}


def product_conflict_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """The conflicts of each product's plan (of a line's products) worth a look: features that
    end after their release or before what they depend on, releases over capacity. They come
    from the plan cache (`plan_for`: one query while the plan is unchanged), and the keys of
    the features and releases shown in two small queries, one product at a time (the product
    page asks for one)."""
    covered = covered_products(products)
    summaries = {}
    for product in products:
        conflicts = planning_selectors.plan_for(product_ids=covered[product.pk]).conflicts.all
        if not conflicts:
            continue
        # The cache keeps the rules' order over features in rank order; the card lists the
        # features' own conflicts oldest feature first (each rule's block stays in place).
        shown = sorted(conflicts, key=lambda c: (_RULE_BLOCK[c.rule], c.feature_id or 0 if _RULE_BLOCK[c.rule] == 1
                                                 else 0))[:CONFLICTS_SHOWN]
        features = {pk: (key, number) for pk, key, number in Feature.objects.filter(
            product_id__in=covered[product.pk], pk__in={c.feature_id for c in shown if c.feature_id},
        ).values_list("pk", "product__key", "number")}
        release_ids = {c.release_id for c in shown if c.release_id and not c.feature_id}
        keys = dict(Release.objects.filter(pk__in=release_ids).values_list("pk", "product__key")) if release_ids else {}
        items = []
        for conflict in shown:
            url = ""
            if conflict.feature_id in features:
                url = reverse("releases:feature_detail", args=[product.workspace.slug,
                                                               *features[conflict.feature_id]])
            elif conflict.release_id in keys:
                url = reverse("releases:release_detail", args=[product.workspace.slug, keys[conflict.release_id],
                                                               conflict.release_id])
            items.append(Row(label=conflict.message, url=url, tone="warning"))
        summaries[product.pk] = Summary(
            title=_("Conflicts to look at"), icon="alert", wide=True, items=tuple(items),
            text=_("%(count)d in the plan: dates, dependencies and capacity that do not fit.") % {
                "count": len(conflicts)})
    return summaries


def product_change_summaries(products: Sequence[Product]) -> dict[int, Summary]:
    """The latest changes to each product's features (of a line's products): who created,
    changed (naming the fields) or deleted which feature, and when. Three queries per product."""
    covered = covered_products(products)
    history = Feature.history.model
    summaries = {}
    for product in products:
        latest = list(history.objects.filter(product_id__in=covered[product.pk]).order_by("-history_date", "-pk")
                      .annotate(previous_id=Subquery(
                          history.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
                          .order_by("-history_date", "-pk").values("pk")[:1]))
                      .values("pk", "id", "number", "title", "history_type", "history_date", "previous_id",
                              "product__key", "history_user__full_name", "history_user__email",
                              *CHANGE_FIELDS)[:CHANGES_SHOWN])
        if not latest:
            continue
        previous = {row["pk"]: row for row in history.objects.filter(
            pk__in=[row["previous_id"] for row in latest if row["previous_id"]]).values("pk", *CHANGE_FIELDS)}
        live = set(Feature.objects.filter(pk__in=[row["id"] for row in latest]).values_list("pk", flat=True))
        items = []
        for row in latest:
            who = row["history_user__full_name"] or row["history_user__email"] or _("Someone")
            key = f"{row['product__key']}-{row['number']}"
            if row["history_type"] == "+":
                what = _("created")
            elif row["history_type"] == "-":
                what = _("deleted")
            else:
                before = previous.get(row["previous_id"], {})
                changed = [str(label) for name, label in CHANGE_FIELDS.items() if before and before[name] != row[name]]
                what = _("changed %(fields)s") % {"fields": ", ".join(changed)} if changed else _("edited")
            url = reverse("releases:feature_detail", args=[product.workspace.slug, row["product__key"],
                                                           row["number"]]) if row["id"] in live else ""
            items.append(Row(label=f"{key} {row['title']}", url=url,
                              note=_("%(who)s %(what)s, %(when)s ago") % {
                                  "who": who, "what": what, "when": timesince(row["history_date"]).split(",")[0]}))
        summaries[product.pk] = Summary(title=_("Recent changes"), icon="edit", wide=True, items=tuple(items))
    return summaries


# --- an initiative's features across releases ------------------------------------------------------

INITIATIVE_FEATURES_SHOWN = 40


def _initiative_feature_rows(initiatives: Sequence[Initiative]) -> dict[int, list[dict]]:
    """{initiative id: its features as rows, in release order}; one query."""
    found: dict[int, list[dict]] = defaultdict(list)
    for row in (Feature.objects.filter(initiative__in=initiatives)
                .order_by(F("release__release_date").asc(nulls_last=True), "release_id", "rank", "id")
                .values("id", "number", "title", "initiative_id", "estimate", "start_date", "end_date",
                        "status__name", "status__category", "release_id", "release__name",
                        "release__start_date", "release__release_date", "product__key", "workspace__slug")):
        found[row["initiative_id"]].append(row)
    return found


def initiative_progress_summaries(initiatives: Sequence[Initiative]) -> dict[int, Summary]:
    """Each initiative's progress across releases: features and estimate done (won't-do left
    out), the dates its features span (their own, or their release's), and progress per
    release. One query for any number of initiatives."""
    rows = _initiative_feature_rows(initiatives)
    summaries = {}
    for initiative in initiatives:
        scope = [row for row in rows[initiative.pk] if row["status__category"] != StatusCategory.WONT_DO]
        if not scope:
            continue
        slug = scope[0]["workspace__slug"]
        done = [row for row in scope if row["status__category"] == StatusCategory.DONE]
        estimate = sum((row["estimate"] or 0 for row in scope), Decimal(0))
        done_estimate = sum((row["estimate"] or 0 for row in done), Decimal(0))
        starts = [day for day in (row["start_date"] or row["release__start_date"] for row in scope) if day]
        ends = [day for day in (row["end_date"] or row["release__release_date"] for row in scope) if day]
        figures = (
            Figure(_("Features done"), _("%(done)d of %(count)d") % {"done": len(done), "count": len(scope)},
                   percent=100 * len(done) / len(scope)),
            Figure(_("Estimate done"), _("%(done)s of %(total)s points") % {
                "done": format_points(done_estimate), "total": format_points(estimate)},
                percent=float(100 * done_estimate / estimate) if estimate else 0),
            Figure(_("Dates spanned"), f"{_day(min(starts))} – {_day(max(ends))}" if starts and ends
                   else _("No dates yet")),
        )
        by_release: dict[int | None, list[dict]] = defaultdict(list)
        for row in scope:
            by_release[row["release_id"]].append(row)
        items = []
        for release_id, features in by_release.items():
            first = features[0]
            finished = sum(1 for row in features if row["status__category"] == StatusCategory.DONE)
            note = _("%(done)d of %(count)d done") % {"done": finished, "count": len(features)}
            if release_id:
                note += f" · {_day(first['release__release_date'])}"
            items.append(Row(
                label=first["release__name"] if release_id else _("Not scheduled"), note=note,
                percent=100 * finished / len(features),
                url=reverse("releases:release_detail", args=[slug, first["product__key"], release_id])
                if release_id else ""))
        summaries[initiative.pk] = Summary(
            title=_("Progress across releases"), icon="calendar", figures=figures,
            items=tuple(items), items_label=_("By release"), wide=True)
    return summaries


def initiative_feature_summaries(initiatives: Sequence[Initiative]) -> dict[int, Summary]:
    """Each initiative's features in release order, with status and release; one query."""
    rows = _initiative_feature_rows(initiatives)
    summaries = {}
    for initiative in initiatives:
        mine = rows[initiative.pk]
        if not mine:
            continue
        slug = mine[0]["workspace__slug"]
        items = tuple(Row(
            label=f"{row['product__key']}-{row['number']} {row['title']}",
            url=reverse("releases:feature_detail", args=[slug, row["product__key"], row["number"]]),
            note=" · ".join([row["status__name"], row["release__name"] or str(_("no release"))]))
            for row in mine[:INITIATIVE_FEATURES_SHOWN])
        summaries[initiative.pk] = Summary(
            title=_("Features"), icon="roadmap", items=items, wide=True,
            status=_("First %(n)d of %(count)d") % {"n": INITIATIVE_FEATURES_SHOWN, "count": len(mine)}
            if len(mine) > INITIATIVE_FEATURES_SHOWN else "")
    return summaries
