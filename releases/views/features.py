"""Pages of one feature: the feature page (requirements checklist, dependencies, comments,
history), its create/edit form with the stale-edit comparison, and delete.

Views stay adapters: selectors read (scoped to the user's workspaces, so another
workspace's feature is 404), services write (and refuse viewers). The sections of the
feature page are htmx partials of `releases/feature_detail.html`; every control is also a
plain form that works without JavaScript (a redirect back, or the page with the error
beside the field and status 400)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from strategy import access
from strategy import selectors as strategy_selectors
from strategy.forms import apply_service_errors
from strategy.history import history_entries
from strategy.markdown import render_markdown
from strategy.models import Product, User, Workspace
from strategy.web import display_value, product_for, stored_value, their_changes, workspace_view

from .. import metrics, selectors, services
from ..extensions import feature_summaries
from ..forms.features import (
    IMPACT_CHOICES,
    CommentForm,
    DependencyForm,
    FeatureForm,
    RequirementForm,
    feature_initial,
    impact_value,
)
from ..models import CLOSED_CATEGORIES, Comment, Dependency, Feature, Requirement
from ..render import CATEGORY_CLASS

REQUIREMENTS_EVENT = "requirements-changed"
DEPENDENCIES_EVENT = "dependencies-changed"



# --- presentation rows --------------------------------------------------------


@dataclass
class RequirementProgress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


@dataclass
class DependencyRow:
    """A prerequisite ("depends on") or a dependent ("blocks") of the feature, as listed."""

    dependency: Dependency
    other: Feature
    badge: str
    end: date | None
    end_from_release: bool
    late: bool  # the order of the two end dates breaks the dependency


@dataclass
class CommentRow:
    comment: Comment
    body: SafeString
    is_own: bool


@dataclass
class Rice:
    """The RICE score with its parts, formatted for the page."""

    score: str
    reach: str
    impact: str
    confidence: str
    effort: str
    missing: list[str]
    formula: str


def _number(value) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _rice(feature: Feature) -> Rice:
    impact_labels = dict(IMPACT_CHOICES)
    parts = {_("reach"): feature.reach, _("impact"): feature.impact, _("confidence"): feature.confidence,
             _("effort"): feature.effort}
    missing = [name for name, value in parts.items() if value is None]
    reach, confidence = _number(feature.reach), (f"{feature.confidence} %" if feature.confidence is not None else "—")
    impact = _number(feature.impact)
    effort = _number(feature.effort)
    formula = _("Reach × Impact × Confidence ÷ Effort")
    if feature.rice_score is not None:
        formula += f" = {reach} × {impact} × {feature.confidence} % ÷ {effort} = {_number(feature.rice_score)}"
    label = impact_labels.get(impact_value(feature.impact))
    return Rice(
        score=_number(feature.rice_score) if feature.rice_score is not None else "—",
        reach=reach, impact=str(label) if label and feature.impact is not None else "—",
        confidence=confidence, effort=effort, missing=missing, formula=formula,
    )


def _dependency_rows(feature: Feature) -> tuple[list[DependencyRow], list[DependencyRow]]:
    """What the feature waits for, and what waits for it, from the prefetched dependencies."""
    own_end = feature.effective_end
    depends_on, blocks = [], []
    for dependency in feature.dependencies.all():
        other = dependency.depends_on
        end = other.effective_end
        depends_on.append(DependencyRow(
            dependency=dependency, other=other, badge=CATEGORY_CLASS.get(other.status.category, "todo"), end=end,
            end_from_release=other.end_date is None and end is not None,
            late=bool(own_end and end and own_end < end),
        ))
    for dependency in feature.dependents.all():
        other = dependency.feature
        end = other.effective_end
        blocks.append(DependencyRow(
            dependency=dependency, other=other, badge=CATEGORY_CLASS.get(other.status.category, "todo"), end=end,
            end_from_release=other.end_date is None and end is not None,
            late=bool(own_end and end and end < own_end),
        ))
    key = lambda row: (row.other.product.key, row.other.number)  # noqa: E731
    return sorted(depends_on, key=key), sorted(blocks, key=key)


TAG = re.compile(r"(<[^>]+>)")
SKIPPED_TAGS = {"a", "code", "pre"}


def _highlight_mentions(body_html: str, mentioned: list[User]) -> SafeString:
    """The comment's sanitised HTML with each @mention of a mentioned member wrapped in a
    highlight; text inside links and code is left alone."""
    if not mentioned:
        return mark_safe(body_html)  # noqa: S308 - sanitised by render_markdown
    people = {}
    for user in mentioned:
        people[user.email.lower()] = user
        people.setdefault(user.email.lower().split("@")[0], user)

    def replace(match: re.Match) -> str:
        handle = match.group(1)
        trailing = handle[len(handle.rstrip(".")):]
        user = people.get(handle.rstrip(".").lower())
        if user is None:
            return match.group(0)
        return (f'<span class="mention" title="{html.escape(user.display_name)}">'
                f"@{handle.rstrip('.')}</span>{trailing}")

    parts = TAG.split(body_html)
    skipping = 0
    for i, part in enumerate(parts):
        if part.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in SKIPPED_TAGS:
                skipping += -1 if part.startswith("</") else 1
            continue
        if skipping <= 0:
            parts[i] = services.MENTION.sub(replace, part)
    return mark_safe("".join(parts))  # noqa: S308 - sanitised HTML plus escaped spans built here


def _comment_rows(feature: Feature, user: User) -> list[CommentRow]:
    comments = list(feature.comments.all())
    prefetch_related_objects(comments, "mentions")
    return [
        CommentRow(comment=comment, is_own=comment.author_id == user.pk,
                   body=_highlight_mentions(render_markdown(comment.body), list(comment.mentions.all())))
        for comment in comments
    ]


def _feature_key_options(request: HttpRequest, workspace: Workspace, feature: Feature) -> SafeString:
    """<option>s suggesting prerequisites for the dependency datalist, built once (one query):
    open features of this product and of the other products in its line, at most 500, as a
    workspace may hold tens of thousands. Any feature key of the workspace can still be typed."""
    taken = list(feature.dependencies.values_list("depends_on_id", flat=True))
    nearby = Q(product_id=feature.product_id)
    if feature.product.parent_id:
        nearby |= Q(product__parent_id=feature.product.parent_id)
    rows = (
        selectors.feature_queryset(user=request.user)
        .filter(nearby, workspace=workspace)
        .exclude(status__category__in=CLOSED_CATEGORIES)
        .exclude(pk__in=[feature.pk, *taken])
        .order_by("product__key", "number")
        .values_list("product__key", "number", "title")[:500]
    )
    options = "".join(
        f'<option value="{html.escape(key)}-{number}">{html.escape(title)}</option>' for key, number, title in rows
    )
    return mark_safe(options)  # noqa: S308 - every value escaped above


# --- small helpers --------------------------------------------------------------


def _feature_url(workspace: Workspace, product: Product, feature: Feature, anchor: str = "") -> str:
    url = reverse("releases:feature_detail", args=[workspace.slug, product.key, feature.number])
    return f"{url}#{anchor}" if anchor else url


def _product_home(workspace: Workspace, product: Product) -> str:
    return reverse("releases:backlog", args=[workspace.slug, product.key])


def _feature_light(request: HttpRequest, product: Product, number: int) -> Feature:
    """The feature without its page's prefetches, for writes. Raises Http404."""
    return get_object_or_404(selectors.feature_queryset(user=request.user, product=product), number=number)


def _requirements_context(feature: Feature, requirements: list[Requirement]) -> dict:
    return {
        "requirements": requirements,
        "progress": RequirementProgress(done=sum(1 for r in requirements if r.done), total=len(requirements)),
    }


def _base_context(request: HttpRequest, workspace: Workspace, product: Product, feature: Feature) -> dict:
    return {
        "workspace": workspace,
        "product": product,
        "feature": feature,
        "can_edit": access.can(request.user, "releases.edit", feature),
        "can_comment": access.can(request.user, "releases.comment", feature),
    }


def _conflicts(product: Product, feature: Feature) -> list[metrics.Conflict]:
    """The conflicts of this feature, and those of its release as a whole (over capacity)."""
    index = selectors.ConflictIndex.of(selectors.conflicts_for(product=product))
    found = list(index.by_feature.get(feature.pk, []))
    if feature.release_id:
        found += [c for c in index.by_release.get(feature.release_id, []) if c.feature_id is None]
    return found


def _dependencies_context(request: HttpRequest, workspace: Workspace, feature: Feature, form=None) -> dict:
    depends_on, blocks = _dependency_rows(feature)
    context = {"depends_on": depends_on, "blocks": blocks, "dependency_count": len(depends_on) + len(blocks),
               "dependency_form": form or DependencyForm()}
    if access.can(request.user, "releases.edit", feature):
        # The suggestions (up to 500 features) load when the field is first focused
        # (`part=feature-keys`), not with every page: typing a key works without them.
        context["feature_keys_url"] = _feature_url(workspace, feature.product, feature) + "?part=feature-keys"
    return context


def _page_context(request: HttpRequest, workspace: Workspace, product: Product, feature: Feature, *,
                  requirement_form=None, dependency_form=None, comment_form=None) -> dict:
    """Everything the feature page draws, in a fixed number of queries."""
    context = _base_context(request, workspace, product, feature)
    context.update(_requirements_context(feature, list(feature.requirements.all())))
    context.update(_dependencies_context(request, workspace, feature, dependency_form))
    context.update({
        "badge": CATEGORY_CLASS.get(feature.status.category, "todo"),
        "goals": sorted(feature.goals.all(), key=lambda goal: goal.name.lower()),
        "rice": _rice(feature),
        "start_from_release": feature.start_date is None and feature.effective_start is not None,
        "end_from_release": feature.end_date is None and feature.effective_end is not None,
        "conflicts": _conflicts(product, feature),
        "comments": _comment_rows(feature, request.user),
        "following": feature.followed,
        "history": history_entries(feature, known=[product, feature.status, feature.release, feature.initiative,
                                                   feature.assignee]),
        "requirement_form": requirement_form or RequirementForm(),
        "comment_form": comment_form or CommentForm(),
        # Panels from higher apps (demand, forecast, adoption), each read once for the page.
        "panels": feature_summaries.collect([feature])[feature.pk],
    })
    return context


def _render_page(request: HttpRequest, workspace: Workspace, product: Product, number: int, *,
                 status: int = 200, **forms) -> HttpResponse:
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    context = _page_context(request, workspace, product, feature, **forms)
    return render(request, "releases/feature_detail.html", context, status=status)


# --- the feature page -------------------------------------------------------------


@workspace_view
@require_GET
def feature_detail(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    part = request.GET.get("part") if request.htmx else None
    if part == "requirements-progress":
        feature = _feature_light(request, product, number)
        context = {**_base_context(request, workspace, product, feature),
                   **_requirements_context(feature, list(feature.requirements.all()))}
        return render(request, "releases/feature_detail.html#requirements-progress", context)
    if part == "feature-keys":
        feature = _feature_light(request, product, number)
        if not access.can(request.user, "releases.edit", feature):
            raise PermissionDenied
        return HttpResponse(_feature_key_options(request, workspace, feature))
    if part == "conflicts":
        feature = _feature_light(request, product, number)
        context = {**_base_context(request, workspace, product, feature), "conflicts": _conflicts(product, feature)}
        return render(request, "releases/feature_detail.html#conflicts", context)
    return _render_page(request, workspace, product, number)


# --- create, edit, delete -------------------------------------------------------


def feature_form(request: HttpRequest, workspace: Workspace, product: Product, *, feature: Feature | None = None,
                 fields: tuple[str, ...] | None = None, **kwargs) -> FeatureForm:
    """The feature form with its choices scoped to the product; with `fields`, only those
    (and the version): the backlog's inline editors validate with the very same fields."""
    statuses = selectors.status_list(user=request.user, workspace=workspace, include_retired=True)
    keep = Q(retired_at__isnull=True)
    if feature is not None:
        keep |= Q(pk=feature.status_id)  # a retired status stays selectable for its own features
    form = FeatureForm(
        request.POST or None,
        statuses=statuses.filter(keep),
        releases=selectors.release_choices(user=request.user, product=product),
        initiatives=strategy_selectors.initiative_choices(user=request.user, product=product),
        goals=strategy_selectors.goal_choices(user=request.user, product=product).select_related("product"),
        members=strategy_selectors.member_users(workspace=workspace),
        editing=feature is not None,
        **kwargs,
    )
    if fields is not None:
        for name in [name for name in form.fields if name not in fields and name != "version"]:
            del form.fields[name]
    return form


def _render_form(request: HttpRequest, workspace: Workspace, product: Product, form: FeatureForm, *,
                 feature: Feature | None = None, theirs=None, status: int = 200) -> HttpResponse:
    cancel_url = _feature_url(workspace, product, feature) if feature else _product_home(workspace, product)
    return render(request, "releases/feature_form.html", {
        "form": form, "workspace": workspace, "product": product, "feature": feature, "theirs": theirs,
        "cancel_url": cancel_url,
        "rice": _rice(feature) if feature else None,
    }, status=status)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def feature_create(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = feature_form(request, workspace, product)
    if request.method == "GET":
        first = form.fields["status"].queryset.first()
        form.initial = {"status": first.pk if first else None}
        for name in ("release", "initiative"):
            value = request.GET.get(name, "")
            if value.isdigit() and form.fields[name].queryset.filter(pk=int(value)).exists():
                form.initial[name] = int(value)
        return _render_form(request, workspace, product, form)
    if form.is_valid():
        data = form.service_data()
        goals, title = data.pop("goals"), data.pop("title")
        try:
            feature = services.feature_create(actor=request.user, product=product, title=title, goals=goals, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(key)s created.") % {"key": feature.key})
            return redirect(_feature_url(workspace, product, feature))
    return _render_form(request, workspace, product, form, status=400)


def _display(field, value) -> str:
    """A value as the form shows it; impact by its label, numbers without trailing zeros."""
    if value not in (None, "") and field.__class__.__name__ == "TypedChoiceField":
        return str(dict(IMPACT_CHOICES).get(impact_value(value), value))
    if isinstance(value, Decimal):
        return _number(value)
    return display_value(field, value)


def _comparable(name: str, value):
    """Tags as the service stores them (lower case, once each); the rest as stored anywhere."""
    if name == "tags":
        return sorted({tag.strip().lower() for tag in value or [] if tag.strip()})
    return stored_value(value)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def feature_edit(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    form = feature_form(request, workspace, product, feature=feature, initial=feature_initial(feature))
    if request.method == "GET":
        return _render_form(request, workspace, product, form, feature=feature)
    theirs = None
    if form.is_valid():
        data = form.service_data()
        goals = data.pop("goals")
        try:
            saved = services.feature_update(actor=request.user, feature=feature, goals=goals,
                                            version=form.cleaned_data.get("version"), **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                current = selectors.feature_get(user=request.user, product=product, number=number)
                theirs = their_changes(form, current, form.service_data(), comparable=_comparable, display=_display)
        else:
            if saved.rice_score is not None:
                messages.success(request, _("Saved. RICE score %(score)s.") % {"score": _number(saved.rice_score)})
            else:
                messages.success(request, _("Saved."))
            return redirect(_feature_url(workspace, product, saved))
    return _render_form(request, workspace, product, form, feature=feature, theirs=theirs,
                        status=409 if theirs is not None else 400)


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def feature_delete(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the feature with its requirements, dependencies
    and comments."""
    product = product_for(request, workspace, key)
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    if request.method == "POST":
        feature_key = feature.key
        services.feature_delete(actor=request.user, feature=feature)
        messages.success(request, _("%(key)s deleted.") % {"key": feature_key})
        return redirect(_product_home(workspace, product))
    return render(request, "releases/feature_delete.html", {
        "workspace": workspace, "product": product, "feature": feature,
        "requirement_count": len(feature.requirements.all()),
        "comment_count": len(feature.comments.all()),
        "dependency_count": len(feature.dependencies.all()) + len(feature.dependents.all()),
        "cancel_url": _feature_url(workspace, product, feature),
    })


# --- requirements -----------------------------------------------------------------


def _render_requirements(request: HttpRequest, workspace: Workspace, product: Product, feature: Feature, *,
                         form=None) -> HttpResponse:
    context = {**_base_context(request, workspace, product, feature),
               **_requirements_context(feature, list(feature.requirements.all())),
               "requirement_form": form or RequirementForm()}
    return render(request, "releases/feature_detail.html#requirements", context)


def _requirement_of(feature: Feature, pk: int) -> Requirement:
    requirement = Requirement.objects.filter(feature=feature, pk=pk).first()
    if requirement is None:
        raise Http404("No such requirement.")
    requirement.feature = feature
    return requirement


@workspace_view(requires="releases.edit")
@require_POST
def requirement_create(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    form = RequirementForm(request.POST)
    if form.is_valid():
        try:
            services.requirement_create(actor=request.user, feature=feature, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _render_requirements(request, workspace, product, feature)
            return redirect(_feature_url(workspace, product, feature, "requirements"))
    if request.htmx:  # htmx swaps only successful answers; the form comes back with its error
        return _render_requirements(request, workspace, product, feature, form=form)
    return _render_page(request, workspace, product, number, status=400, requirement_form=form)


@workspace_view(requires="releases.edit")
@require_POST
def requirement_toggle(request: HttpRequest, workspace: Workspace, key: str, number: int, pk: int) -> HttpResponse:
    """Tick a requirement off or on (`done` = 1 or 0; without it, flip). With htmx the answer
    is the checklist item, and an event that refreshes the progress; without, a redirect back."""
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    requirement = _requirement_of(feature, pk)
    wanted = request.POST.get("done")
    done = (wanted == "1") if wanted in ("0", "1") else not requirement.done
    services.requirement_update(actor=request.user, requirement=requirement, done=done)
    if request.htmx:
        context = {**_base_context(request, workspace, product, feature), "requirement": requirement}
        response = render(request, "releases/feature_detail.html#requirement-item", context)
        return trigger_client_event(response, REQUIREMENTS_EVENT, {"requirement": requirement.pk})
    return redirect(_feature_url(workspace, product, feature, f"requirement-{requirement.pk}"))


@workspace_view(requires="releases.edit")
@require_POST
def requirement_delete(request: HttpRequest, workspace: Workspace, key: str, number: int, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    services.requirement_delete(actor=request.user, requirement=_requirement_of(feature, pk))
    if request.htmx:
        return _render_requirements(request, workspace, product, feature)
    return redirect(_feature_url(workspace, product, feature, "requirements"))


# --- dependencies -----------------------------------------------------------------


def _render_dependencies(request: HttpRequest, workspace: Workspace, product: Product, number: int, *,
                         form=None, changed: bool = False) -> HttpResponse:
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    context = {**_base_context(request, workspace, product, feature),
               **_dependencies_context(request, workspace, feature, form)}
    response = render(request, "releases/feature_detail.html#dependencies", context)
    return trigger_client_event(response, DEPENDENCIES_EVENT) if changed else response


@workspace_view(requires="releases.edit")
@require_POST
def dependency_add(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    """Make this feature depend on another one of the workspace, named by its key (MOB-12).
    A cycle is refused with the cycle named beside the field."""
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    form = DependencyForm(request.POST)
    if form.is_valid():
        product_key, other_number = form.cleaned_data["depends_on"]
        other = (selectors.feature_queryset(user=request.user)
                 .filter(workspace=workspace, product__key=product_key, number=other_number).first())
        if other is None:
            form.add_error("depends_on", _("There is no feature %(key)s in this workspace.") % {
                "key": f"{product_key}-{other_number}"})
        else:
            try:
                services.dependency_add(actor=request.user, feature=feature, depends_on=other)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                if request.htmx:
                    return _render_dependencies(request, workspace, product, number, changed=True)
                messages.success(request, _("%(key)s now depends on %(other)s.") % {
                    "key": feature.key, "other": other.key})
                return redirect(_feature_url(workspace, product, feature, "dependencies"))
    if request.htmx:
        return _render_dependencies(request, workspace, product, number, form=form)
    return _render_page(request, workspace, product, number, status=400, dependency_form=form)


@workspace_view(requires="releases.edit")
@require_POST
def dependency_remove(request: HttpRequest, workspace: Workspace, key: str, number: int, pk: int) -> HttpResponse:
    """Remove a dependency of this feature, in either direction (it waits for, or it blocks)."""
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    dependency = get_object_or_404(
        Dependency.objects.select_related("feature__product", "depends_on__product")
        .filter(Q(feature=feature) | Q(depends_on=feature)), pk=pk)
    services.dependency_remove(actor=request.user, dependency=dependency)
    if request.htmx:
        return _render_dependencies(request, workspace, product, number, changed=True)
    messages.success(request, _("%(key)s no longer depends on %(other)s.") % {
        "key": dependency.feature.key, "other": dependency.depends_on.key})
    return redirect(_feature_url(workspace, product, feature, "dependencies"))


# --- comments ---------------------------------------------------------------------


@workspace_view(requires="releases.comment")
@require_POST
def comment_create(request: HttpRequest, workspace: Workspace, key: str, number: int) -> HttpResponse:
    """Viewers may comment too; members @mentioned get an email with a link here."""
    product = product_for(request, workspace, key)
    feature = _feature_light(request, product, number)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_create(actor=request.user, feature=feature, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if request.htmx:
                return _render_comments(request, workspace, product, number)
            return redirect(_feature_url(workspace, product, feature, f"comment-{comment.pk}"))
    if request.htmx:
        return _render_comments(request, workspace, product, number, form=form)
    return _render_page(request, workspace, product, number, status=400, comment_form=form)


def _render_comments(request: HttpRequest, workspace: Workspace, product: Product, number: int, *,
                     form=None) -> HttpResponse:
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    context = {**_base_context(request, workspace, product, feature),
               "comments": _comment_rows(feature, request.user), "comment_form": form or CommentForm()}
    return render(request, "releases/feature_detail.html#comments", context)
