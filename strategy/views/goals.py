"""Pages for goals with their key results and check-ins, and for a product's initiatives.

Views stay adapters: selectors read (scoped to the user's workspaces, so another
workspace's records are 404), services write (and refuse viewers with 403). What is
computed here is presentation only: the rows the templates draw, with their small
SVG charts built once in Python (strategy.charts)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import trigger_client_event

from .. import access, charts, metrics, selectors, services
from ..extensions import Summary, initiative_summaries, key_result_summaries
from ..filters import COMPANY, GoalFilterSet
from ..forms import apply_service_errors
from ..forms.goals import CheckInForm, GoalForm, InitiativeForm, KeyResultForm, quarter_bounds
from ..history import history_entries
from ..models import CheckIn, Goal, Initiative, KeyResult, Product, Workspace
from ..selectors import GoalView
from ..web import product_for, query_string, workspace_view

CHECK_IN_EVENT = "check-in-recorded"

# The order of the summary strip, and which statuses it always shows even at zero.
STATUS_ORDER = [
    metrics.ON_TRACK, metrics.AT_RISK, metrics.OFF_TRACK, metrics.ACHIEVED, metrics.MISSED,
    metrics.NOT_STARTED, metrics.NO_KEY_RESULTS,
]
ALWAYS_SHOWN = {metrics.ON_TRACK, metrics.AT_RISK, metrics.OFF_TRACK}

INITIATIVE_BADGE = {
    Initiative.Status.PROPOSED: "todo",
    Initiative.Status.ACTIVE: "doing",
    Initiative.Status.DONE: "done",
    Initiative.Status.CANCELLED: "wont",
}
INITIATIVE_ORDER = {
    Initiative.Status.ACTIVE: 0, Initiative.Status.PROPOSED: 1, Initiative.Status.DONE: 2,
    Initiative.Status.CANCELLED: 3,
}


# --- presentation rows --------------------------------------------------------


def _day(value: date) -> str:
    return f"{value.day} {value:%b %Y}"


def _time_frame(start: date, end: date) -> str:
    return f"{_day(start)} – {_day(end)}"


def _remaining(start: date, end: date, today: date) -> tuple[str, str]:
    """Words for where today sits in the time frame, and a state for styling."""
    if today > end:
        return _("ended"), "ended"
    if today < start:
        days = (start - today).days
        return ngettext("starts tomorrow", "starts in %(n)d days", days) % {"n": days}, "upcoming"
    days = (end - today).days
    if days == 0:
        return _("last day"), "soon"
    return ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}, "soon" if days <= 14 else "running"


@dataclass
class GoalRow:
    """A goal as the lists draw it."""

    goal: Goal
    health: metrics.GoalHealth
    key_result_count: int
    time_frame: str
    remaining: str
    remaining_state: str
    bar: str
    progress_text: str
    expected_text: str
    show_expected: bool


def _goal_row(view: GoalView, today: date, *, size: str = "") -> GoalRow:
    goal, health = view.goal, view.health
    remaining, state = _remaining(goal.start_date, goal.end_date, today)
    show_expected = health.status not in (metrics.NOT_STARTED, metrics.NO_KEY_RESULTS) and today <= goal.end_date
    label = _("%(name)s: progress %(progress)s") % {
        "name": goal.name, "progress": charts.format_percent(health.progress)}
    if show_expected:
        label += _(", expected %(expected)s by today") % {"expected": charts.format_percent(health.expected)}
    return GoalRow(
        goal=goal,
        health=health,
        key_result_count=len(view.key_results),
        time_frame=_time_frame(goal.start_date, goal.end_date),
        remaining=remaining,
        remaining_state=state,
        bar=charts.progress_bar(health.progress, expected=health.expected if show_expected else None,
                                status=health.status, label=label, size=size),
        progress_text=charts.format_percent(health.progress),
        expected_text=charts.format_percent(health.expected),
        show_expected=show_expected,
    )


@dataclass
class GoalGroup:
    title: str
    product: Product | None
    rows: list[GoalRow] = field(default_factory=list)


def _group(rows: list[GoalRow]) -> list[GoalGroup]:
    """Company-wide goals first, then one group per product, by product name."""
    company = GoalGroup(title=_("Company-wide"), product=None)
    by_product: dict[int, GoalGroup] = {}
    for row in rows:
        product = row.goal.product
        if product is None:
            company.rows.append(row)
        else:
            by_product.setdefault(product.pk, GoalGroup(title=product.name, product=product)).rows.append(row)
    groups = [company] if company.rows else []
    return groups + sorted(by_product.values(), key=lambda g: g.title.lower())


@dataclass
class CheckInRow:
    check_in: CheckIn
    value: str
    change: str
    trend: str  # "good", "bad" or ""


@dataclass
class KeyResultRow:
    """A key result as the goal page draws it: figures formatted, charts built."""

    key_result: KeyResult
    progress: Decimal
    progress_text: str
    start: str
    target: str
    current: str
    arrow: str
    bar: str
    sparkline: str
    check_ins: list[CheckInRow]  # newest first
    last_check_in: CheckIn | None
    form: CheckInForm | None = None
    # What higher apps say of the key result (the metric feeding it), from the registry.
    extras: list[Summary] = field(default_factory=list)


def _check_in_rows(key_result: KeyResult, check_ins: list[CheckIn]) -> list[CheckInRow]:
    rows, previous = [], None
    rising = key_result.direction == KeyResult.Direction.UP
    for check_in in check_ins:
        change, trend = "", ""
        if previous is not None and check_in.value != previous:
            delta = check_in.value - previous
            change = ("+" if delta > 0 else "−") + charts.format_value(abs(delta), key_result.unit)
            trend = "good" if (delta > 0) == rising else "bad"
        rows.append(CheckInRow(check_in=check_in, value=charts.format_value(check_in.value, key_result.unit),
                               change=change, trend=trend))
        previous = check_in.value
    rows.reverse()
    return rows


def _key_result_row(key_result: KeyResult, progress: Decimal, *, form=None,
                    extras: list[Summary] | None = None) -> KeyResultRow:
    check_ins = list(key_result.check_ins.all())
    unit = key_result.unit
    points = [(timezone.localtime(c.created_at), c.value) for c in check_ins]
    return KeyResultRow(
        key_result=key_result,
        progress=progress,
        progress_text=charts.format_percent(progress),
        start=charts.format_value(key_result.start_value, unit),
        target=charts.format_value(key_result.target_value, unit),
        current=charts.format_value(key_result.current_value, unit),
        arrow="↑" if key_result.direction == KeyResult.Direction.UP else "↓",
        bar=charts.progress_bar(progress, status="kr", label=_("%(name)s: progress %(progress)s") % {
            "name": key_result.name, "progress": charts.format_percent(progress)}),
        sparkline=charts.sparkline(points, target=key_result.target_value, unit=unit, name=key_result.name),
        check_ins=_check_in_rows(key_result, check_ins),
        last_check_in=check_ins[-1] if check_ins else None,
        form=form,
        extras=extras or [],
    )


def _check_in_form(key_result: KeyResult, data=None) -> CheckInForm:
    return CheckInForm(data, auto_id=f"kr{key_result.pk}-%s")


@dataclass
class InitiativeRow:
    initiative: Initiative
    badge: str
    goals: list[GoalRow]


def _initiative_rows(request: HttpRequest, workspace: Workspace, initiatives: list[Initiative],
                     today: date) -> list[InitiativeRow]:
    """Initiatives with the health of the goals they serve, in a fixed number of queries."""
    goal_ids = {goal.pk for initiative in initiatives for goal in initiative.goals.all()}
    goals = selectors.goal_queryset(user=request.user, workspace=workspace).filter(pk__in=goal_ids)
    rows_by_goal = {
        view.goal.pk: _goal_row(view, today) for view in selectors.goals_with_health(goals, today=today)
    } if goal_ids else {}
    return [
        InitiativeRow(
            initiative=initiative,
            badge=INITIATIVE_BADGE.get(initiative.status, "todo"),
            goals=[rows_by_goal[g.pk] for g in initiative.goals.all() if g.pk in rows_by_goal],
        )
        for initiative in initiatives
    ]


# --- small helpers --------------------------------------------------------------


def _initiatives_serving(request: HttpRequest, goal: Goal) -> list[Initiative]:
    # A candidate for strategy.selectors (`initiatives_serving(user, goal)`); kept here until it moves.
    return list(
        Initiative.objects.visible_to(request.user).filter(goals=goal).select_related("product").order_by("name")
    )


def _goal_url(workspace: Workspace, goal: Goal) -> str:
    return reverse("strategy:goal_detail", args=[workspace.slug, goal.pk])


def _goals_home(workspace: Workspace, product: Product | None) -> str:
    if product is not None:
        return reverse("strategy:product_goal_list", args=[workspace.slug, product.key])
    return reverse("strategy:goal_list", args=[workspace.slug])




def _key_result_of(goal: Goal, pk: int) -> KeyResult:
    """A key result of an already loaded goal (its check-ins prefetched). Raises Http404."""
    for key_result in goal.key_results.all():
        if key_result.pk == pk:
            return key_result
    raise Http404("No such key result.")


# --- goal lists -------------------------------------------------------------------


def _render_goal_list(request: HttpRequest, workspace: Workspace, *, goals: QuerySet[Goal],
                      product: Product | None) -> HttpResponse:
    today = timezone.localdate()
    filterset = GoalFilterSet(request.GET, queryset=goals, today=today, hide_ended=True)
    views = selectors.goals_with_health(filterset.qs, today=today)
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for view in views:
        counts[view.health.status] += 1
    wanted = filterset.wanted_status
    summary = [
        {
            "status": status,
            "label": metrics.STATUS_LABELS[status],
            "count": counts[status],
            "active": wanted == status,
            "url": query_string(request, status="" if wanted == status else status),
        }
        for status in STATUS_ORDER
        if counts[status] or status in ALWAYS_SHOWN or wanted == status
    ]
    rows = [_goal_row(view, today) for view in filterset.keep_status(views)]
    is_filtered = any(request.GET.get(name) for name in ("status", "product", "timeframe", "owner"))
    has_any = bool(rows) or bool(views) or goals.exists()
    create_url = reverse("strategy:goal_create", args=[workspace.slug])
    if product is not None:
        create_url += f"?product={product.key}"
    context = {
        "workspace": workspace,
        "product": product,
        "filter": filterset,
        "groups": _group(rows),
        "row_count": len(rows),
        "total": len(views),
        "summary": summary,
        "clear_url": request.path,
        "is_filtered": is_filtered,
        "has_any": has_any,
        "create_url": create_url,
        "can_edit": access.can(request.user, "strategy.edit", product or workspace),
        "products": selectors.product_list(user=request.user, workspace=workspace) if product is None else [],
        "members": selectors.member_users(workspace=workspace),
        "company": COMPANY,
        "statuses": [(status, metrics.STATUS_LABELS[status]) for status in STATUS_ORDER],
        "current": {name: request.GET.get(name, "") for name in ("status", "product", "timeframe", "owner")},
    }
    template = "strategy/goal_list.html#goal-results" if request.htmx else "strategy/goal_list.html"
    return render(request, template, context)


@workspace_view
@require_GET
def goal_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """Every goal of the workspace: company-wide first, then by product."""
    goals = selectors.goal_queryset(user=request.user, workspace=workspace)
    return _render_goal_list(request, workspace, goals=goals, product=None)


@workspace_view
@require_GET
def product_goal_list(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The goals of a product and of the product lines above it."""
    product = product_for(request, workspace, key)
    goals = selectors.goal_queryset(user=request.user, workspace=workspace).filter(
        product_id__in=selectors.product_lineage_ids(product))
    return _render_goal_list(request, workspace, goals=goals, product=product)


# --- goal pages -------------------------------------------------------------------


def _goal_form(request: HttpRequest, workspace: Workspace, *, goal: Goal | None = None, **kwargs) -> GoalForm:
    products = selectors.product_list(user=request.user, workspace=workspace, include_archived=True)
    keep = Q(archived_at__isnull=True)
    if goal is not None and goal.product_id:
        keep |= Q(pk=goal.product_id)  # an archived product stays selectable for its own goals
    return GoalForm(request.POST or None, products=products.filter(keep),
                    members=selectors.member_users(workspace=workspace), **kwargs)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    start, end = quarter_bounds(timezone.localdate())
    initial = {"owner": request.user.pk, "start_date": start, "end_date": end}
    product = None
    if request.GET.get("product"):
        product = selectors.product_list(user=request.user, workspace=workspace).filter(
            key=request.GET["product"].upper()).first()
        if product is not None:
            initial["product"] = product.pk
            request.product = product
    form = _goal_form(request, workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Goal created. Add a key result to make it measurable."))
            return redirect(_goal_url(workspace, goal))
    return render(request, "strategy/goal_form.html", {
        "form": form, "workspace": workspace, "product": product,
        "cancel_url": _goals_home(workspace, product),
    })


def _goal_context(request: HttpRequest, workspace: Workspace, goal: Goal, *, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    view = selectors.goals_with_health([goal], today=today)[0]
    row = _goal_row(view, today, size="lg")
    can_edit = access.can(request.user, "strategy.edit", goal)
    extras = key_result_summaries.collect([kr for kr, _progress in view.key_results])
    key_results = [
        _key_result_row(kr, progress, form=_check_in_form(kr) if can_edit else None, extras=extras[kr.pk])
        for kr, progress in view.key_results
    ]
    return {
        "workspace": workspace,
        "goal": goal,
        "row": row,
        "health": view.health,
        "key_results": key_results,
        "can_edit": can_edit,
        "today": today,
    }


@workspace_view
@require_GET
def goal_detail(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=pk)
    if goal.product is not None:
        request.product = goal.product
    context = _goal_context(request, workspace, goal)
    part = request.GET.get("part") if request.htmx else None
    if part == "summary":  # with the header's status pill, swapped out of band
        return render(request, "strategy/goal_detail.html#goal-summary", {**context, "refresh": True})
    if part == "check-ins":
        return render(request, "strategy/goal_detail.html#check-in-history", context)
    context["initiatives"] = _initiatives_serving(request, goal)
    context["history"] = history_entries(goal)
    return render(request, "strategy/goal_detail.html", context)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=pk)
    if goal.product is not None:
        request.product = goal.product
    initial = {
        "product": goal.product_id, "name": goal.name, "description": goal.description, "owner": goal.owner_id,
        "start_date": goal.start_date, "end_date": goal.end_date,
    }
    form = _goal_form(request, workspace, goal=goal, initial=initial, version=goal.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Goal saved."))
            return redirect(_goal_url(workspace, goal))
    return render(request, "strategy/goal_form.html", {
        "form": form, "workspace": workspace, "goal": goal, "product": goal.product,
        "cancel_url": _goal_url(workspace, goal),
    })


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def goal_delete(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the goal with its key results and check-ins."""
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=pk)
    product = goal.product
    if request.method == "POST":
        name = goal.name
        services.goal_delete(actor=request.user, goal=goal)
        messages.success(request, _("Goal “%(name)s” deleted.") % {"name": name})
        return redirect(_goals_home(workspace, product))
    if product is not None:
        request.product = product
    key_results = list(goal.key_results.all())
    return render(request, "strategy/goal_delete.html", {
        "workspace": workspace, "goal": goal,
        "key_result_count": len(key_results),
        "check_in_count": sum(len(kr.check_ins.all()) for kr in key_results),
        "initiatives": _initiatives_serving(request, goal),
    })


# --- key results and check-ins -------------------------------------------------------


def _render_key_result_form(request, workspace, goal, form, key_result=None) -> HttpResponse:
    if goal.product is not None:
        request.product = goal.product
    return render(request, "strategy/key_result_form.html", {
        "form": form, "workspace": workspace, "goal": goal, "key_result": key_result,
        "cancel_url": _goal_url(workspace, goal),
    })


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def key_result_create(request: HttpRequest, workspace: Workspace, goal_pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
    form = KeyResultForm(request.POST or None, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            key_result = services.key_result_create(actor=request.user, goal=goal, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Key result “%(name)s” added.") % {"name": key_result.name})
            return redirect(_goal_url(workspace, goal) + f"#kr-{key_result.pk}")
    return _render_key_result_form(request, workspace, goal, form)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def key_result_edit(request: HttpRequest, workspace: Workspace, goal_pk: int, pk: int) -> HttpResponse:
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
    key_result = _key_result_of(goal, pk)
    initial = {name: getattr(key_result, name) for name in ("name", "unit", "direction", "start_value", "target_value")}
    form = KeyResultForm(request.POST or None, creating=False, initial=initial, version=key_result.version)
    if request.method == "POST" and form.is_valid():
        try:
            services.key_result_update(actor=request.user, key_result=key_result, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Key result saved."))
            return redirect(_goal_url(workspace, goal) + f"#kr-{key_result.pk}")
    return _render_key_result_form(request, workspace, goal, form, key_result)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def key_result_delete(request: HttpRequest, workspace: Workspace, goal_pk: int, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the key result and its check-ins."""
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
    key_result = _key_result_of(goal, pk)
    if request.method == "POST":
        services.key_result_delete(actor=request.user, key_result=key_result)
        messages.success(request, _("Key result “%(name)s” deleted.") % {"name": key_result.name})
        return redirect(_goal_url(workspace, goal))
    if goal.product is not None:
        request.product = goal.product
    return render(request, "strategy/key_result_delete.html", {
        "workspace": workspace, "goal": goal, "key_result": key_result,
        "check_in_count": len(key_result.check_ins.all()),
    })


@workspace_view(post_requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def key_result_check_in(request: HttpRequest, workspace: Workspace, goal_pk: int, pk: int) -> HttpResponse:
    """GET: the key result's check-ins drawn over time, and the form. POST records a value.
    From the goal page with htmx, the answer is the key result's row, and an event that
    refreshes the goal's progress and check-in history; without JavaScript, a redirect back."""
    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
    key_result = _key_result_of(goal, pk)
    form = _check_in_form(key_result, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.key_result_check_in(actor=request.user, key_result=key_result, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.htmx:
                    goal = selectors.goal_get(user=request.user, workspace=workspace, pk=goal_pk)
                    response = _render_key_result_row(request, workspace, goal, pk)
                    return trigger_client_event(response, CHECK_IN_EVENT, {"key_result": pk})
                messages.success(request, _("Checked in %(name)s at %(value)s.") % {
                    "name": key_result.name,
                    "value": charts.format_value(form.cleaned_data["value"], key_result.unit)})
                return redirect(_goal_url(workspace, goal) + f"#kr-{key_result.pk}")
        if request.htmx:
            return _render_key_result_row(request, workspace, goal, pk, form=form)
    if goal.product is not None:
        request.product = goal.product
    today = timezone.localdate()
    view = selectors.goals_with_health([goal], today=today)[0]
    progress = next(p for kr, p in view.key_results if kr.pk == key_result.pk)
    row = _key_result_row(key_result, progress, extras=key_result_summaries.collect([key_result])[key_result.pk])
    check_ins = list(key_result.check_ins.all())
    chart = charts.line_chart(
        [(timezone.localtime(c.created_at), c.value) for c in check_ins],
        target=key_result.target_value, start=key_result.start_value, unit=key_result.unit,
        name=key_result.name, notes=[c.note for c in check_ins],
    )
    return render(request, "strategy/key_result_check_in.html", {
        "workspace": workspace, "goal": goal, "key_result": key_result, "row": row, "chart": chart,
        "health": view.health, "form": form,
        "can_edit": access.can(request.user, "strategy.edit", key_result),
    })


def _render_key_result_row(request: HttpRequest, workspace: Workspace, goal: Goal, pk: int, *,
                           form: CheckInForm | None = None) -> HttpResponse:
    context = _goal_context(request, workspace, goal)
    row = next((r for r in context["key_results"] if r.key_result.pk == pk), None)
    if row is None:
        raise Http404("No such key result.")
    if form is not None:
        row.form = form
        context["open_form"] = True
    context["kr"] = row
    return render(request, "strategy/goal_detail.html#kr-row", context)


# --- initiatives ---------------------------------------------------------------------


@workspace_view
@require_GET
def initiative_list(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    today = timezone.localdate()
    initiatives = sorted(
        selectors.initiative_list(user=request.user, product=product),
        key=lambda i: (INITIATIVE_ORDER.get(i.status, 9), i.start_date or date.max, i.name.lower()),
    )
    rows = _initiative_rows(request, workspace, initiatives, today)
    counts = {status: 0 for status in Initiative.Status.values}
    for row in rows:
        counts[row.initiative.status] += 1
    return render(request, "strategy/initiative_list.html", {
        "workspace": workspace, "product": product, "rows": rows,
        "counts": sorted(
            [(value, label, counts[value], INITIATIVE_BADGE[value]) for value, label in Initiative.Status.choices],
            key=lambda count: INITIATIVE_ORDER[count[0]],
        ),
        "can_edit": access.can(request.user, "strategy.edit", product),
    })


def _initiative_form(request: HttpRequest, product: Product, **kwargs) -> InitiativeForm:
    goals = selectors.goal_choices(user=request.user, product=product).select_related("product")
    return InitiativeForm(request.POST or None, goals=goals, **kwargs)


def _initiative_url(workspace: Workspace, product: Product, initiative: Initiative) -> str:
    return reverse("strategy:initiative_detail", args=[workspace.slug, product.key, initiative.pk])


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    initial = {}
    if request.GET.get("goal", "").isdigit():
        initial["goals"] = [int(request.GET["goal"])]
    form = _initiative_form(request, product, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        goals = data.pop("goals")
        try:
            initiative = services.initiative_create(actor=request.user, product=product, goals=goals, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Initiative “%(name)s” created.") % {"name": initiative.name})
            return redirect(_initiative_url(workspace, product, initiative))
    return render(request, "strategy/initiative_form.html", {
        "form": form, "workspace": workspace, "product": product,
        "cancel_url": reverse("strategy:initiative_list", args=[workspace.slug, product.key]),
    })


@workspace_view
@require_GET
def initiative_detail(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    initiative = selectors.initiative_get(user=request.user, product=product, pk=pk)
    row = _initiative_rows(request, workspace, [initiative], timezone.localdate())[0]
    return render(request, "strategy/initiative_detail.html", {
        "workspace": workspace, "product": product, "initiative": initiative, "row": row,
        "history": history_entries(initiative),
        # What higher apps know (its features across releases), without naming them.
        "summaries": initiative_summaries.collect([initiative])[initiative.pk],
        "can_edit": access.can(request.user, "strategy.edit", initiative),
    })


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    initiative = selectors.initiative_get(user=request.user, product=product, pk=pk)
    initial = {name: getattr(initiative, name) for name in ("name", "status", "colour", "start_date", "end_date",
                                                            "description")}
    initial["goals"] = [goal.pk for goal in initiative.goals.all()]
    form = _initiative_form(request, product, initial=initial, version=initiative.version)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        goals = data.pop("goals")
        try:
            services.initiative_update(actor=request.user, initiative=initiative, goals=goals, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Initiative saved."))
            return redirect(_initiative_url(workspace, product, initiative))
    return render(request, "strategy/initiative_form.html", {
        "form": form, "workspace": workspace, "product": product, "initiative": initiative,
        "cancel_url": _initiative_url(workspace, product, initiative),
    })


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def initiative_delete(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the initiative (its goals stay)."""
    product = product_for(request, workspace, key)
    initiative = selectors.initiative_get(user=request.user, product=product, pk=pk)
    if request.method == "POST":
        services.initiative_delete(actor=request.user, initiative=initiative)
        messages.success(request, _("Initiative “%(name)s” deleted.") % {"name": initiative.name})
        return redirect("strategy:initiative_list", ws=workspace.slug, key=product.key)
    return render(request, "strategy/initiative_delete.html", {
        "workspace": workspace, "product": product, "initiative": initiative,
    })
