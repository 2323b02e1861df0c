"""In-app pages of feedback notes: capture what a customer said, and the triage inbox where
product managers link unprocessed notes to ideas and features (a search picker), turn
them into ideas, and mark them processed.

Each note of the inbox is an htmx fragment (`inbox.html#note-card`); every control is also
a plain form: the picker is a GET of the inbox that shows its results under that note, and
the writes redirect back to the inbox without JavaScript."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from releases.models import Feature
from strategy import access
from strategy.forms import apply_service_errors
from strategy.html import e, safe_join
from strategy.models import Product, Workspace
from strategy.web import product_for, workspace_view

from .. import selectors, services
from ..forms.notes import FeedbackNoteForm, LinkForm
from ..models import FeedbackNote, Idea
from ..selectors import pages
from .display import highlighted, money
from .ideas import idea_url, page_urls, tab_counts

PAGE_SIZE = 20  # notes a page: enough to triage in one sitting, cheap to draw


def _inbox_url(workspace: Workspace, product: Product) -> str:
    return reverse("feedback:inbox", args=[workspace.slug, product.key])


def _next_url(request: HttpRequest, fallback: str) -> str:
    candidate = request.POST.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                                     require_https=request.is_secure()):
        return candidate
    return fallback


def _note_of(request: HttpRequest, product: Product, pk: int) -> FeedbackNote:
    note = selectors.note_get(user=request.user, pk=pk)
    if note.product_id != product.pk:
        raise Http404(_("No such feedback note."))
    return note


def _row(note: FeedbackNote, *, q: str | None = None, candidates=None, error: str = "") -> dict:
    """A note of the inbox as its card draws it (ideas and features prefetched by the selector)."""
    return {
        "note": note,
        "text": highlighted(note.text, note.highlight),
        "revenue_text": money(note.customer.annual_revenue) if note.customer else "",
        "ideas": list(note.ideas.all()),
        "features": list(note.features.all()),
        "picking": q is not None,
        "pick_q": q or "",
        "candidates": candidates or [],
        "error": error,
    }


def _card(request: HttpRequest, workspace: Workspace, product: Product, row: dict, *, status: int = 200,
          template: str = "feedback/inbox.html#note-card") -> HttpResponse:
    return render(request, template, {
        "workspace": workspace, "product": product, "row": row,
        "can_edit": access.can(request.user, "feedback.edit", product),
        "inbox_url": _inbox_url(workspace, product), "next": _inbox_url(workspace, product)}, status=status)


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def inbox(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The product's unprocessed feedback notes, oldest first, 20 to a page. With `pick`
    (a note) and `q`, the picker under that note lists the ideas and features matching `q`;
    htmx asks for just that list."""
    product = product_for(request, workspace, key)
    pick = request.GET.get("pick", "")
    q = request.GET.get("q", "").strip()[:200]
    if request.htmx and pick.isdigit():
        note = _note_of(request, product, int(pick))
        row = _row(note, q=q if q else None,
                   candidates=pages.link_candidates(user=request.user, product=product, q=q))
        return _card(request, workspace, product, row, template="feedback/inbox.html#picker")
    page = Paginator(selectors.note_inbox(user=request.user, product=product), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = []
    for note in page.object_list:
        if pick == str(note.pk) and q:
            rows.append(_row(note, q=q, candidates=pages.link_candidates(user=request.user, product=product, q=q)))
        else:
            rows.append(_row(note))
    return render(request, "feedback/inbox.html", {
        "workspace": workspace, "product": product, "page": page, "rows": rows,
        "page_urls": page_urls(request, page),
        "can_edit": access.can(request.user, "feedback.edit", product),
        "inbox_url": _inbox_url(workspace, product), "next": request.get_full_path(),
        **tab_counts(request, product, page.paginator.count),
    })


@workspace_view(requires="feedback.edit")
@require_POST
def note_link(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Link the note to one idea (`idea`, its number) or feature (`feature`, its key)."""
    product = product_for(request, workspace, key)
    note = _note_of(request, product, pk)
    form = LinkForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(form.non_field_errors()) or _("Choose an idea or a feature to link.")
    else:
        try:
            ideas, features = _targets(request, product, form.cleaned_data)
            services.note_link(actor=request.user, note=note, ideas=ideas, features=features)
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{_next_url(request, _inbox_url(workspace, product))}#note-{note.pk}")
    return _card(request, workspace, product, _row(_note_of(request, product, pk), error=error),
                 status=400 if error else 200)


def _targets(request: HttpRequest, product: Product, data: dict) -> tuple[list[Idea], list[Feature]]:
    """The idea or feature a link form names, among what the user may see. Raises ValidationError."""
    if data.get("feature_key"):
        feature_key, number = data["feature_key"]
        feature = Feature.objects.visible_to(request.user).filter(product=product, number=number).first() \
            if feature_key == product.key else None
        if feature is None:
            raise ValidationError(_("%(key)s-%(number)s is not a feature of %(product)s.") % {
                "key": feature_key, "number": number, "product": product.name})
        return [], [feature]
    idea = Idea.objects.visible_to(request.user).filter(pk=data["idea"], product=product).first()
    if idea is None:
        raise ValidationError(_("Idea #%(pk)s is not an idea of %(product)s.") % {
            "pk": data["idea"], "product": product.name})
    return [idea], []


@workspace_view(requires="feedback.edit")
@require_POST
def note_process(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Mark the note processed (`processed=1`), or back to the inbox (`processed=0`)."""
    product = product_for(request, workspace, key)
    note = _note_of(request, product, pk)
    processed = request.POST.get("processed", "1") != "0"
    services.note_process(actor=request.user, note=note, processed=processed)
    if not request.htmx:
        messages.success(request, _("Note marked processed.") if processed else _("Note back in the inbox."))
        return redirect(_next_url(request, _inbox_url(workspace, product)))
    return _card(request, workspace, product, _row(_note_of(request, product, pk)))


def _options(request: HttpRequest, product: Product) -> tuple[SafeString, SafeString]:
    ideas = safe_join(f'<option value="#{row["pk"]}">{e(row["title"])}</option>'
                      for row in pages.idea_options(user=request.user, product=product))
    features = safe_join(f'<option value="{e(product.key)}-{row["number"]}">{e(row["title"])}</option>'
                         for row in pages.feature_options(user=request.user, product=product))
    return ideas, features


def _resolve_links(request: HttpRequest, product: Product, form: FeedbackNoteForm) -> tuple[list, list] | None:
    """The ideas and features the form names, or None with the errors added to the form."""
    numbers = form.cleaned_data["ideas"]
    ideas = list(Idea.objects.visible_to(request.user).filter(product=product, pk__in=numbers))
    missing = sorted(set(numbers) - {idea.pk for idea in ideas})
    if missing:
        form.add_error("ideas", _("Not ideas of %(product)s: %(numbers)s.") % {
            "product": product.name, "numbers": ", ".join(f"#{n}" for n in missing)})
    keys = form.cleaned_data["features"]
    numbers = [number for key, number in keys if key == product.key]
    features = list(Feature.objects.visible_to(request.user).filter(product=product, number__in=numbers))
    found = {feature.number for feature in features}
    unknown = [f"{key}-{number}" for key, number in keys if key != product.key or number not in found]
    if unknown:
        form.add_error("features", _("Not features of %(product)s: %(keys)s.") % {
            "product": product.name, "keys": ", ".join(unknown)})
    return None if missing or unknown else (ideas, features)


@workspace_view(requires="feedback.edit")
@require_http_methods(["GET", "POST"])
def note_create(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Capture a feedback note; `?idea=` (from an idea page) links it to that idea already."""
    product = product_for(request, workspace, key)
    form = FeedbackNoteForm(request.POST or None,
                            customers=pages.customer_choices(user=request.user, workspace=workspace),
                            contacts=pages.contact_choices(user=request.user, workspace=workspace))
    idea_param = request.GET.get("idea", "")
    if request.method == "GET":
        form.initial = {"date": timezone.localdate(), "ideas": f"#{idea_param}" if idea_param.isdigit() else ""}
    elif form.is_valid():
        links = _resolve_links(request, product, form)
        if links is not None:
            data = {name: value for name, value in form.cleaned_data.items() if name not in ("ideas", "features")}
            try:
                note = services.note_create(actor=request.user, product=product, ideas=links[0], features=links[1],
                                            **data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Feedback added.") if links[0] or links[1] else _(
                    "Feedback added to the inbox: link it to an idea when you triage it."))
                if len(links[0]) == 1:
                    return redirect(idea_url(workspace, product, links[0][0].pk) + "#notes")
                return redirect(f"{_inbox_url(workspace, product)}#note-{note.pk}")
    idea_options, feature_options = _options(request, product)
    return render(request, "feedback/note_form.html", {
        "workspace": workspace, "product": product, "form": form, "idea_options": idea_options,
        "feature_options": feature_options, "cancel_url": _inbox_url(workspace, product),
    }, status=400 if form.is_bound else 200)
