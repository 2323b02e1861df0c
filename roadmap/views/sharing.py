"""Share links: the list and create page for a product's team, and the public page a link
opens. The public page reads nothing from the request but the token (and, for a locked link,
the password form), and `since`, the earlier moment a reader compares the plan with: its view
and options come from the link alone."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from strategy import access
from strategy.auth import client_ip
from strategy.forms import apply_service_errors
from strategy.web import product_for, workspace_view

from .. import compose, services
from ..changes import parse_since
from ..compression import allow_compression
from ..forms import ShareLinkForm, SharePasswordForm
from ..models import ShareLink

PUBLIC_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
}


def _unlocked_key(link: ShareLink) -> str:
    return f"share_link_unlocked_{link.pk}"


def _public(response: HttpResponse, *, referrer_policy: str = "no-referrer") -> HttpResponse:
    for name, value in PUBLIC_HEADERS.items():
        response[name] = value
    response["Referrer-Policy"] = referrer_policy
    return response


def _not_found(request: HttpRequest) -> HttpResponse:
    """The same plain page for unknown, tampered, revoked and expired links."""
    return _public(render(request, "roadmap/shared_not_found.html", status=404))


# The password page sends only its origin as referrer, never its path (the token). Under
# no-referrer, Chromium posts the form with `Origin: null`, which Django's CSRF check
# refuses; under strict-origin the Origin header is the site's own, so the CSRF check works
# as everywhere else, and the token still never leaves the address bar.
PASSWORD_PAGE_REFERRER_POLICY = "strict-origin"


def _password_page(request: HttpRequest, link: ShareLink) -> HttpResponse:
    """The password form; on a right password, unlock the link for this browser session."""
    form = SharePasswordForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_link_unlock(link=link, password=form.cleaned_data["password"],
                                       address=client_ip(request))
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            request.session.cycle_key()
            request.session[_unlocked_key(link)] = True
            return _public(redirect(request.path))
    response = render(request, "roadmap/shared_password.html", {
        "form": form, "product": link.product, "referrer_policy": PASSWORD_PAGE_REFERRER_POLICY})
    return _public(response, referrer_policy=PASSWORD_PAGE_REFERRER_POLICY)


@require_http_methods(["GET", "HEAD", "POST"])
def shared_view(request: HttpRequest, token: str) -> HttpResponse:
    """The one view a share link grants, read-only, for anyone holding the token. HEAD
    answers as GET does but counts no view (link checkers and previews are not readers)."""
    link = services.resolve(token)
    if link is None:
        return _not_found(request)
    if link.has_password and not request.session.get(_unlocked_key(link)):
        return _password_page(request, link)
    if request.method == "POST":
        return _public(redirect(request.path))
    now = timezone.now()
    # `since` only says which earlier plan to compare with; the view and its options still
    # come from the link alone, and the comparison covers only what the view shows.
    since, since_notice = parse_since(request.GET.get("since"), now)
    shown = compose.render_shared(link, timezone.localdate(now), since)
    if request.method == "GET":
        services.share_link_record_view(link=link)
    response = _public(render(request, "roadmap/shared_page.html", {
        "product": link.product, "shown": shown, "as_of": now, "link": link,
        "notices": [since_notice] if since_notice else [], "changes": shown.changes,
        "since_value": request.GET.get("since", "")[:40], "changes_off_url": request.path}))
    # Its token is in its address: whoever can ask for it sees all it shows. Behind a password
    # the roadmap is the secret, so it is not compressed (roadmap/compression.py).
    return response if link.has_password else allow_compression(response)


def _links(product) -> list[ShareLink]:
    return list(ShareLink.objects.filter(product=product).select_related("created_by").order_by("-created_at", "-id"))


@workspace_view(post_requires="share_links.manage")
@require_http_methods(["GET", "POST"])
def share_link_list(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """The product's share links, and (for editors and admins) a form to create one from the
    view options in this page's query string (?view=timeline&zoom=…&group=…)."""
    product = product_for(request, workspace, key)
    can_edit = access.can(request.user, "share_links.manage", product)
    source = request.POST if request.method == "POST" else request.GET
    params = services.sanitise_params(source.get("view", ""), request.GET)
    form = ShareLinkForm(request.POST if request.method == "POST" else None, is_line=product.is_line,
                         initial={"view": request.GET.get("view") or ShareLink.View.NOW_NEXT_LATER})
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            link, token = services.share_link_create(
                actor=request.user, product=product, view=form.cleaned_data["view"], params=params,
                expires_at=form.expires_at(), password=form.cleaned_data["password"],
                show_estimates=form.cleaned_data["show_estimates"],
                show_messaging=form.cleaned_data["show_messaging"], title=form.cleaned_data["title"],
                intro=form.cleaned_data["intro"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The link appears in this one response, which nothing caches; only its digest is kept.
            created = {"pk": link.pk, "token": token}
            form = ShareLinkForm(None, is_line=product.is_line, initial={"view": link.view})
    now = timezone.now()
    links = _links(product)
    for link in links:
        link.status = link.status_at(now)
    new_url = f"{settings.SITE_URL}{reverse('roadmap:shared_view', args=[created['token']])}" if created else ""
    response = render(request, "roadmap/share_link_list.html", {
        "workspace": workspace, "product": product, "form": form, "links": links, "can_edit": can_edit,
        "new_url": new_url, "new_pk": created["pk"] if created else None,
        "params_text": " · ".join(f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in params.items()),
    }, status=400 if request.method == "POST" and not created else 200)
    add_never_cache_headers(response)
    return response


@workspace_view(requires="share_links.manage")
@require_POST
def share_link_revoke(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    link = ShareLink.objects.filter(product=product, pk=pk).select_related("product").first()
    if link is None:
        raise Http404("No such share link.")
    services.share_link_revoke(actor=request.user, link=link)
    messages.success(request, _("Share link %(prefix)s… revoked. It no longer opens.") % {
        "prefix": link.token_prefix})
    return redirect(reverse("roadmap:share_link_list", args=[workspace.slug, product.key]))
