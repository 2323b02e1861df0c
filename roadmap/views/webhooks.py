"""Webhooks in the workspace settings (admins only): the list with the form to add one, and
each webhook's page with its settings, its secret and its delivery log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from strategy.forms import apply_service_errors
from strategy.web import workspace_view

from .. import selectors, services
from ..forms import WebhookForm
from ..models import Webhook, WebhookDelivery, WebhookEvent


def _webhook(request: HttpRequest, workspace, pk: int) -> Webhook:
    webhook = selectors.webhook_list(user=request.user, workspace=workspace).filter(pk=pk).first()
    if webhook is None:
        raise Http404
    return webhook


def _render(request, template: str, context: dict, status: int = 200) -> HttpResponse:
    response = render(request, template, context, status=status)
    add_never_cache_headers(response)  # the pages show signing secrets
    return response


@workspace_view(requires="workspace.manage")
@require_http_methods(["GET", "POST"])
def webhook_list(request: HttpRequest, workspace) -> HttpResponse:
    """The workspace's webhooks, and the form that adds one."""
    form = WebhookForm(request.POST or None, initial={"is_active": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                webhook = services.webhook_create(actor=request.user, workspace=workspace, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Webhook added. Waymark signs each delivery with its secret, shown "
                                            "below; send a test event to try your receiver."))
                return redirect("roadmap:webhook_detail", ws=workspace.slug, pk=webhook.pk)
        status = 400
    webhooks = list(selectors.webhook_list(user=request.user, workspace=workspace))
    return _render(request, "roadmap/webhook_list.html", {
        "workspace": workspace, "webhooks": webhooks, "form": form, "event_labels": dict(WebhookEvent.choices),
    }, status)


@workspace_view(requires="workspace.manage")
@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """A webhook's settings and secret, and its delivery log (newest first, with every attempt)."""
    webhook = _webhook(request, workspace, pk)
    initial = {"url": webhook.url, "description": webhook.description, "events": webhook.events,
               "is_active": webhook.is_active}
    form = WebhookForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.webhook_update(actor=request.user, webhook=webhook, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Webhook saved."))
                return redirect("roadmap:webhook_detail", ws=workspace.slug, pk=webhook.pk)
        status = 400
    deliveries = Paginator(selectors.delivery_list(user=request.user, webhook=webhook),
                           selectors.DELIVERY_LOG_SIZE).get_page(request.GET.get("page"))
    return _render(request, "roadmap/webhook_detail.html", {
        "workspace": workspace, "webhook": webhook, "form": form, "deliveries": deliveries,
        "event_labels": dict(WebhookEvent.choices),
    }, status)


@workspace_view(requires="workspace.manage")
@require_POST
def webhook_delete(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    webhook = _webhook(request, workspace, pk)
    services.webhook_delete(actor=request.user, webhook=webhook)
    messages.success(request, _("Webhook %(url)s removed, with its delivery log.") % {"url": webhook.url})
    return redirect("roadmap:webhook_list", ws=workspace.slug)


@workspace_view(requires="workspace.manage")
@require_POST
def webhook_ping(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    services.webhook_ping(actor=request.user, webhook=_webhook(request, workspace, pk))
    messages.success(request, _("Test event queued; its attempt appears in the log below."))
    return redirect("roadmap:webhook_detail", ws=workspace.slug, pk=pk)


@workspace_view(requires="workspace.manage")
@require_POST
def webhook_secret_rotate(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    services.webhook_secret_rotate(actor=request.user, webhook=_webhook(request, workspace, pk))
    messages.success(request, _("New secret made: deliveries from now on are signed with it. Update your receiver."))
    return redirect("roadmap:webhook_detail", ws=workspace.slug, pk=pk)


@workspace_view(requires="workspace.manage")
@require_POST
def webhook_redeliver(request: HttpRequest, workspace, pk: int, delivery_pk: int) -> HttpResponse:
    webhook = _webhook(request, workspace, pk)
    delivery = WebhookDelivery.objects.filter(webhook=webhook, pk=delivery_pk).select_related("webhook").first()
    if delivery is None:
        raise Http404
    services.webhook_redeliver(actor=request.user, delivery=delivery)
    messages.success(request, _("Delivery of %(event)s queued again.") % {"event": delivery.event})
    return redirect("roadmap:webhook_detail", ws=workspace.slug, pk=pk)
