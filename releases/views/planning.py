"""The planning pages of a product: the backlog (ranked, filtered, bulk-edited), the board
(one column per workflow status) and the value/effort matrix.

Views stay adapters. Selectors read (scoped to the user's workspaces), FeatureFilterSet
narrows and orders (the same class the API uses), services write (and refuse viewers).
The big repeated parts (2,000 rows or cards) are built once in Python (releases.render),
so each page runs a fixed number of queries and stays fast however long the backlog is.

Writes answer JavaScript (fetch with `X-Requested-With: fetch`, or htmx) with a status
code and, for the board, the moved card's HTML; errors come back as JSON
`{"error": "..."}`. Without JavaScript they redirect back to the page with a message."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from strategy import access
from strategy.chart_kit import format_number
from strategy.forms import apply_service_errors
from strategy.html import e, safe_join
from strategy.models import Initiative, Product, Workspace
from strategy.web import product_for, query_string, workspace_view

from .. import render as draw
from .. import selectors, services
from ..filters import NONE, ORDERING_CHOICES, RANK, SCORE_WITH_DEMAND, FeatureFilterSet
from ..forms.features import impact_value
from ..models import CLOSED_CATEGORIES, Feature, Release, StatusCategory
from . import lines
from .features import feature_form

UNSCORED_SHOWN = 100  # the matrix lists at most this many features still to score
QUADRANT_SHOWN = 8  # features listed under each quadrant of the matrix
BULK_ACTIONS = {
    "release": gettext_lazy("Move to release"),
    "status": gettext_lazy("Change status"),
    "initiative": gettext_lazy("Set initiative"),
    "tag": gettext_lazy("Add tag"),
}


# --- helpers ------------------------------------------------------------------------


def _wants_js(request: HttpRequest) -> bool:
    """Whether the request came from planning.js (fetch) or htmx, rather than a plain form."""
    return bool(request.htmx) or request.headers.get("X-Requested-With") in ("fetch", "XMLHttpRequest")


def _refuse(request: HttpRequest, message: str, status: int, fallback: str) -> HttpResponse:
    if _wants_js(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(_next_url(request, fallback))


def _next_url(request: HttpRequest, fallback: str) -> str:
    """Where a no-JavaScript form goes back to: its `next` (the page with its filters), if
    it is a path of this site, else `fallback`."""
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback


def _number(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() and len(value) < 10 else None


def _conflict_messages(product: Product, plan: selectors.Plan | None = None) -> tuple[dict[int, list[str]],
                                                                                      list[str]]:
    """({feature id: its conflict messages}, messages of conflicts of whole releases, such as
    over capacity), from the product's `plan` when the page has read it already."""
    index = (plan or selectors.plan_for(product_ids=[product.pk])).conflicts
    by_feature = {feature_id: [c.message for c in items] for feature_id, items in index.by_feature.items()}
    return by_feature, [c.message for c in index.all if c.feature_id is None]




def _current(request: HttpRequest) -> dict:
    return {
        "status": request.GET.getlist("status"),
        **{name: request.GET.get(name, "") for name in
           ("category", "release", "initiative", "tag", "assignee", "q", "ordering")},
    }


def _options(choices, selected: str = "") -> SafeString:
    """<option>s built in Python: the backlog's filter and bulk menus list every release,
    initiative, person and tag of the product (DESIGN.md, performance habits)."""
    return safe_join(f'<option value="{e(value)}"{" selected" if str(value) == selected else ""}>{e(label)}</option>'
                     for value, label in choices)


def _filter_options(request: HttpRequest, statuses, current: dict, choices: selectors.BacklogChoices,
                    tags: list[str]) -> dict:
    """The options of the backlog's filters (the current choice selected) and of its bulk bar."""
    members = [(pk, name + (" (you)" if pk == request.user.pk else "")) for pk, name in choices.members]
    return {
        "release": _options(choices.releases, current["release"]),
        "initiative": _options(choices.initiatives, current["initiative"]),
        "assignee": _options(members, current["assignee"]),
        "tag": _options([(t, f"#{t}") for t in tags], current["tag"]),
        "bulk_release": _options(choices.releases),
        "bulk_status": _options((s.pk, s.name) for s in statuses),
        "bulk_initiative": _options(choices.initiatives),
        "bulk_tag": safe_join(f'<option value="{e(t)}">' for t in tags),
    }


def _create_url(workspace: Workspace, product: Product) -> str:
    return reverse("releases:feature_create", args=[workspace.slug, product.key])


# --- backlog -----------------------------------------------------------------------------


BACKLOG_COLUMNS = {True: 11, False: 10}  # the backlog table's columns, for editors and others


def _backlog_window_html(request: HttpRequest, workspace: Workspace, product: Product, window,
                         *, can_edit: bool, rankable: bool, top_number: int | None, conflicts) -> SafeString:
    """A backlog window's rows, followed (when more match) by the row that fetches the next."""
    rows_html = draw.backlog_rows(window.rows, draw.BacklogOptions(
        links=draw.Links.for_product(workspace.slug, product.key),
        conflicts=conflicts,
        can_edit=can_edit,
        rankable=rankable,
        top_number=top_number,
        top_score=window.top_score,
        top_demand=window.top_demand,
    ), shown=window.shown)
    if window.next_offset is None:
        return rows_html
    rows_url = reverse("releases:backlog_rows", args=[workspace.slug, product.key])
    more = draw.backlog_more_row(
        url=rows_url + query_string(request, offset=window.next_offset),
        page_url=reverse("releases:backlog", args=[workspace.slug, product.key])
        + query_string(request, offset=window.next_offset),
        shown=window.next_offset, total=window.total,
        next_count=min(selectors.BACKLOG_WINDOW, window.total - window.next_offset),
        columns=BACKLOG_COLUMNS[can_edit])
    return rows_html + more  # both SafeString: still safe


def _top_number(features, window, *, is_filtered: bool) -> int | None:
    """The first feature of the whole (unfiltered) backlog: where "Move to the top" goes."""
    if not is_filtered and window.offset == 0:
        rows = window.window_rows
        return rows[0]["number"] if rows else None
    return features.values_list("number", flat=True).first()


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def backlog(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Every open feature of the product, in rank order (or by RICE score or end date),
    filtered by the query string; editors rank by drag and drop or the move buttons and
    change many features at once. The page holds one window of the list (`?offset=`, the
    first by default); the row after it fetches the next as the person scrolls
    (`backlog_rows`)."""
    product = product_for(request, workspace, key)
    if product.is_line:
        return lines.line_backlog(request, workspace, product)
    features = selectors.open_features(user=request.user, product=product)
    filterset = FeatureFilterSet(request.GET, queryset=features, request=request)
    offset = _number(request.GET.get("offset")) or 0
    window = selectors.backlog_window(filterset.qs, product=product, offset=offset)
    rows = window.window_rows
    ordering = filterset.ordering_value
    rankable = ordering == RANK
    can_edit = access.can(request.user, "releases.edit", product)
    is_filtered = filterset.is_filtered
    open_total = window.total if not is_filtered else features.count()
    top_number = _top_number(features, window, is_filtered=is_filtered) if can_edit and rankable and rows else None
    statuses = list(selectors.status_list(user=request.user, workspace=workspace))
    plan = selectors.plan_for(product_ids=[product.pk])
    conflicts, release_conflicts = _conflict_messages(product, plan)
    current = _current(request)
    choices = selectors.backlog_choices(user=request.user, workspace=workspace, product=product)
    context = {
        "workspace": workspace,
        "product": product,
        "filter": filterset,
        "release_conflicts": release_conflicts,
        "overdue_launches": selectors.overdue_launch_releases([product.pk], today=timezone.localdate()),
        "rows_html": _backlog_window_html(request, workspace, product, window, can_edit=can_edit,
                                          rankable=rankable, top_number=top_number, conflicts=conflicts),
        "row_count": len(rows),
        "first_shown": offset + 1,
        "last_shown": offset + len(rows),
        "matching_text": f"{window.total:,}",
        "total_text": f"{open_total:,}",
        "windowed": len(rows) < window.total,
        "total": open_total,
        "estimate_sum": draw.format_points(window.points) or "0",
        "is_filtered": is_filtered,
        "rankable": rankable,
        "can_edit": can_edit,
        "statuses": [s for s in statuses if s.category not in CLOSED_CATEGORIES],
        "categories": [(value, label) for value, label in StatusCategory.choices if value not in CLOSED_CATEGORIES],
        "options": _filter_options(request, statuses, current, choices, plan.tags),
        "tags": plan.tags,
        "orderings": ORDERING_CHOICES,
        "ordering": ordering,
        "current": current,
        "sort_urls": {
            "rice": query_string(request, offset=None,
                                 ordering="rice_score" if ordering == "-rice_score" else "-rice_score"),
            "end": query_string(request, offset=None, ordering="-end" if ordering == "end" else "end"),
            "demand": query_string(request, offset=None, ordering="" if ordering == "-demand" else "-demand"),
            "rank": query_string(request, offset=None, ordering=""),
        },
        "clear_url": request.path,
        "matching_query": query_string(request, offset=None)[1:],
        "none": NONE,
        "bulk_actions": BULK_ACTIONS,
        "next": request.get_full_path(),
        "top_number": top_number,
        "create_url": _create_url(workspace, product) if can_edit else "",
        "has_features": bool(rows) or (is_filtered and open_total > 0)
        or Feature.objects.filter(product=product).exists(),
    }
    template = "releases/backlog.html#backlog-results" if request.htmx and not request.htmx.boosted else (
        "releases/backlog.html")
    return render(request, template, context)


@workspace_view
@require_GET
def backlog_rows(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The next window of the backlog (`?offset=`, with the page's filters and order): its rows
    and, when more match, the row that fetches the one after. htmx swaps them for that row."""
    product = product_for(request, workspace, key)
    if product.is_line:
        return lines.line_backlog_rows(request, workspace, product)
    features = selectors.open_features(user=request.user, product=product)
    filterset = FeatureFilterSet(request.GET, queryset=features, request=request)
    window = selectors.backlog_window(filterset.qs, product=product, offset=_number(request.GET.get("offset")) or 0)
    can_edit = access.can(request.user, "releases.edit", product)
    rankable = filterset.ordering_value == RANK
    top_number = features.values_list("number", flat=True).first() if can_edit and rankable else None
    html = _backlog_window_html(request, workspace, product, window, can_edit=can_edit,
                                rankable=rankable, top_number=top_number,
                                conflicts=_conflict_messages(product)[0])
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _feature_by_number(request: HttpRequest, product: Product, number: int | None) -> Feature:
    if number is None:
        raise Http404(_("No such feature."))
    feature = selectors.feature_queryset(user=request.user, product=product).filter(number=number).first()
    if feature is None:
        raise Http404(_("No such feature."))
    return feature


@workspace_view(requires="releases.edit")
@require_POST
def feature_rank_move(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Put one feature between two others in the backlog: `feature`, `after` (the feature
    that ends up above it, or empty for the top) and `before` (below it, or empty for the
    bottom), all feature numbers. The no-JavaScript buttons send the three at once as
    `move=<feature>:<after>:<before>`. Answers 204 to JavaScript, else redirects back."""
    product = product_for(request, workspace, key)
    fallback = reverse("releases:backlog", args=[workspace.slug, product.key])
    if "move" in request.POST:
        feature_no, _sep, rest = request.POST["move"].partition(":")
        after_no, _sep, before_no = rest.partition(":")
    else:
        feature_no, after_no, before_no = (request.POST.get(name, "") for name in ("feature", "after", "before"))
    feature = _feature_by_number(request, product, _number(feature_no))
    after = _feature_by_number(request, product, _number(after_no)) if str(after_no).strip() else None
    before = _feature_by_number(request, product, _number(before_no)) if str(before_no).strip() else None
    if after is None and before is None:
        return _refuse(request, _("Say where to move %(key)s: after or before another feature.") % {
            "key": feature.key}, 400, fallback)
    try:
        services.feature_move(actor=request.user, feature=feature, after=after, before=before)
    except ValidationError as exc:
        return _refuse(request, " ".join(exc.messages), 400, fallback)
    if _wants_js(request):
        return HttpResponse(status=204)
    return redirect(f"{_next_url(request, fallback)}#f-{feature.number}")


def _bulk_value(request: HttpRequest, workspace: Workspace, product: Product, action: str, raw: str):
    """The object a bulk action sets, looked up among what the user may see (a release of
    another product is passed on, for the service to refuse by feature). Raises ValidationError."""
    raw = (raw or "").strip()
    if action == "tag":
        if not raw:
            raise ValidationError(_("Write the tag to add."))
        return raw
    if action in ("release", "initiative") and raw.lower() in (NONE, ""):
        if raw.lower() == NONE:
            return None
        raise ValidationError(_("Choose a release.") if action == "release" else _("Choose an initiative."))
    pk = _number(raw)
    if action == "release":
        release = Release.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
        if release is None:
            raise ValidationError(_("Choose a release."))
        return release
    if action == "initiative":
        initiative = Initiative.objects.visible_to(request.user).filter(pk=pk).first() if pk else None
        if initiative is None:
            raise ValidationError(_("Choose an initiative."))
        return initiative
    status = selectors.status_list(user=request.user, workspace=workspace).filter(pk=pk).first() if pk else None
    if status is None:
        raise ValidationError(_("Choose a status of this workflow."))
    return status


@workspace_view(requires="releases.edit")
@require_POST
def backlog_bulk(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Apply one change to the selected features, all or nothing: `numbers` (repeated),
    `action` (release, status, initiative or tag) and `value` (an id, "none", or the tag;
    the page's form sends it as `value_<action>`). With `all=1` the change applies instead to
    every open feature that `matching` (the backlog's query string: its filters) selects,
    loaded on the page or not. A refusal names the feature that refused."""
    product = product_for(request, workspace, key)
    fallback = reverse("releases:backlog", args=[workspace.slug, product.key])
    action = request.POST.get("action", "")
    if action not in BULK_ACTIONS:
        return _refuse(request, _("Choose what to change."), 400, fallback)
    if request.POST.get("all") == "1":
        matching = FeatureFilterSet(QueryDict(request.POST.get("matching", "")),
                                    queryset=selectors.open_features(user=request.user, product=product),
                                    request=request)
        if matching.is_bound and not matching.form.is_valid():
            return _refuse(request, _("The filters of the selection are not valid: reload the backlog."), 400,
                           fallback)
        features = list(matching.qs)
        if not features:
            return _refuse(request, _("No open feature matches these filters. Nothing was changed."), 400, fallback)
    else:
        numbers = sorted({n for n in (_number(v) for v in request.POST.getlist("numbers")) if n is not None})
        if not numbers:
            return _refuse(request, _("Select the features to change first."), 400, fallback)
        features = list(selectors.feature_queryset(user=request.user, product=product).filter(number__in=numbers))
        missing = sorted(set(numbers) - {f.number for f in features})
        if missing:
            return _refuse(request, _("No feature %(keys)s in %(product)s. Nothing was changed.") % {
                "keys": ", ".join(f"{product.key}-{n}" for n in missing), "product": product.name}, 400, fallback)
    raw = request.POST.get(f"value_{action}", request.POST.get("value", ""))
    try:
        value = _bulk_value(request, workspace, product, action, raw)
        change = {"add_tag": value} if action == "tag" else {action: value}
        count = services.feature_bulk_update(actor=request.user, features=features, **change)
    except ValidationError as exc:
        return _refuse(request, " ".join(exc.messages), 400, fallback)
    done = {
        "release": _("moved to %(what)s") % {"what": value or _("unscheduled")},
        "status": _("set to %(what)s") % {"what": value},
        "initiative": _("now serve %(what)s") % {"what": value} if value else _("left their initiative"),
        "tag": _("tagged %(what)s") % {"what": str(value).strip().lower()},
    }[action]
    text = ngettext("%(count)d feature %(done)s.", "%(count)d features %(done)s.", count) % {
        "count": count, "done": done}
    if _wants_js(request):
        return JsonResponse({"message": text, "count": count})
    messages.success(request, text)
    return redirect(_next_url(request, fallback))


# --- backlog: inline edits ----------------------------------------------------------------

UNDO_SECONDS = 8  # how long the confirmation offers "Undo"


def _cell_values(feature: Feature, cell: str) -> dict[str, str]:
    """The feature's values of one inline cell as its form posts them (ids, plain numbers)."""
    values = {}
    for name in draw.INLINE_FIELDS[cell]:
        if name in ("status", "release", "assignee"):
            value = getattr(feature, f"{name}_id")
        elif name == "impact":
            value = impact_value(feature.impact)
        else:
            value = getattr(feature, name)
            value = format_number(value) if isinstance(value, Decimal) else value
        values[name] = "" if value is None else str(value)
    return values


def _cell_summary(feature: Feature, cell: str) -> str:
    """A cell's value in words, for the confirmation: "In design", "Unscheduled", "3 pts"."""
    if cell == "status":
        return feature.status.name
    if cell == "release":
        return feature.release.name if feature.release_id else _("unscheduled")
    if cell == "assignee":
        return feature.assignee.display_name if feature.assignee_id else _("nobody")
    if cell == "estimate":
        return _("%(points)s pts") % {"points": format_number(feature.estimate)} if feature.estimate is not None \
            else _("no estimate")
    return format_number(feature.rice_score) if feature.rice_score is not None else _("not scored")


def _ordering_of(request: HttpRequest) -> str:
    value = request.POST.get("ordering") or request.GET.get("ordering") or ""
    return value if value in dict(ORDERING_CHOICES) else ""


def _render_cells(request: HttpRequest, workspace: Workspace, product: Product, feature: Feature,
                  cell: str, *, status: int = 200) -> HttpResponse:
    """The edited cell (in place of its editor) and, out of band, the other cells of its row
    the change may have touched, drawn as the backlog draws them (in its current order)."""
    ordering = _ordering_of(request)
    opened = selectors.open_features(user=request.user, product=product)
    scored = FeatureFilterSet({"ordering": ordering} if ordering else {}, queryset=opened, request=request).qs
    score = SCORE_WITH_DEMAND if ordering == f"-{SCORE_WITH_DEMAND}" else "rice_score"
    maximum = scored.aggregate(top=Max(score))["top"]
    single = FeatureFilterSet({"ordering": ordering} if ordering else {},
                              queryset=selectors.feature_queryset(user=request.user, product=product)
                              .filter(pk=feature.pk), request=request).qs
    row = selectors.feature_rows(single)[0]
    conflicts = _conflict_messages(product)[0].get(feature.pk)
    html = draw.backlog_row_cells(row, draw.Links.for_product(workspace.slug, product.key), edited=cell,
                                  conflicts=conflicts, maximum=maximum)
    return HttpResponse(html, status=status, content_type="text/html; charset=utf-8")


def _render_cell_editor(request: HttpRequest, workspace: Workspace, product: Product, feature: Feature, cell: str,
                        form, *, status: int = 200) -> HttpResponse:
    for field in form.visible_fields():
        field.field.widget.attrs.setdefault("class", "input--sm")
        if field.errors:
            field.field.widget.attrs.update({"aria-invalid": "true",
                                             "aria-describedby": f"ce-{feature.number}-{cell}-error"})
    url = reverse("releases:backlog_cell", args=[workspace.slug, product.key, feature.number, cell])
    ordering = _ordering_of(request)
    return render(request, "releases/backlog.html#cell-editor", {
        "form": form, "cell": cell, "label": draw.CELL_LABELS[cell], "feature": feature,
        "cell_url": url, "ordering": ordering,
        "cancel_url": f"{url}?show=1" + (f"&ordering={ordering}" if ordering else ""),
        "errors": [*form.non_field_errors(),
                   *(f"{field.label}: {message}" for field in form.visible_fields() for message in field.errors)],
    }, status=status)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def backlog_cell(request: HttpRequest, workspace: Workspace, key: str, number: int, cell: str) -> HttpResponse:
    """One cell of a backlog row changed in place (status, release, assignee, estimate or the
    RICE parts). GET draws its editor (`?show=1`: the cell itself, to cancel), with the
    `version` the page showed; POST saves through `feature_update`, validated by the feature
    form's own fields, and refused like the form when someone saved the feature since.
    The answer is the row's changed cells and an event offering "Undo"; an undo (`undo=1`)
    posts the previous values with the new version, so it is refused just as cleanly when
    the feature changed meanwhile. Without JavaScript the cells are links to the full form."""
    product = product_for(request, workspace, key)
    if cell not in draw.INLINE_FIELDS:
        raise Http404(_("No such cell."))
    feature = _feature_by_number(request, product, number)
    fields = draw.INLINE_FIELDS[cell]
    edit_url = reverse("releases:feature_edit", args=[workspace.slug, product.key, feature.number])
    if request.method == "GET":
        if not _wants_js(request):
            return redirect(edit_url)
        if request.GET.get("show"):
            return _render_cells(request, workspace, product, feature, cell)
        version = _number(request.GET.get("version"))
        form = feature_form(request, workspace, product, feature=feature, fields=fields,
                            auto_id=f"ce-{feature.number}-%s",
                            initial={**_cell_values(feature, cell),
                                     "version": version if version is not None else feature.version})
        return _render_cell_editor(request, workspace, product, feature, cell, form)
    undo = request.POST.get("undo") == "1"
    fallback = reverse("releases:backlog", args=[workspace.slug, product.key])
    form = feature_form(request, workspace, product, feature=feature, fields=fields,
                        auto_id=f"ce-{feature.number}-%s")
    before = _cell_values(feature, cell)
    before_words = _cell_summary(feature, cell)
    status = 400
    if form.is_valid():
        try:
            saved = services.feature_update(actor=request.user, feature=feature,
                                            version=form.cleaned_data.get("version"), **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                status = 409
        else:
            label = draw.CELL_LABELS[cell] if cell == "rice" else draw.CELL_LABELS[cell].lower()
            if undo:
                text = _("%(key)s: %(what)s back to %(value)s.") % {
                    "key": saved.key, "what": label, "value": _cell_summary(saved, cell)}
            else:
                text = _("%(key)s: %(what)s %(before)s → %(after)s.") % {
                    "key": saved.key, "what": label, "before": before_words, "after": _cell_summary(saved, cell)}
            if not _wants_js(request):
                messages.success(request, text)
                return redirect(f"{_next_url(request, fallback)}#f-{saved.number}")
            response = _render_cells(request, workspace, product, saved, cell)
            detail = {"message": text, "key": saved.key}
            if not undo and before != _cell_values(saved, cell):
                detail["undo"] = {"url": request.path, "target": f"#c-{saved.number}-{cell}", "seconds": UNDO_SECONDS,
                                  "values": {**before, "version": saved.version, "undo": "1",
                                             "ordering": _ordering_of(request)}}
            return trigger_client_event(response, "feature-edited", detail)
    if undo or not _wants_js(request):
        reasons = [*form.non_field_errors(), *(m for f in form.visible_fields() for m in f.errors)]
        message = _("%(key)s was not changed back: %(reason)s") % {"key": feature.key, "reason": " ".join(reasons)} \
            if undo else " ".join(reasons)
        return _refuse(request, message, status, fallback)
    return _render_cell_editor(request, workspace, product, feature, cell, form, status=status)


# --- board ----------------------------------------------------------------------------------


def _board_options(statuses, *, conflicts, blockers,
                   can_edit: bool) -> draw.BoardOptions:
    return draw.BoardOptions(
        statuses=[(s.pk, s.name) for s in statuses if s.retired_at is None],
        conflicts=conflicts,
        blockers=blockers,
        can_edit=can_edit,
    )


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def board(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Kanban: one column per active workflow status, in order, each with its count and
    estimate; retired statuses that still hold features close the row, greyed. Filter by
    release with `?release=<id>` (or `none`); `?lanes=initiative|release|assignee` splits the
    board into swimlanes, `?cards=compact` draws smaller cards. (Collapsed columns are
    remembered by the browser, planning.js.)"""
    product = product_for(request, workspace, key)
    if product.is_line:
        return lines.line_board(request, workspace, product)
    features = selectors.feature_queryset(user=request.user, product=product)
    filterset = FeatureFilterSet(request.GET, queryset=features, request=request)
    lanes_by = request.GET.get("lanes", "")
    lanes_by = lanes_by if lanes_by in draw.LANE_FIELDS else ""
    lane_field = draw.LANE_FIELDS[lanes_by][0] if lanes_by else None
    window = selectors.BOARD_LANE_WINDOW if lanes_by else selectors.BOARD_WINDOW
    rows = selectors.board_window(filterset.qs, product=product, lane_field=lane_field, limit=window)
    statuses = list(selectors.status_list(user=request.user, workspace=workspace, include_retired=True))
    compact = request.GET.get("cards") == "compact"
    can_edit = access.can(request.user, "releases.edit", product)
    plan = selectors.plan_for(product_ids=[product.pk])
    conflicts, release_conflicts = _conflict_messages(product, plan)
    options = _board_options(statuses, conflicts=conflicts, blockers=plan.blockers, can_edit=can_edit)
    if lanes_by:
        lanes = draw.board_lanes(rows, [(s.pk, s.name, s.category, s.retired_at is not None) for s in statuses],
                                 lanes_by)
        for lane in lanes:
            for column in lane.columns:
                column.more_url = _column_more_url(request, workspace, product, column, lane.key.split("-", 1)[1])
                column.more_on_scroll = False
        columns_html = draw.board_lane_sections(lanes, options)
        column_count = sum(1 for s in statuses if s.retired_at is None)
    else:
        by_status: dict[int, list[dict]] = defaultdict(list)
        for row in rows:
            by_status[row["status_id"]].append(row)
        columns = [draw.Column(status_id=s.pk, name=s.name, category=s.category, rows=by_status.get(s.pk, []))
                   for s in statuses if s.retired_at is None]
        columns += [draw.Column(status_id=s.pk, name=s.name, category=s.category, retired=True,
                                rows=by_status[s.pk]) for s in statuses if s.retired_at is not None and by_status[s.pk]]
        for column in columns:
            column.more_url = _column_more_url(request, workspace, product, column)
        columns_html = draw.board_columns(columns, options)
        column_count = len(columns)
    # Every feature on the board: the sum of the columns' totals (each row carries its column's).
    feature_count = sum({(r["status_id"], r[lane_field] if lane_field else None): r["column_total"]
                         for r in rows}.values())
    releases = list(selectors.release_choices(user=request.user, product=product))
    context = {
        "workspace": workspace,
        "product": product,
        "columns_html": columns_html,
        "move_template": draw.board_move_template(options) if can_edit else "",
        "column_count": column_count,
        "lanes": lanes_by,
        "lane_choices": [("", _("No swimlanes")), ("initiative", _("Initiative")), ("release", _("Release")),
                         ("assignee", _("Assignee"))],
        "compact": compact,
        "feature_count": feature_count,
        "windowed": len(rows) < feature_count,
        "feature_count_text": f"{feature_count:,}",
        "window_size": window,
        "releases": releases,
        "release_conflicts": release_conflicts,
        "release": request.GET.get("release", ""),
        "none": NONE,
        "can_edit": can_edit,
        "has_features": bool(rows) or Feature.objects.filter(product=product).exists(),
    }
    template = "releases/board.html#board-results" if request.htmx else "releases/board.html"
    return render(request, template, context)


def _column_more_url(request: HttpRequest, workspace: Workspace, product: Product, column: draw.Column,
                     lane: str = "") -> str:
    """Where a board column's next cards come from: after its last card shown (by rank and id,
    so cards moved meanwhile neither repeat nor go missing), with the board's filters."""
    if not column.rows or column.total <= len(column.rows):
        return ""
    last = column.rows[-1]
    return reverse("releases:board_column", args=[workspace.slug, product.key]) + query_string(
        request, cards=None, status=str(column.status_id), lane=lane, after=str(last["id"]),
        after_rank=last["rank"], shown=str(len(column.rows)))


@workspace_view
@require_GET
def board_column(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The next cards of one board column: `status`, the card they come after (`after`: its
    id, `after_rank`: its rank when shown), `shown` (how many the column shows so far) and,
    in swimlanes, `lanes` and `lane` (an id or "none"), with the board's filters. Answers the
    cards, then the column's next "Show more" while more remain."""
    product = product_for(request, workspace, key)
    status_id, after_id = _number(request.GET.get("status")), _number(request.GET.get("after"))
    after_rank = request.GET.get("after_rank", "")
    if product.is_line or status_id is None or after_id is None or not after_rank:
        raise Http404(_("No such column."))
    features = selectors.feature_queryset(user=request.user, product=product)
    column = FeatureFilterSet(request.GET, queryset=features, request=request).qs.filter(status_id=status_id)
    lanes_by = request.GET.get("lanes", "")
    in_lane = lanes_by in draw.LANE_FIELDS
    if in_lane:
        field, lane = draw.LANE_FIELDS[lanes_by][0], request.GET.get("lane", "")
        column = column.filter(**{f"{field}__isnull": True}) if lane == NONE else column.filter(
            **{field: _number(lane) or 0})
    rows, rest = selectors.board_column_window(
        column, product=product, after=(after_rank, after_id),
        limit=selectors.BOARD_LANE_WINDOW if in_lane else selectors.BOARD_WINDOW)
    can_edit = access.can(request.user, "releases.edit", product)
    statuses = list(selectors.status_list(user=request.user, workspace=workspace))
    plan = selectors.plan_for(product_ids=[product.pk])
    options = _board_options(statuses, conflicts=_conflict_messages(product, plan)[0], blockers=plan.blockers,
                             can_edit=can_edit)
    memo = draw.Memo()
    parts = [draw.board_card(row, options, memo) for row in rows]
    shown = (_number(request.GET.get("shown")) or 0) + len(rows)
    if rest > len(rows):
        last = rows[-1]
        parts.append(draw.board_more_button(
            url=request.path + query_string(request, after=str(last["id"]), after_rank=last["rank"],
                                            shown=str(shown)),
            shown=shown, total=shown + rest - len(rows), on_scroll=not in_lane))
    return HttpResponse("".join(parts), content_type="text/html; charset=utf-8")


@workspace_view(requires="releases.edit")
@require_POST
def board_move(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Move a card to another column: `feature` (number) and `status` (id), optionally the
    card's `version` (a card older than the feature is refused). JavaScript gets the
    updated card's HTML; a plain form is redirected back to the board."""
    product = product_for(request, workspace, key)
    fallback = reverse("releases:board", args=[workspace.slug, product.key])
    feature = _feature_by_number(request, product, _number(request.POST.get("feature")))
    status_id = _number(request.POST.get("status"))
    status = selectors.status_list(user=request.user, workspace=workspace).filter(pk=status_id).first() \
        if status_id else None
    if status is None:
        return _refuse(request, _("Choose a status of this workflow."), 400, fallback)
    version = _number(request.POST.get("version"))
    if status.pk != feature.status_id:
        try:
            feature = services.feature_update(actor=request.user, feature=feature, version=version, status=status)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                # The service's message names who changed what since the board was loaded.
                message = _("%(key)s was changed by someone else since this board was loaded: %(what)s "
                            "Reload the board, then move it again.") % {"key": feature.key, "what": exc.messages[0]}
                return _refuse(request, message, 409, fallback)
            return _refuse(request, f"{feature.key}: " + " ".join(exc.messages), 400, fallback)
    if not _wants_js(request):
        messages.success(request, _("%(key)s moved to %(status)s.") % {"key": feature.key, "status": status.name})
        return redirect(f"{_next_url(request, fallback)}#card-{feature.number}")
    card = selectors.feature_queryset(user=request.user, product=product).filter(pk=feature.pk)
    rows = selectors.feature_rows(card)
    statuses = list(selectors.status_list(user=request.user, workspace=workspace))
    plan = selectors.plan_for(product_ids=[product.pk])
    options = _board_options(statuses, conflicts=_conflict_messages(product, plan)[0], blockers=plan.blockers,
                             can_edit=True)
    return HttpResponse(draw.board_card(rows[0], options), content_type="text/html; charset=utf-8")


# --- value / effort -------------------------------------------------------------------------


@workspace_view
@require_GET
def value_effort(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The open features on a 2×2 of value (reach × impact × confidence) against effort,
    split at the medians into quick wins, big bets, fill-ins and money pits; features
    without every RICE part are listed to be scored."""
    product = product_for(request, workspace, key)
    features = selectors.open_features(user=request.user, product=product)
    filterset = FeatureFilterSet(request.GET, queryset=features, request=request)
    rows = selectors.value_effort_rows(filterset.qs, product=product)
    links = draw.Links.for_product(workspace.slug, product.key)
    matrix = draw.value_effort_matrix(rows, links)
    # Each quadrant lists its first few; the page needs only those and the counts.
    quadrants = [
        {"name": name, "title": title, "hint": hint, "count": len(matrix.by_quadrant[name]),
         "more": max(0, len(matrix.by_quadrant[name]) - QUADRANT_SHOWN), "points": [
            {"row": p.row, "url": links.feature(p.row["number"]), "value": p.value, "effort": p.effort,
             "score": format_number(p.row["rice_score"])}
            for p in matrix.by_quadrant[name][:QUADRANT_SHOWN]]}
        for name, (title, hint) in draw.QUADRANTS.items()
    ]
    unscored = [{"row": r, "url": links.feature(r["number"]),
                 "missing": [label for part, label in (("reach", _("reach")), ("impact", _("impact")),
                                                       ("confidence", _("confidence")), ("effort", _("effort")))
                             if r.get(part) is None]} for r in matrix.unscored[:UNSCORED_SHOWN]]
    return render(request, "releases/value_effort.html", {
        "workspace": workspace,
        "product": product,
        "matrix": matrix,
        "quadrants": quadrants,
        "unscored": unscored,
        "unscored_rows": draw.unscored_rows(unscored),
        "unscored_count": len(matrix.unscored),
        "unscored_more": max(0, len(matrix.unscored) - UNSCORED_SHOWN),
        "releases": list(selectors.release_choices(user=request.user, product=product)),
        "release": request.GET.get("release", ""),
        "none": NONE,
        "value_split": format_number(round(matrix.value_split, 1)) if matrix.value_split is not None else "",
        "effort_split": format_number(matrix.effort_split) if matrix.effort_split is not None else "",
        "scored_count": len(matrix.points),
        "feature_count": len(rows),
    })
