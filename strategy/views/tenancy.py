"""Pages for workspaces, the portfolio, products, members, invitations and the account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from .. import access, selectors, services
from ..context_processors import LAST_WORKSPACE_SESSION_KEY
from ..extensions import Figure, Link, Row, Summary, account_sections, product_summaries
from ..filters import ProductFilterSet
from ..forms import (
    ApiTokenForm,
    InvitationForm,
    ProductForm,
    ProfileForm,
    RoleForm,
    SignUpForm,
    WorkspaceForm,
    WorkspaceSettingsForm,
    apply_service_errors,
)
from ..metrics import ACHIEVED, AT_RISK, MISSED, OFF_TRACK, ON_TRACK
from ..models import Initiative, Product, User
from ..web import product_for, their_changes, workspace_view

# --- workspaces -------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Open the workspace used last, or the first one, or offer to create one."""
    workspaces = list(selectors.workspace_list(user=request.user))
    if not workspaces:
        return redirect("strategy:workspace_create")
    last = request.session.get(LAST_WORKSPACE_SESSION_KEY)
    workspace = next((w for w in workspaces if w.slug == last), workspaces[0])
    return redirect("strategy:portfolio", ws=workspace.slug)


@login_required
@require_http_methods(["GET", "POST"])
def workspace_create(request: HttpRequest) -> HttpResponse:
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Workspace %(name)s created. Add your first product.") % {
                "name": workspace.name})
            return redirect("strategy:portfolio", ws=workspace.slug)
    return render(request, "strategy/workspace_create.html", {"form": form})


@workspace_view(requires="workspace.manage")
@require_http_methods(["GET", "POST"])
def workspace_settings(request: HttpRequest, workspace) -> HttpResponse:
    form = WorkspaceSettingsForm(request.POST or None, request.FILES or None, initial={"name": workspace.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_update(actor=request.user, workspace=workspace, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("strategy:workspace_settings", ws=workspace.slug)
    return render(request, "strategy/workspace_settings.html", {"form": form, "workspace": workspace})


# --- portfolio and products -------------------------------------------------


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def portfolio(request: HttpRequest, workspace) -> HttpResponse:
    filterset = ProductFilterSet(
        request.GET, queryset=selectors.product_list(user=request.user, workspace=workspace, include_archived=True)
    )
    products = list(filterset.qs)
    context = {
        "workspace": workspace,
        "filter": filterset,
        "tree": selectors.portfolio_tree(products),
        "search": request.GET.get("q", "").strip(),
        "show_archived": filterset.form.cleaned_data.get("archived") is True,
        "is_filtered": any(request.GET.get(name) for name in ("q", "stage", "kind", "archived")),
        "can_edit": access.can(request.user, "products.edit", workspace),
        "stages": Product.Stage,
    }
    template = "strategy/portfolio.html#portfolio-results" if request.htmx else "strategy/portfolio.html"
    return render(request, template, context)


def _product_form(request: HttpRequest, workspace, **kwargs) -> ProductForm:
    return ProductForm(
        request.POST or None,
        lines=selectors.product_line_choices(user=request.user, workspace=workspace),
        members=selectors.member_users(workspace=workspace),
        **kwargs,
    )


@workspace_view(requires="products.edit")
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest, workspace) -> HttpResponse:
    initial = {"kind": request.GET.get("kind", Product.Kind.PRODUCT), "owner": request.user.pk}
    if request.GET.get("parent"):
        initial["parent"] = (
            selectors.product_line_choices(user=request.user, workspace=workspace)
            .filter(key=request.GET["parent"].upper()).values_list("pk", flat=True).first()
        )
    form = _product_form(request, workspace, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            product = services.product_create(actor=request.user, workspace=workspace, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("%(name)s added to the portfolio.") % {"name": product.name})
            return redirect("strategy:product_detail", ws=workspace.slug, key=product.key)
    return render(request, "strategy/product_form.html", {"form": form, "workspace": workspace})


@workspace_view
@require_GET
def product_detail(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    children = list(product.children.select_related("owner").order_by("name")) if product.is_line else []
    return render(request, "strategy/product_detail.html", {
        "workspace": workspace,
        "product": product,
        "children": children,
        "can_edit": access.can(request.user, "products.edit", product),
        # Strategy's own card first, then what higher apps registered (releases, roadmap, …).
        "summaries": _hub_cards(request, workspace, product),
    })


def _hub_cards(request: HttpRequest, workspace, product: Product) -> list[Summary]:
    """Strategy's own card first, then what higher apps registered (releases, roadmap, …),
    with the initiatives just before the wide cards that close the hub (recent changes)."""
    cards = [_strategy_summary(request, workspace, product), *product_summaries.collect([product])[product.pk]]
    at = len(cards)
    while at > 1 and cards[at - 1].wide:
        at -= 1
    cards[at:at] = _initiative_summary(request, workspace, product)
    return cards


def _strategy_summary(request: HttpRequest, workspace, product: Product) -> Summary:
    """The product's goals and their health, as the hub's Strategy card (three queries)."""
    goals = selectors.product_goal_list(user=request.user, product=product)
    url = reverse("strategy:strategy_overview", args=[workspace.slug, product.key])
    if not goals:
        return Summary(title=_("Strategy"), icon="target", text=_(
            "Vision, personas, competitors and goals with key results."),
            links=(Link(_("Open strategy"), url),), status=_("No goals yet"))
    on_track = sum(1 for view in goals if view.health.status in (ON_TRACK, ACHIEVED))
    behind = sum(1 for view in goals if view.health.status in (AT_RISK, OFF_TRACK, MISSED))
    goals_url = reverse("strategy:product_goal_list", args=[workspace.slug, product.key])
    # The goals that need a look first, then the rest.
    listed = sorted(goals, key=lambda view: (view.health.status not in (AT_RISK, OFF_TRACK, MISSED),
                                             view.goal.name.lower()))[:GOALS_LISTED]
    items = tuple(Row(label=view.goal.name,
                      url=reverse("strategy:goal_detail", args=[workspace.slug, view.goal.pk]),
                      note=str(view.health.status_label), percent=_bounded(view.health.progress),
                      tone="warning" if view.health.status in (AT_RISK, OFF_TRACK, MISSED) else "")
                  for view in listed)
    return Summary(
        items=items, items_label=_("Goals"),
        title=_("Strategy"), icon="target", text=_("Goals of this product and its product lines."),
        figures=(
            Figure(_("Goals"), str(len(goals)), url=goals_url),
            Figure(_("On track or achieved"), f"{on_track} of {len(goals)}", percent=100 * on_track / len(goals)),
            Figure(_("At risk, off track or missed"), str(behind)),
        ),
        links=(Link(_("Open strategy"), url),),
    )


def _bounded(percent) -> float | None:
    return None if percent is None else min(100.0, max(0.0, float(percent)))


def _initiative_summary(request: HttpRequest, workspace, product: Product) -> list[Summary]:
    """The product's initiatives with their status and dates, as a hub card (one query); none
    when the product has no initiative."""
    initiatives = list(selectors.initiative_list(user=request.user, product=product)
                       .values("pk", "name", "status", "start_date", "end_date")[:INITIATIVES_LISTED + 1])
    if not initiatives:
        return []
    labels = dict(Initiative.Status.choices)

    def dates(row) -> str:
        spans = [f"{day:%-d %b %Y}" for day in (row["start_date"], row["end_date"]) if day]
        return " – ".join(spans)

    items = tuple(Row(label=row["name"], note=" · ".join(filter(None, [str(labels[row["status"]]), dates(row)])),
                       url=reverse("strategy:initiative_detail", args=[workspace.slug, product.key, row["pk"]]))
                  for row in initiatives[:INITIATIVES_LISTED])
    return [Summary(title=_("Initiatives"), icon="roadmap", items=items,
                    text=_("Strategic themes that group features and serve goals."),
                    links=(Link(_("All initiatives"), reverse("strategy:initiative_list",
                                                              args=[workspace.slug, product.key])),))]


GOALS_LISTED = 6
INITIATIVES_LISTED = 6


@workspace_view(requires="products.edit")
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, workspace, key: str) -> HttpResponse:
    product = product_for(request, workspace, key)
    form = _product_form(request, workspace, instance=product)
    theirs = None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            product = services.product_update(actor=request.user, product=product, **data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if getattr(exc, "code", None) == "stale":
                current = selectors.product_get(user=request.user, workspace=workspace, key=key)
                yours = {name: value for name, value in form.cleaned_data.items() if name != "version"}
                theirs = their_changes(form, current, yours)
        else:
            messages.success(request, _("Saved."))
            return redirect("strategy:product_detail", ws=workspace.slug, key=product.key)
    return render(request, "strategy/product_form.html", {
        "form": form, "workspace": workspace, "product": product, "theirs": theirs})


@workspace_view(requires="products.edit")
@require_http_methods(["GET", "POST"])
def product_archive(request: HttpRequest, workspace, key: str) -> HttpResponse:
    """GET asks for confirmation; POST archives (or restores, with `restore=1`)."""
    product = product_for(request, workspace, key)
    if request.method == "POST":
        restore = request.POST.get("restore") == "1"
        try:
            if restore:
                services.product_unarchive(actor=request.user, product=product)
            else:
                services.product_archive(actor=request.user, product=product)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("strategy:product_detail", ws=workspace.slug, key=product.key)
        if restore:
            messages.success(request, _("%(name)s is back in the portfolio.") % {"name": product.name})
            return redirect("strategy:product_detail", ws=workspace.slug, key=product.key)
        messages.success(request, _("%(name)s archived. Find it under “Show archived”.") % {
            "name": product.name})
        return redirect("strategy:portfolio", ws=workspace.slug)
    return render(request, "strategy/product_archive.html", {"workspace": workspace, "product": product})


# --- members and invitations ------------------------------------------------


@workspace_view
@require_GET
def member_list(request: HttpRequest, workspace) -> HttpResponse:
    return _render_members(request, workspace, InvitationForm())


def _render_members(request: HttpRequest, workspace, invite_form, status: int = 200) -> HttpResponse:
    is_admin = access.can(request.user, "workspace.manage", workspace)
    return render(request, "strategy/member_list.html", {
        "workspace": workspace,
        "memberships": selectors.membership_list(user=request.user, workspace=workspace),
        "invitations": selectors.invitation_list(user=request.user, workspace=workspace) if is_admin else [],
        "role_counts": selectors.role_counts(workspace=workspace),
        "invite_form": invite_form,
        "role_form": RoleForm(),
        "is_admin": is_admin,
    }, status=status)


@workspace_view(requires="workspace.manage")
@require_POST
def member_invite(request: HttpRequest, workspace) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("strategy:member_list", ws=workspace.slug)
    return _render_members(request, workspace, form, status=400)


@workspace_view(requires="workspace.manage")
@require_POST
def member_role(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    membership = selectors.membership_get(user=request.user, workspace=workspace, pk=pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose admin, editor or viewer."))
        return redirect("strategy:member_list", ws=workspace.slug)
    try:
        services.membership_change_role(actor=request.user, membership=membership, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s is now %(role)s.") % {
            "name": membership.user.display_name, "role": membership.get_role_display().lower()})
    return redirect("strategy:member_list", ws=workspace.slug)


@workspace_view
@require_http_methods(["GET", "POST"])
def member_remove(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST removes the member (or lets a member leave)."""
    membership = selectors.membership_get(user=request.user, workspace=workspace, pk=pk)
    leaving = membership.user_id == request.user.pk
    if not leaving:
        access.ensure_can(request.user, "workspace.manage", workspace)
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("strategy:member_list", ws=workspace.slug)
        if leaving:
            messages.success(request, _("You left %(name)s.") % {"name": workspace.name})
            return redirect("strategy:home")
        messages.success(request, _("%(name)s was removed.") % {"name": membership.user.display_name})
        return redirect("strategy:member_list", ws=workspace.slug)
    return render(request, "strategy/member_remove.html", {
        "workspace": workspace, "membership": membership, "leaving": leaving})


@workspace_view(requires="workspace.manage")
@require_POST
def invitation_action(request: HttpRequest, workspace, pk: int, action: str) -> HttpResponse:
    invitation = selectors.invitation_get(user=request.user, workspace=workspace, pk=pk)
    service = {"resend": services.invitation_resend, "revoke": services.invitation_revoke}[action]
    try:
        service(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("Invitation sent again to %(email)s.") if action == "resend" else _(
            "Invitation to %(email)s withdrawn.")
        messages.success(request, done % {"email": invitation.email})
    return redirect("strategy:member_list", ws=workspace.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation email links to. Signed-in invitees accept with one click;
    people without an account create one here; others are asked to sign in."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as exc:
        return render(request, "strategy/invitation_invalid.html", {"error": exc.messages[0]}, status=410)
    has_account = User.objects.filter(email__iexact=invitation.email).exists()
    signup_form = None
    if not request.user.is_authenticated and not has_account:
        signup_form = SignUpForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                membership = services.invitation_accept(user=request.user, invitation=invitation)
            elif signup_form is not None and signup_form.is_valid():
                membership = services.invitation_accept_with_signup(
                    invitation=invitation, **signup_form.cleaned_data)
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                membership = None
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            membership = None
        if membership is not None:
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.workspace.name})
            return redirect("strategy:portfolio", ws=invitation.workspace.slug)
    return render(request, "strategy/invitation_accept.html", {
        "invitation": invitation,
        "has_account": has_account,
        "signup_form": signup_form,
        "email_matches": request.user.is_authenticated
        and request.user.email.lower() == invitation.email.lower(),
        "login_url": f"{reverse('login')}?next={request.path}",
    })


# --- account ----------------------------------------------------------------


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    profile_form = ProfileForm(request.POST or None, initial={"full_name": request.user.full_name})
    if request.method == "POST" and profile_form.is_valid():
        services.user_update_profile(actor=request.user, **profile_form.cleaned_data)
        messages.success(request, _("Profile saved."))
        return redirect("strategy:account")
    return _render_account(request, profile_form=profile_form)


def _render_account(request, *, profile_form=None, token_form=None, new_secret=None, status=200):
    return render(request, "strategy/account.html", {
        "profile_form": profile_form or ProfileForm(initial={"full_name": request.user.full_name}),
        "token_form": token_form or ApiTokenForm(user=request.user),
        "tokens": selectors.api_token_list(user=request.user),
        "new_secret": new_secret,
        # Sections of higher apps (the notification email choices).
        "sections": account_sections.render(request),
    }, status=status)


@login_required
@never_cache
@require_POST
def api_token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            token, secret = services.api_token_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            # The secret appears in this one response, which no cache keeps (never_cache);
            # it is stored nowhere, so it cannot be shown again.
            return _render_account(request, new_secret={"token": token, "secret": secret})
    return _render_account(request, token_form=form, status=400)


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.api_token_get(user=request.user, pk=pk)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("strategy:account")
