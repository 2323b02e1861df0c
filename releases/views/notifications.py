"""Pages of notifications: the inbox of a workspace, marking read, following a feature, the
email choices (shown on the account page) and the unsubscribe page emails link to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from strategy.unsubscribe import unsubscribe_view
from strategy.web import product_for, query_string, workspace_view

from .. import selectors, services
from ..context_processors import InboxBadge
from ..forms import NotificationSettingsForm
from ..models import Notification, NotificationKind

PAGE_SIZE = 30
KIND_FILTERS = [("", _("All")), (NotificationKind.MENTION, _("Mentions")), (NotificationKind.ASSIGNED, _("Assigned")),
                (NotificationKind.STATUS, _("Status changes")), (NotificationKind.COMMENT, _("Comments"))]


def _notification(request: HttpRequest, workspace, pk: int) -> Notification:
    try:
        return selectors.notification_get(user=request.user, workspace=workspace, pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc


def _target(workspace, notification: Notification) -> str:
    feature = notification.feature
    url = reverse("releases:feature_detail", args=[workspace.slug, feature.product.key, feature.number])
    return url + (f"#comment-{notification.comment_id}" if notification.comment_id else "")


@workspace_view
@require_GET
def inbox(request: HttpRequest, workspace) -> HttpResponse:
    """The signed-in member's notifications in this workspace: unread first, newest first in each."""
    kind = request.GET.get("kind", "")
    if kind not in NotificationKind.values:
        kind = ""
    found = (selectors.notification_list(user=request.user, workspace=workspace, kind=kind or None)
             .annotate(is_unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField()))
             .order_by("-is_unread", "-created_at", "-id"))
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for row in rows:
        row.target = _target(workspace, row)
    unread_total = selectors.unread_count(user=request.user, workspace=workspace)
    return render(request, "releases/inbox.html", {
        "workspace": workspace, "page": page, "unread": [r for r in rows if r.is_unread],
        "read": [r for r in rows if not r.is_unread], "kind": kind, "unread_total": unread_total,
        "filters": [(value, label, query_string(request, kind=value, page=None)) for value, label in KIND_FILTERS],
        "previous_url": query_string(request, page=page.previous_page_number()) if page.has_previous() else "",
        "next_url": query_string(request, page=page.next_page_number()) if page.has_next() else "",
    })


@workspace_view
@require_GET
def inbox_bell(request: HttpRequest, workspace) -> HttpResponse:
    """The top bar's bell alone, redrawn by htmx when the inbox changes."""
    return render(request, "components/inbox_bell.html", {
        "workspace": workspace, "nav_inbox": InboxBadge(request.user, workspace)})


@workspace_view
@require_POST
def notification_read(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    notification = services.notification_mark_read(actor=request.user, notification=_notification(
        request, workspace, pk))
    if request.htmx:
        notification.target = _target(workspace, notification)
        response = render(request, "releases/inbox.html#inbox-item", {"workspace": workspace, "item": notification})
        response["HX-Trigger"] = "inbox-changed"
        return response
    return redirect(reverse("releases:inbox", args=[workspace.slug]) + query_string(request))


@workspace_view
@require_POST
def notifications_read_all(request: HttpRequest, workspace) -> HttpResponse:
    kind = request.POST.get("kind", "")
    count = services.notifications_mark_all_read(actor=request.user, workspace=workspace,
                                                 kind=kind if kind in NotificationKind.values else None)
    messages.success(request, _("Marked %(count)d notification(s) read.") % {"count": count})
    return redirect(reverse("releases:inbox", args=[workspace.slug]) + (f"?kind={kind}" if kind else ""))


@workspace_view
@require_GET
def notification_open(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """Follow a notification's link: it is read from then on."""
    notification = _notification(request, workspace, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(_target(workspace, notification))


@workspace_view(requires="releases.comment")
@require_POST
def feature_follow(request: HttpRequest, workspace, key: str, number: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    feature = selectors.feature_get(user=request.user, product=product, number=number)
    following = request.POST.get("following") == "1"
    services.feature_follow_set(actor=request.user, feature=feature, following=following)
    context = {"workspace": workspace, "product": product, "feature": feature, "following": following}
    if request.htmx:
        return render(request, "releases/feature_detail.html#follow", context)
    messages.success(request, _("You follow %(key)s.") % {"key": feature.key} if following
                     else _("You no longer follow %(key)s.") % {"key": feature.key})
    return redirect("releases:feature_detail", workspace.slug, product.key, feature.number)


# --- email choices ---------------------------------------------------------------------


def account_section(request: HttpRequest) -> SafeString:
    """The email choices on the account page (registered in strategy's account sections)."""
    current = services.notification_settings_of(request.user)
    form = NotificationSettingsForm(initial={kind: current.choice_for(kind) for kind in NotificationKind.values})
    return render_to_string("releases/notification_settings.html", {"form": form}, request=request)


@login_required
@require_POST
def notification_settings(request: HttpRequest) -> HttpResponse:
    form = NotificationSettingsForm(request.POST)
    if form.is_valid():
        services.notification_settings_update(actor=request.user, **form.cleaned_data)
        messages.success(request, _("Email choices saved."))
        return redirect(reverse("strategy:account") + "#notifications")
    return render(request, "releases/notification_settings_page.html", {"form": form}, status=400)


def _unsubscribe_read(token: str) -> dict:
    user, kind = services.unsubscribe_token_read(token)
    what = dict(NotificationKind.choices).get(kind, _("all notifications"))
    return {"email": user.email, "what": what, "all_kinds": kind == services.ALL_KINDS}


notifications_unsubscribe = unsubscribe_view(
    read=_unsubscribe_read, apply=lambda token: services.notifications_unsubscribe(token=token),
    template="releases/notifications_unsubscribe.html")
