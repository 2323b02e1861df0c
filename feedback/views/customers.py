"""In-app pages of customers (workspace-wide): the sortable, searchable list, one customer's
page (contacts, the ideas they stand behind, their feedback and the features those lead to)
and the create/edit forms, with contacts added and removed in place."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from releases.render import CATEGORY_CLASS
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.forms import apply_service_errors
from strategy.models import Workspace
from strategy.web import query_string, workspace_view

from .. import selectors, services
from ..forms.customers import ContactForm, CustomerForm
from ..models import Customer
from ..selectors import pages
from ..services import pages as page_services
from .display import STATUS_BADGE, STATUS_LABEL, highlighted, money
from .ideas import page_urls

PAGE_SIZE = 50
NOTES_SHOWN = 50
CUSTOMER_SORTS = {
    "name": ("name", "id"),
    "revenue": ("-annual_revenue", "name", "id"),
    "votes": ("-vote_count", "name", "id"),
    "notes": ("-note_count", "name", "id"),
}


def _customer_url(workspace: Workspace, pk: int) -> str:
    return reverse("feedback:customer_detail", args=[workspace.slug, pk])


def _customer_of(request: HttpRequest, workspace: Workspace, pk: int) -> Customer:
    """The customer `pk` of this workspace as the user may see it. Raises Http404."""
    customer = selectors.customer_get(user=request.user, pk=pk)
    if customer.workspace_id != workspace.pk:
        raise Http404(_("No such customer."))
    return customer


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def customer_list(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """The workspace's customers with their ARR and how many ideas, votes and notes they
    stand behind; searched by name or domain, filtered by segment, sorted."""
    current = {name: request.GET.get(name, "").strip() for name in ("q", "segment")}
    sort = request.GET.get("sort") if request.GET.get("sort") in CUSTOMER_SORTS else "revenue"
    segment = current["segment"] if current["segment"] in Customer.Segment.values else None
    customers = selectors.customer_list(user=request.user, workspace=workspace, q=current["q"], segment=segment)
    customers = customers.order_by(*CUSTOMER_SORTS[sort])
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    idea_counts = pages.customer_idea_counts(customer_ids=[customer.pk for customer in rows])
    for customer in rows:
        customer.revenue_text = money(customer.annual_revenue)
        customer.idea_count = idea_counts.get(customer.pk, 0)
    is_filtered = any(current.values())
    context = {
        "workspace": workspace, "page": page, "current": current, "sort": sort,
        "sort_urls": {name: query_string(request, sort=name, page="") for name in CUSTOMER_SORTS},
        "page_urls": page_urls(request, page), "segments": Customer.Segment.choices,
        "clear_url": request.path, "is_filtered": is_filtered,
        "has_customers": bool(rows) or is_filtered or Customer.objects.filter(workspace=workspace).exists(),
        "can_edit": access.can(request.user, "feedback.edit", workspace),
    }
    page.object_list = rows
    if request.htmx and not request.htmx.boosted:
        return render(request, "feedback/customer_list.html#results", context)
    return render(request, "feedback/customer_list.html", context)


def _contacts_context(request: HttpRequest, workspace: Workspace, customer: Customer, form=None) -> dict:
    contacts = list(pages.contacts_with_votes(customer=customer))
    return {"workspace": workspace, "customer": customer, "contacts": contacts,
            "contact_form": form or ContactForm(prefix="contact"),
            "can_edit": access.can(request.user, "feedback.edit", customer)}


@workspace_view
@require_GET
def customer_detail(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    customer = _customer_of(request, workspace, pk)
    detail = selectors.customer_detail(user=request.user, customer=customer)
    via_vote = {vote.idea_id for vote in detail.votes}
    ideas = []
    for idea in detail.ideas:
        if idea.merged_into_id:
            continue
        via = (["vote"] if idea.pk in via_vote else []) + (["note"] if idea.customer_notes else [])
        feature = idea.feature
        ideas.append({
            "pk": idea.pk, "title": idea.title, "product_key": idea.product.key,
            "url": reverse("feedback:idea_detail", args=[workspace.slug, idea.product.key, idea.pk]),
            "status_label": STATUS_LABEL[idea.status], "badge": STATUS_BADGE[idea.status], "via": via,
            "votes": idea.vote_count, "demand_text": money(idea.demand),
            "feature_key": feature.key if feature else "", "feature_title": feature.title if feature else "",
            "feature_url": reverse("releases:feature_detail", args=[workspace.slug, feature.product.key,
                                                                   feature.number]) if feature else "",
        })
    notes = []
    for note in detail.notes[:NOTES_SHOWN]:
        links = [{"url": reverse("feedback:idea_detail", args=[workspace.slug, note.product.key, idea.pk]),
                  "title": idea.title, "key": ""} for idea in note.ideas.all()]
        links += [{"url": reverse("releases:feature_detail", args=[workspace.slug, f.product.key, f.number]),
                   "title": f.title, "key": f.key} for f in note.features.all()]
        notes.append({"note": note, "text": highlighted(note.text, note.highlight), "links": links})
    features = [{"key": f.key, "title": f.title, "status": f.status.name,
                 "badge": CATEGORY_CLASS.get(f.status.category, "todo"),
                 "url": reverse("releases:feature_detail", args=[workspace.slug, f.product.key, f.number])}
                for f in detail.features]
    return render(request, "feedback/customer_detail.html", {
        **_contacts_context(request, workspace, customer),
        "revenue_text": money(customer.annual_revenue), "ideas": ideas, "notes": notes,
        "note_count": len(detail.notes), "features": features,
    })


def _members(workspace: Workspace) -> QuerySet:
    return strategy_selectors.member_users(workspace=workspace)


@workspace_view(requires="feedback.edit")
@require_http_methods(["GET", "POST"])
def customer_create(request: HttpRequest, workspace: Workspace) -> HttpResponse:
    """A new customer, with its first contact if one is given (both or neither)."""
    form = CustomerForm(request.POST or None, members=_members(workspace))
    contact_form = ContactForm(request.POST or None, prefix="contact", use_required_attribute=False)
    contact_form.fields["name"].required = False
    if request.method == "POST":
        valid = form.is_valid() & contact_form.is_valid()
        if valid:
            contact = contact_form.cleaned_data
            if contact["email"] and not contact["name"]:
                contact_form.add_error("name", _("Give the contact's name, or leave both empty."))
            else:
                try:
                    customer = page_services.customer_create_with_contact(
                        actor=request.user, workspace=workspace, contact=contact, **form.service_data())
                except ValidationError as exc:
                    _split_errors(form, contact_form, exc)
                else:
                    messages.success(request, _("%(name)s added.") % {"name": customer.name})
                    return redirect(_customer_url(workspace, customer.pk))
    return render(request, "feedback/customer_form.html", {
        "workspace": workspace, "form": form, "contact_form": contact_form,
        "cancel_url": reverse("feedback:customer_list", args=[workspace.slug]),
    }, status=400 if request.method == "POST" else 200)


def _split_errors(form: CustomerForm, contact_form: ContactForm, exc: ValidationError) -> None:
    """A service's errors to the customer's form, those of the first contact (`contact_*`) to its own."""
    if not hasattr(exc, "error_dict"):
        apply_service_errors(form, exc)
        return
    for name, errors in exc.error_dict.items():
        if name.startswith("contact_"):
            field = name.removeprefix("contact_")
            contact_form.add_error(field if field in contact_form.fields else None, errors)
        else:
            form.add_error(name if name in form.fields else None, errors)


@workspace_view(requires="feedback.edit")
@require_http_methods(["GET", "POST"])
def customer_edit(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    customer = _customer_of(request, workspace, pk)
    form = CustomerForm(request.POST or None, members=_members(workspace), editing=True)
    if request.method == "GET":
        form.initial = {"name": customer.name, "domain": customer.domain, "segment": customer.segment,
                        "plan": customer.plan, "annual_revenue": customer.annual_revenue,
                        "owner": customer.owner_id, "version": customer.version}
    elif form.is_valid():
        try:
            services.customer_update(actor=request.user, customer=customer, version=form.cleaned_data.get("version"),
                                     **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": form.cleaned_data["name"]})
            return redirect(_customer_url(workspace, customer.pk))
    return render(request, "feedback/customer_form.html", {
        "workspace": workspace, "form": form, "customer": customer,
        "cancel_url": _customer_url(workspace, customer.pk),
    }, status=400 if request.method == "POST" else 200)


@workspace_view(requires="feedback.edit")
@require_POST
def contact_create(request: HttpRequest, workspace: Workspace, pk: int) -> HttpResponse:
    customer = _customer_of(request, workspace, pk)
    form = ContactForm(request.POST, prefix="contact")
    status = 400
    if form.is_valid():
        try:
            services.contact_create(actor=request.user, customer=customer, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _("%(name)s added.") % {"name": form.cleaned_data["name"]})
                return redirect(_customer_url(workspace, customer.pk) + "#contacts")
            form, status = None, 200
    if request.htmx:
        return render(request, "feedback/customer_detail.html#contacts",
                      _contacts_context(request, workspace, customer, form), status=status)
    messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect(_customer_url(workspace, customer.pk) + "#contacts")


@workspace_view(requires="feedback.edit")
@require_POST
def contact_delete(request: HttpRequest, workspace: Workspace, pk: int, contact_pk: int) -> HttpResponse:
    customer = _customer_of(request, workspace, pk)
    contact = selectors.contact_get(user=request.user, pk=contact_pk)
    if contact.customer_id != customer.pk:
        raise Http404(_("No such contact."))
    services.contact_delete(actor=request.user, contact=contact)
    if request.htmx:
        return render(request, "feedback/customer_detail.html#contacts",
                      _contacts_context(request, workspace, customer))
    messages.success(request, _("%(name)s removed.") % {"name": contact.name})
    return redirect(_customer_url(workspace, customer.pk) + "#contacts")
