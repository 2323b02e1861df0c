"""Pages of a product's strategy: the overview, the vision and its versions, personas,
competitors and the competitor comparison. Thin adapters: selectors read, services write."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import access, selectors, services
from ..forms import apply_service_errors
from ..forms.positioning import ComparisonForm, CompetitorForm, CriterionForm, PersonaForm, VisionForm
from ..history import history_entries
from ..models import Persona, Product, Vision
from ..web import product_for, their_changes, workspace_view

OVERVIEW_PERSONAS = 4
OVERVIEW_GOALS = 8
OVERVIEW_INITIATIVES = 6


def _can_edit(request: HttpRequest, product: Product) -> bool:
    return access.can(request.user, "strategy.edit", product)


def _context(request: HttpRequest, workspace, product: Product, **extra) -> dict:
    return {"workspace": workspace, "product": product, "can_edit": _can_edit(request, product), **extra}


# --- overview ---------------------------------------------------------------


@workspace_view
@require_GET
def strategy_overview(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    overview = selectors.strategy_overview(user=request.user, product=product)
    primary = [p for p in overview.personas if p.importance == Persona.Importance.PRIMARY]
    open_initiatives = [i for i in overview.initiatives if i.status in ("proposed", "active")]
    return render(request, "strategy/strategy_overview.html", _context(
        request, workspace, product,
        overview=overview,
        vision=overview.vision,
        personas=(primary or overview.personas)[:OVERVIEW_PERSONAS],
        persona_count=len(overview.personas),
        goals=overview.goals[:OVERVIEW_GOALS],
        goal_count=len(overview.goals),
        initiatives=(open_initiatives or overview.initiatives)[:OVERVIEW_INITIATIVES],
        initiative_count=len(overview.initiatives),
        competitors=overview.competitors,
    ))


# --- vision -----------------------------------------------------------------


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def vision_edit(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    vision = selectors.vision_get(user=request.user, product=product)
    form = VisionForm(request.POST or None, instance=vision)
    theirs = None
    if request.method == "POST" and form.is_valid():
        try:
            services.vision_save(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                current = selectors.vision_get(user=request.user, product=product)
                yours = {name: form.cleaned_data[name] for name in Vision.CONTENT_FIELDS}
                theirs = their_changes(form, current, yours)
        else:
            messages.success(request, _("Vision saved."))
            return redirect("strategy:strategy_overview", ws=workspace.slug, key=product.key)
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/vision_form.html", _context(
        request, workspace, product, form=form, vision=vision, theirs=theirs), status=status)


def _versions_with_entries(vision: Vision | None, user, product: Product) -> list[dict]:
    """Each saved version, newest first, beside what changed in it."""
    if vision is None:
        return []
    versions = selectors.vision_versions(user=user, product=product, limit=30)
    # history_entries breaks ties on the date by id; sort the same way so the two lists pair up.
    versions.sort(key=lambda v: (v.history_date, v.history_id), reverse=True)
    entries = history_entries(vision, limit=len(versions))
    return [
        {"version": version, "entry": entry, "is_current": index == 0}
        for index, (version, entry) in enumerate(zip(versions, entries, strict=False))
    ]


@workspace_view
@require_GET
def vision_history(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Versions of the vision; `?confirm=<history_id>` shows one in full with a restore button."""
    product = product_for(request, workspace, key)
    vision = selectors.vision_get(user=request.user, product=product)
    rows = _versions_with_entries(vision, request.user, product)
    confirm = None
    if request.GET.get("confirm"):
        confirm = next(
            (row for row in rows if str(row["version"].history_id) == request.GET["confirm"]
             and not row["is_current"]), None)
        if confirm is None:
            raise Http404("No such earlier version.")
    context = _context(request, workspace, product, vision=vision, rows=rows, confirm=confirm)
    if confirm is not None:
        context["sections"] = [
            (Vision._meta.get_field(name).verbose_name, getattr(confirm["version"], name))
            for name in Vision.CONTENT_FIELDS
        ]
        return render(request, "strategy/vision_restore.html", context)
    return render(request, "strategy/vision_history.html", context)


@workspace_view(requires="strategy.edit")
@require_POST
def vision_restore(request: HttpRequest, workspace, key: str, history_id: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    if selectors.vision_get(user=request.user, product=product) is None:
        raise Http404("This product has no vision yet.")
    try:
        services.vision_restore(actor=request.user, product=product, history_id=history_id)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The earlier version is the current vision again. "
                                    "The one it replaced is kept in the history."))
    return redirect("strategy:vision_history", ws=workspace.slug, key=product.key)


# --- personas ---------------------------------------------------------------


@workspace_view
@require_GET
def persona_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    personas = list(selectors.persona_list(user=request.user, product=product))
    return render(request, "strategy/persona_list.html", _context(
        request, workspace, product,
        primary=[p for p in personas if p.importance == Persona.Importance.PRIMARY],
        secondary=[p for p in personas if p.importance != Persona.Importance.PRIMARY],
        persona_count=len(personas),
    ))


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def persona_create(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = PersonaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            persona = services.persona_create(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Persona %(name)s added.") % {"name": persona.name})
            return redirect("strategy:persona_detail", ws=workspace.slug, key=product.key, pk=persona.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/persona_form.html", _context(request, workspace, product, form=form),
                  status=status)


def _own_persona(request: HttpRequest, workspace, product: Product, pk: int) -> Persona | HttpResponse:
    """The persona if it belongs to `product`; a shared one is changed on its product line's page."""
    persona = selectors.persona_get(user=request.user, product=product, pk=pk)
    if persona.product_id != product.pk:
        view_name = request.resolver_match.view_name
        return redirect(view_name, ws=workspace.slug, key=persona.product.key, pk=persona.pk)
    return persona


@workspace_view
@require_GET
def persona_detail(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    persona = selectors.persona_get(user=request.user, product=product, pk=pk)
    return render(request, "strategy/persona_detail.html", _context(
        request, workspace, product, persona=persona, shared=persona.product_id != product.pk,
        history=history_entries(persona)))


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def persona_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    persona = _own_persona(request, workspace, product, pk)
    if isinstance(persona, HttpResponse):
        return persona
    form = PersonaForm(request.POST or None, instance=persona)
    if request.method == "POST" and form.is_valid():
        try:
            services.persona_update(actor=request.user, persona=persona, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:persona_detail", ws=workspace.slug, key=product.key, pk=persona.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/persona_form.html", _context(
        request, workspace, product, form=form, persona=persona), status=status)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def persona_delete(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    product = product_for(request, workspace, key)
    persona = _own_persona(request, workspace, product, pk)
    if isinstance(persona, HttpResponse):
        return persona
    if request.method == "POST":
        services.persona_delete(actor=request.user, persona=persona)
        messages.success(request, _("Persona %(name)s deleted.") % {"name": persona.name})
        return redirect("strategy:persona_list", ws=workspace.slug, key=product.key)
    return render(request, "strategy/persona_delete.html", _context(request, workspace, product, persona=persona))


# --- competitors ------------------------------------------------------------


COMPETITOR_SORTS = {"name": ("name",), "-name": ("-name",)}


@workspace_view
@require_GET
def competitor_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Sorted by threat (the selector's order) unless `?sort=name` or `?sort=-name`."""
    product = product_for(request, workspace, key)
    competitors = selectors.competitor_list(user=request.user, product=product)
    sort = request.GET.get("sort", "")
    if sort in COMPETITOR_SORTS:
        competitors = competitors.order_by(*COMPETITOR_SORTS[sort])
    else:
        sort = ""
    return render(request, "strategy/competitor_list.html", _context(
        request, workspace, product, competitors=list(competitors), sort=sort))


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def competitor_create(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = CompetitorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            competitor = services.competitor_create(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the competitors.") % {"name": competitor.name})
            return redirect("strategy:competitor_detail", ws=workspace.slug, key=product.key, pk=competitor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/competitor_form.html", _context(request, workspace, product, form=form),
                  status=status)


@workspace_view
@require_GET
def competitor_detail(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    competitor = selectors.competitor_get(user=request.user, product=product, pk=pk)
    comparison = selectors.comparison_get(user=request.user, product=product)
    column = next(c for c in comparison.columns if c.competitor is not None and c.competitor.pk == competitor.pk)
    scores = [
        {"criterion": criterion, "ours": ours, "theirs": theirs}
        for criterion, ours, theirs in zip(
            comparison.criteria, comparison.columns[0].scores, column.scores, strict=True)
    ]
    return render(request, "strategy/competitor_detail.html", _context(
        request, workspace, product, competitor=competitor, scores=scores,
        our_average=comparison.columns[0].average, their_average=column.average,
        history=history_entries(competitor)))


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def competitor_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    competitor = selectors.competitor_get(user=request.user, product=product, pk=pk)
    form = CompetitorForm(request.POST or None, instance=competitor)
    if request.method == "POST" and form.is_valid():
        try:
            services.competitor_update(actor=request.user, competitor=competitor, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:competitor_detail", ws=workspace.slug, key=product.key, pk=competitor.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "strategy/competitor_form.html", _context(
        request, workspace, product, form=form, competitor=competitor), status=status)


@workspace_view(requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def competitor_delete(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes the competitor with its ratings."""
    product = product_for(request, workspace, key)
    competitor = selectors.competitor_get(user=request.user, product=product, pk=pk)
    if request.method == "POST":
        services.competitor_delete(actor=request.user, competitor=competitor)
        messages.success(request, _("%(name)s deleted.") % {"name": competitor.name})
        return redirect("strategy:competitor_list", ws=workspace.slug, key=product.key)
    return render(request, "strategy/competitor_delete.html", _context(
        request, workspace, product, competitor=competitor))


# --- the comparison ---------------------------------------------------------


def _render_comparison(request: HttpRequest, workspace, product: Product, comparison, *, form=None,
                       criterion_form=None, status: int = 200) -> HttpResponse:
    can_edit = _can_edit(request, product)
    editing = can_edit and (form is not None or request.GET.get("edit") == "1")
    if editing and form is None:
        form = ComparisonForm(comparison=comparison)
    template = "strategy/competitor_comparison.html"
    if request.htmx and not request.htmx.boosted:
        template += "#comparison-grid"
    return render(request, template, {
        "workspace": workspace,
        "product": product,
        "can_edit": can_edit,
        "comparison": comparison,
        "editing": editing,
        "form": form,
        "rows": form.rows() if editing else comparison.rows,
        "criterion_form": criterion_form or CriterionForm(),
    }, status=status)


@workspace_view(post_requires="strategy.edit")
@require_http_methods(["GET", "POST"])
def competitor_comparison(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """GET shows the grid (`?edit=1`: as a form for editors); POST saves every cell at once."""
    product = product_for(request, workspace, key)
    comparison = selectors.comparison_get(user=request.user, product=product)
    if request.method == "GET":
        return _render_comparison(request, workspace, product, comparison)
    form = ComparisonForm(request.POST, comparison=comparison)
    if form.is_valid():
        try:
            written = services.comparison_rate(actor=request.user, product=product, ratings=form.ratings())
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Ratings saved (%(count)s rated cells).") % {"count": written})
            return redirect("strategy:competitor_comparison", ws=workspace.slug, key=product.key)
    return _render_comparison(request, workspace, product, comparison, form=form, status=400)


@workspace_view(requires="strategy.edit")
@require_POST
def criterion_create(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = CriterionForm(request.POST)
    if form.is_valid():
        try:
            criterion = services.criterion_create(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the comparison.") % {"name": criterion.name})
            return redirect(reverse("strategy:competitor_comparison", args=[workspace.slug, product.key]) + "?edit=1")
    comparison = selectors.comparison_get(user=request.user, product=product)
    request.GET = request.GET.copy()
    request.GET["edit"] = "1"
    return _render_comparison(request, workspace, product, comparison, criterion_form=form, status=400)


@workspace_view(requires="strategy.edit")
@require_POST
def criterion_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """Rename a criterion (`name`) or move it a row `up` or `down` (`direction`)."""
    product = product_for(request, workspace, key)
    comparison = selectors.comparison_get(user=request.user, product=product)
    criterion = next((c for c in comparison.criteria if c.pk == pk), None)
    if criterion is None:
        raise Http404("No such criterion.")
    try:
        services.criterion_update(actor=request.user, criterion=criterion, name=request.POST.get("name"),
                                  direction=request.POST.get("direction"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(reverse("strategy:competitor_comparison", args=[workspace.slug, product.key]) + "?edit=1")


@workspace_view(requires="strategy.edit")
@require_POST
def criterion_delete(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    comparison = selectors.comparison_get(user=request.user, product=product)
    criterion = next((c for c in comparison.criteria if c.pk == pk), None)
    if criterion is None:
        raise Http404("No such criterion.")
    services.criterion_delete(actor=request.user, criterion=criterion)
    messages.success(request, _("%(name)s removed from the comparison, with its ratings.") % {
        "name": criterion.name})
    return redirect(reverse("strategy:competitor_comparison", args=[workspace.slug, product.key]) + "?edit=1")
