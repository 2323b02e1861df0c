"""The public ideas portal of a product, for people outside the workspace: browse and search
public ideas, the portal roadmap and the changelog (with its Atom feed), and, once signed in by
emailed magic link, submit ideas, vote and comment. Plus the page in the app where admins
open and close it.

A portal user's sign-in is a key of the session of its own (`_session_key`), per product, apart
from Django's authentication: a portal user is not a member, and a member browsing a portal is
an anonymous visitor there until they sign in to it. Pages read nothing internal: the selectors
of `feedback.selectors.portal` and `.portal_pages` load only public rows and columns."""

from __future__ import annotations

import functools
from datetime import date, datetime, time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy.auth import client_ip
from strategy.forms import apply_service_errors
from strategy.web import product_for, workspace_view

from .. import selectors, services
from ..forms.portal import (
    PortalCommentForm,
    PortalIdeaForm,
    PortalPreferencesForm,
    PortalSettingsForm,
    PortalSignInForm,
)
from ..models import Idea, PortalSettings
from ..selectors import portal_pages
from ..services import portal_access

PAGE_SIZE = 25
SORTS = (("trending", _lazy("Trending")), ("top", _lazy("Top")), ("new", _lazy("New")))
STATUS_LABELS = dict(Idea.Status.choices)
FEED_ENTRIES = 30
ROADMAP_COLUMN_SIZE = 30
# The sign-in link page has the token in its path. It sends only its origin as referrer:
# under no-referrer Chromium would post its form with `Origin: null`, which Django's CSRF
# check refuses (as on the share-link password page, roadmap.views.sharing).
LINK_PAGE_REFERRER_POLICY = "strict-origin"


def _session_key(product_id: int) -> str:
    return f"feedback_portal_user_{product_id}"


def portal_page(view):
    """Resolve `ws`/`key` to an open portal (404 when closed or unknown), load the signed-in
    portal user from the session, and keep the page out of shared caches (it shows that
    person's votes)."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, ws: str, key: str, *args, **kwargs) -> HttpResponse:
        product, portal = selectors.portal_get(workspace_slug=ws, product_key=key)
        signed_in = request.session.get(_session_key(product.pk))
        request.portal_user = selectors.portal_user_get(product=product, pk=signed_in) if signed_in else None
        response = view(request, portal, *args, **kwargs)
        add_never_cache_headers(response)
        patch_cache_control(response, private=True)
        return response

    return wrapper


def _context(request: HttpRequest, portal: PortalSettings, **extra) -> dict:
    product = portal.product
    return {"portal": portal, "product": product, "workspace": product.workspace,
            "portal_title": portal.title or product.name, "portal_user": request.portal_user,
            "ws": product.workspace.slug, "key": product.key,
            # Rows link to their idea from this prefix: one reverse() per page, not four per row.
            "ideas_url": _url("home", portal) + "ideas/", "sign_in_url": _url("sign_in", portal), **extra}


def _url(name: str, portal: PortalSettings, *args) -> str:
    return reverse(f"portal:{name}", args=[portal.product.workspace.slug, portal.product.key, *args])


def _too_many(request: HttpRequest, portal: PortalSettings, exc: portal_access.Throttled) -> HttpResponse:
    response = render(request, "feedback/portal/throttled.html", _context(
        request, portal, message=exc.message, unavailable=exc.unavailable), status=503 if exc.unavailable else 429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _sign_in_url(portal: PortalSettings, next_path: str) -> str:
    return f"{_url('sign_in', portal)}?{urlencode({'next': next_path})}"


# --- browsing ----------------------------------------------------------------------------


@require_GET
@portal_page
def home(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """The public ideas: trending, top or new, or what a search finds; one status at a time."""
    sort = request.GET.get("sort") if request.GET.get("sort") in dict(SORTS) else "trending"
    q = request.GET.get("q", "").strip()[:200]
    status = request.GET.get("status", "")
    if status not in Idea.Status.values:
        status = ""
    rows = selectors.portal_idea_rows(product=portal.product, sort=sort, q=q, status=status or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    ideas = list(page.object_list)
    voted = selectors.portal_voted_ids(portal_user=request.portal_user, idea_ids=[idea["id"] for idea in ideas])
    return render(request, "feedback/portal/home.html", _context(
        request, portal, page=page, ideas=ideas, voted=voted, sort=sort, q=q, status=status, sorts=SORTS,
        statuses=Idea.Status.choices))


def _idea_page(request: HttpRequest, portal: PortalSettings, pk: int, *, comment_form=None,
               status: int = 200) -> HttpResponse:
    found = selectors.portal_idea_get(product=portal.product, pk=pk, portal_user=request.portal_user)
    if found.redirect_to:
        return redirect(_url("idea_detail", portal, found.redirect_to))
    idea = found.idea
    return render(request, "feedback/portal/idea_detail.html", _context(
        request, portal, idea=idea, voted={idea["id"]} if found.voted else set(), comments=found.comments,
        similar=portal_pages.portal_similar(product=portal.product, title=idea["title"], exclude_id=idea["id"]),
        comment_form=comment_form or PortalCommentForm(), submitted=request.GET.get("submitted") == "1"),
        status=status)


def _votable(portal: PortalSettings, pk: int) -> Idea:
    """The public, unmerged idea `pk` of the portal, for a write. Raises Http404."""
    idea = selectors.portal_ideas(portal.product).filter(pk=pk).first()
    if idea is None:
        raise Http404("No such idea on this portal.")
    return idea


@require_GET
@portal_page
def idea_detail(request: HttpRequest, portal: PortalSettings, pk: int) -> HttpResponse:
    """One public idea: its description, status and public note, votes, public comments, and
    similar ideas. A merged idea sends to the one it was merged into."""
    return _idea_page(request, portal, pk)


@require_POST
@portal_page
def idea_vote(request: HttpRequest, portal: PortalSettings, pk: int) -> HttpResponse:
    """Vote for an idea, or take the vote back (`action=remove`); signed-in portal users only.
    htmx gets the vote button back, a plain form the page it came from."""
    idea = _votable(portal, pk)
    if request.portal_user is None:
        return redirect(_sign_in_url(portal, _url("idea_detail", portal, idea.pk)))
    try:
        if request.POST.get("action") == "remove":
            services.portal_vote_remove(portal_user=request.portal_user, idea=idea)
        else:
            services.portal_vote_add(portal_user=request.portal_user, idea=idea)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_url("idea_detail", portal, idea.pk))
    if request.htmx:
        found = selectors.portal_idea_get(product=portal.product, pk=idea.pk, portal_user=request.portal_user)
        return render(request, "feedback/portal/home.html#vote-button", _context(
            request, portal, idea=found.idea, voted={idea.pk} if found.voted else set()))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith(_url("home", portal)) else _url("idea_detail", portal, idea.pk))


@require_POST
@portal_page
def idea_comment(request: HttpRequest, portal: PortalSettings, pk: int) -> HttpResponse:
    """Add a public comment to an idea; signed-in portal users only, within the rate limits."""
    idea = _votable(portal, pk)
    if request.portal_user is None:
        return redirect(_sign_in_url(portal, _url("idea_detail", portal, idea.pk)))
    form = PortalCommentForm(request.POST)
    if form.is_bot:
        return redirect(_url("idea_detail", portal, idea.pk))
    if not form.is_valid():
        return _idea_page(request, portal, idea.pk, comment_form=form, status=400)
    try:
        portal_access.portal_comment_admit(portal_user=request.portal_user, address=client_ip(request))
        services.portal_comment_create(portal_user=request.portal_user, idea=idea, body=form.cleaned_data["body"])
    except portal_access.Throttled as exc:
        return _too_many(request, portal, exc)
    except ValidationError as exc:
        apply_service_errors(form, exc)
        return _idea_page(request, portal, idea.pk, comment_form=form, status=400)
    return redirect(_url("idea_detail", portal, idea.pk) + "#comments")


@require_GET
@portal_page
def roadmap(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """What is planned, in progress and shipped, from the public ideas."""
    columns = selectors.portal_roadmap(product=portal.product, limit=ROADMAP_COLUMN_SIZE)
    return render(request, "feedback/portal/roadmap.html", _context(request, portal, columns=[
        {"status": status, "label": STATUS_LABELS[status], "ideas": rows, "full": len(rows) >= ROADMAP_COLUMN_SIZE}
        for status, rows in columns.items()]))


# --- submitting --------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_page
def idea_submit(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """Submit an idea (signed in): public, new, with the submitter's vote. While the title is
    typed, similar ideas are suggested (`idea_similar`); a filled honeypot is discarded
    silently; the rate limits answer 429."""
    if request.portal_user is None:
        return redirect(_sign_in_url(portal, _url("idea_submit", portal)))
    form = PortalIdeaForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_bot:
            # Looks like success, so the bot learns nothing; nothing is written.
            messages.success(request, _("Thank you: your idea was submitted."))
            return redirect(_url("home", portal))
        if form.is_valid():
            try:
                portal_access.portal_idea_admit(portal_user=request.portal_user, address=client_ip(request))
                idea = services.portal_idea_submit(portal_user=request.portal_user,
                                                          title=form.cleaned_data["title"],
                                                          description=form.cleaned_data["description"])
            except portal_access.Throttled as exc:
                return _too_many(request, portal, exc)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Thank you: your idea was submitted, with your vote."))
                return redirect(_url("idea_detail", portal, idea.pk) + "?submitted=1")
    title = form["title"].value() or ""
    similar = portal_pages.portal_similar(product=portal.product, title=title)
    return render(request, "feedback/portal/idea_submit.html", _context(
        request, portal, form=form, similar=similar, title=title),
        status=400 if request.method == "POST" else 200)


@require_GET
@portal_page
def idea_similar(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """The suggestions under the title field: public ideas like the title typed so far."""
    title = request.GET.get("title", "")[:200]
    similar = portal_pages.portal_similar(product=portal.product, title=title)
    return render(request, "feedback/portal/idea_submit.html#similar", _context(
        request, portal, similar=similar, title=title))


# --- the changelog -----------------------------------------------------------------------


@require_GET
@portal_page
def changelog(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """What shipped: released releases with their done features, and shipped ideas."""
    return render(request, "feedback/portal/changelog.html", _context(
        request, portal, entries=portal_pages.portal_changelog_entries(product=portal.product)))


@require_GET
@portal_page
def changelog_feed(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """The changelog as an Atom feed."""
    title = portal.title or portal.product.name
    page_url = settings.SITE_URL + _url("changelog", portal)
    feed = Atom1Feed(title=_("%(title)s: what shipped") % {"title": title}, link=page_url,
                     description=_("Released features and shipped ideas of %(title)s.") % {"title": title},
                     feed_url=settings.SITE_URL + _url("changelog_feed", portal), language="en")
    for entry in portal_pages.portal_changelog_entries(product=portal.product)[:FEED_ENTRIES]:
        if entry.kind == "release":
            heading = f"{entry.title} {entry.version_label}".strip()
            lines = [*entry.features, *(_("Idea delivered: %(title)s") % {"title": i["title"]} for i in entry.ideas)]
            if entry.notes_html:  # published release notes, sanitised HTML (summary type="html")
                lines = [str(entry.notes_html), *(_("Idea delivered: %(title)s") % {"title": i["title"]}
                                                  for i in entry.ideas)]
            link = f"{page_url}#{entry.anchor}"
        else:
            heading = _("Shipped: %(title)s") % {"title": entry.title}
            lines = [_("%(n)d votes") % {"n": entry.idea["vote_count"]}]
            link = settings.SITE_URL + _url("idea_detail", portal, entry.idea["id"])
        feed.add_item(title=heading, link=link, description="\n".join(lines) or heading,
                      unique_id=f"{page_url}#{entry.anchor}", updateddate=_midnight(entry.day),
                      pubdate=_midnight(entry.day))
    response = HttpResponse(content_type=f"{feed.content_type}")
    feed.write(response, "utf-8")
    return response


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# --- signing in and out ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@portal_page
def sign_in(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """Ask for a sign-in link by email. The answer is the same whoever the address belongs to."""
    form = PortalSignInForm(request.POST if request.method == "POST" else None,
                            initial={"next": request.GET.get("next", "")})
    if request.method == "POST":
        if form.is_bot:
            return render(request, "feedback/portal/sign_in_sent.html", _context(request, portal, email=""))
        if form.is_valid():
            try:
                email = portal_access.portal_link_request(
                    product=portal.product, email=form.cleaned_data["email"], address=client_ip(request),
                    next_path=form.cleaned_data["next"])
            except portal_access.Throttled as exc:
                return _too_many(request, portal, exc)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                return render(request, "feedback/portal/sign_in_sent.html", _context(request, portal, email=email))
    return render(request, "feedback/portal/sign_in.html", _context(request, portal, form=form),
                  status=400 if request.method == "POST" else 200)


@require_http_methods(["GET", "POST"])
@portal_page
def sign_in_link(request: HttpRequest, portal: PortalSettings, token: str) -> HttpResponse:
    """The emailed link. GET only checks it and asks to confirm (mail scanners that follow
    links must not use them up); the POST signs in, once. Expired, used and broken links get
    a page that offers a new one."""
    try:
        if request.method == "POST":
            portal_user, next_path = portal_access.portal_link_redeem(
                token=token, product=portal.product, name=request.POST.get("name", "")[:120])
        else:
            claim = portal_access.portal_link_check(token=token, product=portal.product)
    except portal_access.LinkRefused as exc:
        form = PortalSignInForm(initial={"email": exc.email})
        response = render(request, "feedback/portal/sign_in_refused.html", _context(
            request, portal, reason=exc.code, message=exc.messages[0], form=form), status=400)
        response["Referrer-Policy"] = "no-referrer"
        return response
    if request.method == "GET":
        response = render(request, "feedback/portal/sign_in_confirm.html", _context(
            request, portal, email=claim.email, referrer_policy=LINK_PAGE_REFERRER_POLICY))
        response["Referrer-Policy"] = LINK_PAGE_REFERRER_POLICY
        return response
    request.session.cycle_key()
    request.session[_session_key(portal.product.pk)] = portal_user.pk
    messages.success(request, _("You are signed in as %(email)s.") % {"email": portal_user.email})
    return redirect(next_path or _url("home", portal))


@require_POST
@portal_page
def sign_out(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    request.session.pop(_session_key(portal.product.pk), None)
    request.session.cycle_key()
    messages.info(request, _("You are signed out."))
    return redirect(_url("home", portal))


@require_http_methods(["GET", "POST"])
@portal_page
def preferences(request: HttpRequest, portal: PortalSettings) -> HttpResponse:
    """A signed-in portal user's name and whether they get "shipped" emails."""
    portal_user = request.portal_user
    if portal_user is None:
        return redirect(_sign_in_url(portal, _url("preferences", portal)))
    form = PortalPreferencesForm(request.POST if request.method == "POST" else None,
                                 initial={"name": portal_user.name, "emails": not portal_user.unsubscribed})
    if request.method == "POST" and form.is_valid():
        services.portal_user_preferences_set(portal_user=portal_user, unsubscribed=not form.cleaned_data["emails"],
                                             name=form.cleaned_data["name"])
        messages.success(request, _("Your settings are saved."))
        return redirect(_url("preferences", portal))
    return render(request, "feedback/portal/preferences.html", _context(request, portal, form=form),
                  status=400 if request.method == "POST" else 200)


# --- the switch, in the app --------------------------------------------------------------


@workspace_view(requires="feedback.portal")
@require_http_methods(["GET", "POST"])
def portal_settings(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """Admins open or close the product's public ideas portal and set its title and welcome."""
    product = product_for(request, workspace, key)
    current = selectors.portal_settings_for(product=product)
    initial = {"enabled": current.enabled, "title": current.title, "welcome": current.welcome} if current else {}
    form = PortalSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.portal_settings_update(actor=request.user, product=product, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("The portal is open.") if form.cleaned_data["enabled"]
                             else _("The portal is closed: its pages answer “not found”."))
            return redirect(reverse("portal:settings", args=[workspace.slug, product.key]))
    is_open = bool(current and current.enabled)
    public_url = settings.SITE_URL + reverse("portal:home", args=[workspace.slug, product.key])
    return render(request, "feedback/portal/settings.html", {
        "workspace": workspace, "product": product, "form": form, "is_open": is_open, "public_url": public_url,
    }, status=400 if request.method == "POST" else 200)
