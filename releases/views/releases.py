"""Pages for a product's releases and their milestones. Thin views: selectors read, services
write; the release page's feature rows are built here in Python from `.values()` rows (a
release may hold 2,000 features)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from strategy import access
from strategy.forms import apply_service_errors
from strategy.history import history_entries
from strategy.web import display_value, product_for, their_changes, workspace_view

from .. import charts, selectors, services
from .. import render as draw
from ..forms.releases import MilestoneForm, ReleaseForm
from ..metrics import Conflict
from ..models import Milestone, Release, StatusCategory
from ..render import CATEGORY_CLASS
from . import lines
from .launch import launch_context
from .metrics import release_forecast

RELEASE_BADGE = {
    Release.Status.PLANNED: "todo",
    Release.Status.IN_PROGRESS: "doing",
    Release.Status.RELEASED: "done",
    Release.Status.CANCELLED: "wont",
}
RELEASE_FORM_FIELDS = ("name", "version_label", "theme", "start_date", "release_date", "status", "capacity")


# --- shared pieces ------------------------------------------------------------


@dataclass
class Timing:
    """Where a release stands in time, in words: "in 34 days", "released", "3 days overdue"."""

    text: str
    state: str  # upcoming, soon, today, overdue, released, cancelled
    days_left: int | None = None


@functools.lru_cache(maxsize=16)
def _words(language: str | None) -> dict:
    """The phrases of the release list and page in one language, translated once: `gettext`
    costs a thread-local lookup per call, which at 30 releases of a dozen phrases each was a
    tenth of the list's time."""
    return {
        "released": _("released"), "cancelled": _("cancelled"), "due today": _("due today"),
        "day overdue": _("%(n)d day overdue"), "days overdue": _("%(n)d days overdue"),
        "in 1 day": _("in 1 day"), "in days": _("in %(n)d days"),
        "no capacity": _("%(planned)s planned · no capacity set"),
        "features done": _("%(done)d of %(total)d features done"),
        "points done": _("%(done)s of %(total)s done"),
        "points title": _("%(done)s of %(total)s done (%(percent)d%%)"),
        "status": {value: str(label) for value, label in Release.Status.choices},
        # As the `M` of a date format draws them ("Jan"), by month number.
        "months": [""] + [MONTHS_3[month].title() for month in range(1, 13)],
    }


def _timing(release: Release, today: date) -> Timing:
    words = _words(get_language())
    if release.status == Release.Status.RELEASED:
        return Timing(words["released"], "released")
    if release.status == Release.Status.CANCELLED:
        return Timing(words["cancelled"], "cancelled")
    days = (release.release_date - today).days
    if days == 0:
        return Timing(words["due today"], "today", 0)
    if days < 0:
        late = -days
        return Timing(words["day overdue" if late == 1 else "days overdue"] % {"n": late}, "overdue", days)
    text = words["in 1 day"] if days == 1 else words["in days"] % {"n": days}
    return Timing(text, "soon" if days <= 14 else "upcoming", days)


def _percent(part, whole) -> int:
    return round(100 * Decimal(part) / Decimal(whole)) if whole else 0


@dataclass
class ReleaseSummary:
    """What the list and the release page show of a release's numbers."""

    release: Release
    dates: str
    timing: Timing
    count_percent: int
    estimate_percent: int
    count_bar: SafeString
    estimate_bar: SafeString
    capacity_bar: SafeString
    capacity_text: str
    over_capacity: bool
    estimate_figure: str = ""
    estimate_title: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    milestones: list[Milestone] = field(default_factory=list)

    @property
    def badge(self) -> str:
        return RELEASE_BADGE.get(self.release.status, "todo")


def _summary(release: Release, conflicts: list[Conflict], today: date,
             milestones: list[Milestone] | None = None) -> ReleaseSummary:
    """From a release of `selectors.release_list` (annotated counts and estimates, prefetched
    milestones), or of `selectors.release_overview` with its `milestones`."""
    words = _words(get_language())
    count_percent = _percent(release.done_count, release.feature_count)
    estimate_percent = _percent(release.done_estimate, release.planned_estimate)
    done_tone = "done" if release.status == Release.Status.RELEASED else ""
    over = release.capacity is not None and release.planned_estimate > release.capacity
    if release.capacity is None:
        capacity_text = words["no capacity"] % {"planned": charts.points(release.planned_estimate)}
    else:
        capacity_text = f"{charts.format_number(release.planned_estimate)} / {charts.points(release.capacity)}"
    return ReleaseSummary(
        release=release,
        dates=charts.date_range(release.start_date, release.release_date),
        timing=_timing(release, today),
        count_percent=count_percent,
        estimate_percent=estimate_percent,
        count_bar=charts.bar(count_percent, tone=done_tone, label=words["features done"] % {
            "done": release.done_count, "total": release.feature_count}),
        estimate_bar=charts.bar(estimate_percent, tone=done_tone, label=words["points done"] % {
            "done": charts.format_number(release.done_estimate), "total": charts.points(release.planned_estimate)}),
        capacity_bar=charts.capacity_bar(release.planned_estimate, release.capacity),
        capacity_text=capacity_text,
        over_capacity=over,
        estimate_figure=f"{charts.format_number(release.done_estimate)}/{charts.format_number(release.planned_estimate)}",
        estimate_title=words["points title"] % {
            "done": charts.format_number(release.done_estimate), "total": charts.points(release.planned_estimate),
            "percent": estimate_percent},
        conflicts=conflicts,
        milestones=list(release.milestones.all()) if milestones is None else milestones,
    )


def _release_url(workspace, product, release) -> str:
    return reverse("releases:release_detail", args=[workspace.slug, product.key, release.pk])


# --- release list -------------------------------------------------------------

_ALERT_ICON = ('<svg class="icon icon--sm" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
               '<path d="M12 4l9 16H3z"/><path d="M12 10v4.5M12 17.25v.01"/></svg>')


def _plural(count: int, word: str) -> str:
    return word if count == 1 else f"{word}s"


def _list_rows_html(workspace, product, rows: list[ReleaseSummary]) -> SafeString:
    """The release list's rows, built here rather than in a template loop: each row holds
    three bars, milestones and conflicts, which cost a template several ms per row."""
    url = reverse("releases:release_detail", args=[workspace.slug, product.key, 0]).replace("/0/", "/{}/")
    words = _words(get_language())
    status_label, months = words["status"], words["months"]
    parts = []
    for row in rows:
        r = row.release
        href = escape(url.format(r.pk))
        version = f'<span class="badge badge--key">{escape(r.version_label)}</span>' if r.version_label else ""
        if row.milestones:
            items = "".join(
                f'<li title="{escape(m.name)} · {m.date.day} {months[m.date.month]} {m.date.year:04d}">'
                f'<span class="rel-diamond" aria-hidden="true"></span><span class="rel-milestones__name">'
                f'{escape(m.name)}</span> <span class="subtle nowrap">{m.date.day} {months[m.date.month]}</span></li>'
                for m in row.milestones[:3])
            more = f'<li class="subtle">+{len(row.milestones) - 3} more</li>' if len(row.milestones) > 3 else ""
            milestones = f'<ul class="rel-milestones">{items}{more}</ul>'
        else:
            milestones = '<span class="subtle">—</span>'
        conflicts = ""
        if row.conflicts:
            count = len(row.conflicts)
            conflicts = (f'<a class="badge badge--warning" href="{href}#conflicts" '
                         f'title="{escape(" ".join(c.message for c in row.conflicts))}">{_ALERT_ICON}{count}'
                         f'<span class="sr-only"> {_plural(count, "conflict")}</span></a>')
        over = row.over_capacity
        parts.append(
            f'<tr class="rel-table__row{" row--muted" if r.status == Release.Status.CANCELLED else ""}">'
            f'<td><div class="rel-name"><a class="row-link" href="{href}">{escape(r.name)}</a>{version}</div>'
            f'<div class="rel-name__meta"><span class="badge badge--dot badge--status-{row.badge}">'
            f'{escape(status_label.get(r.status, r.status))}</span> <span class="subtle">{r.feature_count} '
            f'{_plural(r.feature_count, "feature")}</span></div></td>'
            f'<td data-label="Dates"><span class="rel-dates">{escape(row.dates)}</span> '
            f'<span class="rel-when rel-when--{row.timing.state}">{escape(capfirst(row.timing.text))}</span></td>'
            f'<td data-label="Progress" class="rel-table__progress">'
            f'<div class="rel-meter" title="{r.done_count} of {r.feature_count} features done">'
            f'<span class="rel-meter__label">Features</span>{row.count_bar}'
            f'<span class="rel-meter__figure">{r.done_count}/{r.feature_count}</span></div>'
            f'<div class="rel-meter" title="{escape(row.estimate_title)}"><span class="rel-meter__label">Points</span>'
            f'{row.estimate_bar}<span class="rel-meter__figure">{escape(row.estimate_figure)}</span></div></td>'
            f'<td data-label="Capacity" class="rel-table__capacity">'
            f'<div class="rel-meter rel-meter--capacity{" is-over" if over else ""}">{row.capacity_bar}</div>'
            f'<span class="rel-capacity{" rel-capacity--over" if over else ""}">{_ALERT_ICON if over else ""}'
            f'{escape(row.capacity_text)}</span></td>'
            f'<td data-label="Milestones">{milestones}</td>'
            f'<td class="col-shrink">{conflicts}</td></tr>')
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above (the bars by releases.charts)



@workspace_view
@require_GET
def release_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    if product.is_line:
        return lines.line_release_list(request, workspace, product)
    today = timezone.localdate()
    releases = list(selectors.release_list(user=request.user, product=product))
    plan = selectors.plan_for(product_ids=[product.pk] if releases else [])
    rows = [_summary(r, plan.of_release(r.pk), today) for r in releases]
    upcoming = [row for row in rows if row.release.status not in (Release.Status.RELEASED, Release.Status.CANCELLED)]
    return render(request, "releases/release_list.html", {
        "workspace": workspace, "product": product, "rows": rows,
        "rows_html": _list_rows_html(workspace, product, rows),
        "upcoming_count": len(upcoming),
        "can_edit": access.can(request.user, "releases.edit", product),
    })


# --- release page -------------------------------------------------------------


def _feature_sections(grouped: dict[str, list[dict]], conflicts: dict[int, list[Conflict]],
                      feature_url) -> SafeString:
    """The release's features as one dense table, a row group per status category, built
    in Python: at 2,000 rows a template loop would cost most of the page's time."""
    e = escape
    out = [
        '<table class="table table--compact rel-features">',
        '<thead><tr><th scope="col" class="col-shrink">Key</th><th scope="col">Feature</th>'
        '<th scope="col">Status</th><th scope="col">Assignee</th>'
        '<th scope="col" class="col-num">Estimate</th>'
        '<th scope="col" class="col-shrink"><span class="sr-only">Conflicts</span></th></tr></thead>',
    ]
    people = {None: '<span class="subtle">—</span>'}
    estimates = {None: "—"}
    for category, label in StatusCategory.choices:
        rows = grouped.get(category) or []
        if not rows:
            continue
        badge = CATEGORY_CLASS[category]
        estimate = sum((row["estimate"] or Decimal(0) for row in rows), Decimal(0))
        out.append(
            f'<tbody class="rel-group rel-group--{badge}"><tr class="rel-group__head">'
            f'<th scope="rowgroup" colspan="6" id="group-{category}"><span class="rel-group__title">'
            f'<span class="rel-dot rel-dot--{badge}" aria-hidden="true"></span>{e(str(label))}'
            f'<span class="count">{len(rows)}</span></span>'
            f'<span class="rel-group__meta">{e(charts.points(estimate))}</span></th></tr>'
        )
        for row in rows:
            key = e(row["key"])
            title = e(row["title"])
            href = e(feature_url(row["number"]))
            key_html = f'<a class="rel-key" href="{href}">{key}</a>'
            title_html = f'<a class="row-link" href="{href}">{title}</a>'
            person = people.get(row["assignee_id"])
            if person is None:  # drawn once per assignee: a few people hold most rows
                name = row["assignee__full_name"] or row["assignee__email"] or ""
                initials = draw.initials(row["assignee__full_name"], row["assignee__email"]) or "?"
                person = people[row["assignee_id"]] = (
                    f'<span class="person"><span class="avatar avatar--sm" data-initial="{e(initials[:1])}" '
                    f'aria-hidden="true">{e(initials)}</span><span class="person__name">{e(name)}</span></span>')
            estimate_text = estimates.get(row["estimate"])
            if estimate_text is None:
                estimate_text = estimates[row["estimate"]] = charts.format_number(row["estimate"])
            found = conflicts.get(row["id"])
            if found:
                words = " ".join(c.message for c in found)
                flag = (f'<span class="rel-flag" title="{e(words)}"><svg class="icon icon--sm" viewBox="0 0 24 24" '
                        'aria-hidden="true" focusable="false"><path d="M12 4l9 16H3z"/><path d="M12 10v4.5M12 '
                        f'17.25v.01"/></svg><span class="sr-only">Conflict: {e(words)}</span></span>')
                row_class = ' class="rel-row--conflict"'
            else:
                flag, row_class = "", ""
            # Cells carry no classes: releases.css styles them by column, which keeps 2,000 rows light.
            out.append(
                f"<tr{row_class}><td>{key_html}</td><td>{title_html}</td><td><span class=\"badge badge--dot "
                f"badge--status-{badge}\">{e(row['status__name'])}</span></td><td>{person}</td>"
                f"<td>{estimate_text}</td><td>{flag}</td></tr>"
            )
        out.append("</tbody>")
    out.append("</table>")
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or numeric


@workspace_view
@require_GET
def release_detail(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    return render_release_page(request, workspace, product, pk)


def render_release_page(request, workspace, product, pk: int, **launch_forms) -> HttpResponse:
    """The release page; `launch_forms` are bound forms of its launch section to show again
    with their messages (todo_form, phase_form)."""
    today = timezone.localdate()
    overview = selectors.release_overview(user=request.user, product=product, pk=pk, today=today)
    return _render_release(request, workspace, product, overview, today, launch_forms)


def _render_release(request, workspace, product, overview, today, launch_forms) -> HttpResponse:
    release = overview.release
    summary = _summary(release, overview.conflicts.all, today, overview.milestones)
    progress = overview.progress
    feature_count = sum(len(rows) for rows in overview.features_by_category.values())
    window = (release.release_date - release.start_date).days + 1
    elapsed = min(max((today - release.start_date).days + 1, 0), window)
    for milestone in summary.milestones:
        milestone.days = (milestone.date - today).days
        milestone.days_ago = -milestone.days
    forecast = release_forecast(release, overview.delivery)
    chart = charts.burn_up_chart(
        overview.burn_up, start=release.start_date, end=release.release_date, today=today,
        milestones=[(m.date, m.name) for m in summary.milestones], name=str(release), forecast=forecast.cone,
    )
    feature_url = draw.Links.for_product(workspace.slug, product.key).feature
    numbers = {row["id"]: row["number"] for rows in overview.features_by_category.values() for row in rows}
    conflicts = [
        {"message": c.message,
         "url": feature_url(numbers[c.feature_id]) if feature_url and c.feature_id in numbers else ""}
        for c in overview.conflicts.all
    ]
    capacity = release.capacity
    milestone_form = MilestoneForm()
    return render(request, "releases/release_detail.html", {
        "workspace": workspace, "product": product, "release": release, "summary": summary,
        "progress": progress, "feature_count": feature_count,
        "estimate_done": charts.format_number(progress.estimate_done),
        "estimate_total": charts.points(progress.estimate_total),
        "capacity_percent": _percent(release.planned_estimate, capacity) if capacity else 0,
        "over_by": charts.points(release.planned_estimate - capacity) if summary.over_capacity else "",
        "window_days": window, "elapsed_days": elapsed, "started": today >= release.start_date,
        "days_to_start": (release.start_date - today).days,
        "time_bar": charts.bar(100 * elapsed / window, tone="muted", label=_("%(n)d of %(total)d days gone") % {
            "n": elapsed, "total": window}),
        "chart": chart, "forecast": forecast,
        "chart_table": charts.burn_up_table(overview.burn_up, name=str(release)),
        "features_html": _feature_sections(overview.features_by_category, overview.conflicts.by_feature,
                                           feature_url) if feature_count else "",
        "by_category": [(value, label, len(overview.features_by_category.get(value) or []), CATEGORY_CLASS[value])
                        for value, label in StatusCategory.choices],
        "conflicts": conflicts,
        "milestone_form": milestone_form,
        "milestone_fields": draw.fields_html("releases/_milestone_fields.html", milestone_form),
        "history": history_entries(release, limit=10, known=[product]),
        "can_edit": access.can(request.user, "releases.edit", release),
        **launch_context(request, workspace, product, release, today, **launch_forms),
    })


# --- release create, edit, delete ------------------------------------------------


def _release_initial(release: Release) -> dict:
    initial = {name: getattr(release, name) for name in RELEASE_FORM_FIELDS}
    if release.capacity is not None and release.capacity == release.capacity.to_integral_value():
        initial["capacity"] = int(release.capacity)  # 80, not 80.0
    initial["version"] = release.version
    return initial


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def release_create(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = ReleaseForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                release = services.release_create(actor=request.user, product=product, **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Release “%(name)s” created.") % {"name": str(release)})
                return redirect(_release_url(workspace, product, release))
        return _render_release_form(request, workspace, product, form, status=400)
    return _render_release_form(request, workspace, product, form)


def _render_release_form(request, workspace, product, form, *, release=None, theirs=None, status=200):
    cancel = _release_url(workspace, product, release) if release else reverse(
        "releases:release_list", args=[workspace.slug, product.key])
    return render(request, "releases/release_form.html", {
        "workspace": workspace, "product": product, "release": release, "form": form, "theirs": theirs,
        "cancel_url": cancel,
    }, status=status)


def _display(field, value) -> str:
    """A value as the form shows it; capacity in points."""
    if value is not None and field.__class__.__name__ == "DecimalField":
        return charts.points(value)
    return display_value(field, value)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def release_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    release = selectors.release_get(user=request.user, product=product, pk=pk)
    form = ReleaseForm(request.POST or None, initial=_release_initial(release))
    if request.method == "GET":
        return _render_release_form(request, workspace, product, form, release=release)
    theirs = None
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.release_update(actor=request.user, release=release, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                current = selectors.release_get(user=request.user, product=product, pk=release.pk)
                yours = {name: form.cleaned_data.get(name) for name in RELEASE_FORM_FIELDS}
                theirs = their_changes(form, current, yours, display=_display)
                return _render_release_form(request, workspace, product, form, release=release, theirs=theirs,
                                            status=409)
        else:
            messages.success(request, _("Release saved."))
            return redirect(_release_url(workspace, product, release))
    return _render_release_form(request, workspace, product, form, release=release, status=400)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def release_delete(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the release and its milestones. Its features
    stay in the backlog, unscheduled."""
    product = product_for(request, workspace, key)
    release = selectors.release_get(user=request.user, product=product, pk=pk)
    if request.method == "POST":
        name = str(release)
        services.release_delete(actor=request.user, release=release)
        messages.success(request, _("Release “%(name)s” deleted. Its features are back in the backlog, "
                                    "unscheduled.") % {"name": name})
        return redirect("releases:release_list", ws=workspace.slug, key=product.key)
    return render(request, "releases/release_delete.html", {
        "workspace": workspace, "product": product, "release": release,
        "feature_total": release.features.count(),
        "milestone_count": len(release.milestones.all()),
    })


# --- milestones -----------------------------------------------------------------


def _milestone_of(release: Release, pk: int) -> Milestone:
    """A milestone of the (already visible) release, from its prefetched milestones."""
    milestone = next((m for m in release.milestones.all() if m.pk == pk), None)
    if milestone is None:
        raise Http404("No such milestone.")
    return milestone


def _render_milestone_form(request, workspace, product, release, form, *, milestone=None, status=200):
    return render(request, "releases/milestone_form.html", {
        "workspace": workspace, "product": product, "release": release, "form": form, "milestone": milestone,
        "cancel_url": _release_url(workspace, product, release) + "#milestones",
    }, status=status)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def milestone_create(request: HttpRequest, workspace, key: str, release_pk: int) -> HttpResponse:
    """From the release page's small form (POST), or a page of its own (GET)."""
    product = product_for(request, workspace, key)
    release = selectors.release_get(user=request.user, product=product, pk=release_pk)
    form = MilestoneForm(request.POST or None)
    if request.method == "GET":
        return _render_milestone_form(request, workspace, product, release, form)
    if form.is_valid():
        try:
            milestone = services.milestone_create(actor=request.user, release=release, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Milestone “%(name)s” added.") % {"name": milestone.name})
            return redirect(_release_url(workspace, product, release) + "#milestones")
    return _render_milestone_form(request, workspace, product, release, form, status=400)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, workspace, key: str, release_pk: int, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    release = selectors.release_get(user=request.user, product=product, pk=release_pk)
    milestone = _milestone_of(release, pk)
    initial = {"name": milestone.name, "date": milestone.date, "description": milestone.description}
    form = MilestoneForm(request.POST or None, initial=initial)
    if request.method == "GET":
        return _render_milestone_form(request, workspace, product, release, form, milestone=milestone)
    if form.is_valid():
        try:
            services.milestone_update(actor=request.user, milestone=milestone, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Milestone saved."))
            return redirect(_release_url(workspace, product, release) + "#milestones")
    return _render_milestone_form(request, workspace, product, release, form, milestone=milestone, status=400)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def milestone_delete(request: HttpRequest, workspace, key: str, release_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the milestone."""
    product = product_for(request, workspace, key)
    release = selectors.release_get(user=request.user, product=product, pk=release_pk)
    milestone = _milestone_of(release, pk)
    if request.method == "POST":
        services.milestone_delete(actor=request.user, milestone=milestone)
        messages.success(request, _("Milestone “%(name)s” deleted.") % {"name": milestone.name})
        return redirect(_release_url(workspace, product, release) + "#milestones")
    return render(request, "releases/milestone_delete.html", {
        "workspace": workspace, "product": product, "release": release, "milestone": milestone,
    })
