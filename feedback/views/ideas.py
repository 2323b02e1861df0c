"""In-app pages of ideas: the product's ideas list (sorted, filtered, searched, paginated),
the new-idea form with duplicate suggestions while typing, and one idea's page with its
explainable demand, votes, feedback, comments and history, and the actions that change it
(status, vote, comment, promote, merge).

Views stay adapters: selectors read (scoped to the user's workspaces, so another
workspace's idea is 404), services write (and refuse what the role does not allow). Every
htmx control is also a plain form or link: without JavaScript a write redirects back, or
shows the page again with the error beside its field and status 400."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from releases import selectors as release_selectors
from releases.models import Feature
from strategy import access
from strategy.forms import apply_service_errors
from strategy.html import e, safe_join
from strategy.markdown import render_markdown
from strategy.models import Product, Workspace
from strategy.web import product_for, query_string, workspace_view

from .. import selectors, services
from ..forms.ideas import (
    DEFAULT_SORT,
    SORTS,
    IdeaCommentForm,
    IdeaForm,
    IdeaStatusForm,
    MergeForm,
    PromoteForm,
    VoteForContactForm,
)
from ..models import Customer, FeedbackNote, Idea, IdeaEvent
from ..selectors import pages
from ..services import pages as page_services
from .display import (
    STATUS_BADGE,
    STATUS_LABEL,
    breakdown_rows_html,
    highlighted,
    idea_rows_html,
    money,
    percent_of,
)

PAGE_SIZE = 50
OPEN = "open"
# The columns a row of the list draws: the shared selector loads whole ideas with everything
# their page shows, which on 5,000 ideas costs the planner and the join more than the page needs.
LIST_FIELDS = ("id", "title", "status", "category", "visibility", "vote_count", "demand", "created_at", "product_id",
               "feature__number", "feature__title", "feature__product__key")
OPEN_STATUSES = [s for s in Idea.Status.values if s not in (Idea.Status.SHIPPED, Idea.Status.DECLINED)]


# --- shared helpers ---------------------------------------------------------------


def idea_url(workspace: Workspace, product: Product, pk: int) -> str:
    return reverse("feedback:idea_detail", args=[workspace.slug, product.key, pk])


def product_idea(request: HttpRequest, product: Product, pk: int) -> Idea:
    """The idea `pk` of `product` as the user may see it, with its page's prefetches. Raises Http404."""
    idea = selectors.idea_get(user=request.user, pk=pk)
    if idea.product_id != product.pk:
        raise Http404(_("No such idea."))
    return idea


def tab_counts(request: HttpRequest, product: Product, count: int | None = None) -> dict:
    """The inbox count of the feedback tabs, and of the sidebar's Feedback entry (set by the
    page itself, so the other pages of the product pay no query for it); `count` when the
    page has already counted the notes to triage."""
    if count is None:
        count = selectors.untriaged_count(user=request.user, product=product)
    return {"tab_counts": {"inbox": count}, "nav_inbox_count": count}


def page_urls(request: HttpRequest, page) -> dict:
    return {
        "previous": query_string(request, page=str(page.previous_page_number()) if page.has_previous() else ""),
        "next": query_string(request, page=str(page.next_page_number()) if page.has_next() else ""),
    }


# --- the ideas list -------------------------------------------------------------------


@dataclass
class IdeaRow:
    pk: int
    url: str
    title: str
    status_label: str
    badge: str
    category: str
    internal: bool
    votes: int
    demand_text: str
    demand_percent: int
    trend: int
    feature_key: str
    feature_title: str
    feature_url: str
    created_at: datetime


def _current(request: HttpRequest) -> dict:
    return {name: request.GET.get(name, "").strip() for name in ("q", "status", "category", "segment", "feature")}


@workspace_view
@require_GET
@vary_on_headers("HX-Request")
def idea_list(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """The product's open ideas (or those of one status), sorted by votes, weighted demand,
    trend or recency, filtered by category and customer segment, searched in full text
    across ideas and their feedback, 50 to a page."""
    product = product_for(request, workspace, key)
    current = _current(request)
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else DEFAULT_SORT
    status = OPEN_STATUSES if current["status"] == OPEN else (
        current["status"] if current["status"] in Idea.Status.values else None)
    segment = current["segment"] if current["segment"] in Customer.Segment.values else None
    ideas = selectors.idea_list(user=request.user, product=product, sort=sort, status=status,
                                category=current["category"] or None, segment=segment, q=current["q"])
    ideas = ideas.select_related(None).select_related("feature__product").only(*LIST_FIELDS)
    feature_filter = None
    if current["feature"].isdigit() and len(current["feature"]) < 12:
        # From a feature page's demand panel: the ideas linked to that feature.
        feature = Feature.objects.visible_to(request.user).filter(pk=int(current["feature"]), product=product).first()
        ideas = ideas.filter(feature_id=int(current["feature"]))
        if feature is not None:
            feature_filter = {"key": f"{product.key}-{feature.number}", "url": reverse("releases:feature_detail", args=[
                workspace.slug, product.key, feature.number])}
    page = Paginator(ideas, PAGE_SIZE).get_page(request.GET.get("page"))
    ideas_on_page = list(page.object_list)
    trends = pages.trend_counts(idea_ids=[idea.pk for idea in ideas_on_page])
    scale = pages.demand_scale(user=request.user, product=product) if ideas_on_page else 0
    rows = [_idea_row(workspace, product, idea, trends.get(idea.pk, 0), scale) for idea in ideas_on_page]
    is_filtered = any(current.values())
    context = {
        "workspace": workspace,
        "product": product,
        "page": page,
        "rows": rows,
        "rows_html": idea_rows_html(rows),
        "page_urls": page_urls(request, page),
        "current": current,
        "sort": sort,
        "sorts": SORTS,
        "sort_urls": {name: query_string(request, sort=name, page="") for name in SORTS},
        "statuses": Idea.Status.choices,
        "categories": selectors.idea_categories(user=request.user, product=product),
        "segments": Customer.Segment.choices,
        "is_filtered": is_filtered,
        "feature_filter": feature_filter,
        "clear_url": request.path,
        "has_ideas": bool(rows) or is_filtered or Idea.objects.filter(product=product).exists(),
        **tab_counts(request, product),
    }
    if request.htmx and not request.htmx.boosted:
        return render(request, "feedback/idea_list.html#results", context)
    return render(request, "feedback/idea_list.html", context)


def _idea_row(workspace: Workspace, product: Product, idea: Idea, trend: int, scale) -> IdeaRow:
    feature = idea.feature
    return IdeaRow(
        pk=idea.pk, url=idea_url(workspace, product, idea.pk), title=idea.title,
        status_label=STATUS_LABEL[idea.status], badge=STATUS_BADGE[idea.status], category=idea.category,
        internal=idea.visibility == Idea.Visibility.INTERNAL, votes=idea.vote_count,
        demand_text=money(idea.demand), demand_percent=percent_of(idea.demand, scale), trend=trend,
        feature_key=feature.key if feature else "", feature_title=feature.title if feature else "",
        feature_url=reverse("releases:feature_detail", args=[workspace.slug, feature.product.key, feature.number])
        if feature else "",
        created_at=timezone.localtime(idea.created_at),
    )


# --- create, edit, duplicate suggestions ------------------------------------------------


def _idea_form(request: HttpRequest, workspace: Workspace, product: Product, *, idea: Idea | None = None,
               **kwargs) -> IdeaForm:
    form = IdeaForm(request.POST or None, contacts=pages.contact_choices(user=request.user, workspace=workspace),
                    editing=idea is not None, **kwargs)
    if not access.can(request.user, "feedback.edit", product):
        # Viewers submit internal ideas as themselves; publishing and proxies are editors' work.
        form.fields.pop("visibility", None)
        form.fields.pop("submitted_by_contact", None)
    return form


def _render_idea_form(request: HttpRequest, workspace: Workspace, product: Product, form: IdeaForm, *,
                      idea: Idea | None = None, from_note: FeedbackNote | None = None,
                      status: int = 200) -> HttpResponse:
    duplicates = []
    if idea is None and form.is_bound and form.data.get("title"):
        duplicates = selectors.idea_similar(user=request.user, product=product, title=form.data["title"])
    return render(request, "feedback/idea_form.html", {
        "workspace": workspace, "product": product, "form": form, "idea": idea, "duplicates": duplicates,
        "from_note": from_note,
        "from_note_text": highlighted(from_note.text, from_note.highlight) if from_note else "",
        "categories": selectors.idea_categories(user=request.user, product=product),
        "cancel_url": idea_url(workspace, product, idea.pk) if idea else (
            reverse("feedback:inbox", args=[workspace.slug, product.key]) if from_note
            else reverse("feedback:idea_list", args=[workspace.slug, product.key])),
    }, status=status)


def _note_for(request: HttpRequest, product: Product, raw: str | None) -> FeedbackNote | None:
    """The note an idea is created from (`from_note`), if the user may triage it."""
    if not raw or not raw.isdigit() or len(raw) > 12:
        return None
    note = selectors.note_get(user=request.user, pk=int(raw))
    if note.product_id != product.pk:
        raise Http404(_("No such feedback note."))
    return note


@workspace_view(post_requires="feedback.vote")
@require_http_methods(["GET", "POST"])
def idea_create(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """A new idea; with `from_note`, created from a feedback note in the inbox, which it then links."""
    product = product_for(request, workspace, key)
    from_note = _note_for(request, product, request.GET.get("from_note") or request.POST.get("from_note"))
    if from_note is not None:
        access.ensure_can(request.user, "feedback.edit", from_note)
    form = _idea_form(request, workspace, product)
    if request.method == "GET":
        if from_note is not None:
            passage = from_note.highlight or from_note.text
            form.initial = {"title": passage[:200].split("\n")[0], "description": f"> {from_note.text}".replace(
                "\n", "\n> "), "submitted_by_contact": from_note.contact_id}
        return _render_idea_form(request, workspace, product, form, from_note=from_note)
    if form.is_valid():
        try:
            if from_note is None:
                idea = services.idea_create(actor=request.user, product=product, **form.service_data())
            else:
                idea = page_services.idea_create_from_note(actor=request.user, note=from_note,
                                                           **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Idea added.") if from_note is None else _(
                "Idea added, and the feedback note linked to it."))
            return redirect(idea_url(workspace, product, idea.pk))
    return _render_idea_form(request, workspace, product, form, from_note=from_note, status=400)


@workspace_view
@require_GET
def idea_suggestions(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Ideas of the product that read like the title being typed (the new-idea form asks as
    you type): the form's #duplicates fragment."""
    product = product_for(request, workspace, key)
    title = request.GET.get("title", "")[:200]
    duplicates = selectors.idea_similar(user=request.user, product=product, title=title) if title.strip() else []
    return render(request, "feedback/idea_form.html#duplicates", {
        "workspace": workspace, "product": product, "duplicates": duplicates})


@workspace_view(requires="feedback.edit")
@require_http_methods(["GET", "POST"])
def idea_edit(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    form = _idea_form(request, workspace, product, idea=idea)
    if request.method == "GET":
        form.initial = {"title": idea.title, "description": idea.description, "category": idea.category,
                        "visibility": idea.visibility, "version": idea.version}
        return _render_idea_form(request, workspace, product, form, idea=idea)
    if form.is_valid():
        try:
            services.idea_update(actor=request.user, idea=idea, version=form.cleaned_data.get("version"),
                                 **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Idea saved."))
            return redirect(idea_url(workspace, product, idea.pk))
    return _render_idea_form(request, workspace, product, form, idea=idea, status=400)


# --- the idea page ---------------------------------------------------------------------


def _breakdown(idea: Idea) -> list[dict]:
    """The customers behind the idea's weighted demand, each with its share of the total."""
    rows = []
    for row in selectors.idea_demand_breakdown(idea=idea):
        via = (["vote"] if row.votes else []) + (["note"] if row.notes else [])
        rows.append({"customer_id": row.customer_id, "name": row.name,
                     "segment_label": Customer.Segment(row.segment).label, "via": via,
                     "people": row.votes, "revenue_text": money(row.annual_revenue),
                     "share": percent_of(row.annual_revenue, idea.demand)})
    return rows


def _events(workspace: Workspace, product: Product, idea: Idea) -> list[dict]:
    """The idea's history, newest first, as lines people read."""
    lines = []
    for event in reversed(list(idea.events.all())):
        line = {"actor": event.actor, "when": event.created_at, "note": "", "link_url": "", "link_label": ""}
        other, feature = event.other_idea, event.feature
        if event.kind == IdeaEvent.Kind.CREATED:
            line["text"] = _("added this idea")
        elif event.kind in (IdeaEvent.Kind.STATUS_CHANGED, IdeaEvent.Kind.SHIPPED):
            line["text"] = _("moved it from %(from)s to %(to)s") % {
                "from": STATUS_LABEL.get(event.from_status, "—"), "to": STATUS_LABEL.get(event.to_status, "—")}
            if event.kind == IdeaEvent.Kind.SHIPPED:
                line["text"] = _("shipped it with its feature")
            line["note"] = event.note
        elif event.kind == IdeaEvent.Kind.MERGED_INTO:
            line["text"] = _("merged it into")
        elif event.kind == IdeaEvent.Kind.MERGED_FROM:
            line["text"] = _("merged a duplicate into it:")
        elif event.kind == IdeaEvent.Kind.PROMOTED:
            line["text"] = _("promoted it to a new feature")
        else:
            line["text"] = _("linked it to the feature")
        if other is not None and event.kind in (IdeaEvent.Kind.MERGED_INTO, IdeaEvent.Kind.MERGED_FROM):
            line["link_url"], line["link_label"] = idea_url(workspace, product, other.pk), f"#{other.pk} {other.title}"
        elif feature is not None:
            line["link_url"] = reverse("releases:feature_detail", args=[workspace.slug, feature.product.key,
                                                                       feature.number])
            line["link_label"] = f"{feature.key} {feature.title}"
        lines.append(line)
    return lines


def _feature_options(request: HttpRequest, product: Product) -> SafeString:
    rows = pages.feature_options(user=request.user, product=product)
    return safe_join(f'<option value="{e(product.key)}-{row["number"]}">{e(row["title"])}</option>' for row in rows)


def _submitter(idea: Idea) -> str:
    if idea.submitted_by_contact:
        return f"{idea.submitted_by_contact.name} ({idea.submitted_by_contact.customer.name})"
    if idea.submitted_by_portal_user:
        return _("%(name)s, on the portal") % {"name": idea.submitted_by_portal_user.display_name}
    return idea.submitted_by_user.display_name if idea.submitted_by_user else ""


def _votes_context(request: HttpRequest, workspace: Workspace, idea: Idea, vote_for_form=None) -> dict:
    voters = pages.idea_voters(idea=idea)
    context = {
        "has_voted": bool(selectors.voted_idea_ids(user=request.user, idea_ids=[idea.pk])),
        "voters": voters,
        "more_voters": max(0, idea.vote_count - len(voters)),
        "can_vote": access.can(request.user, "feedback.vote", idea),
        "can_edit": access.can(request.user, "feedback.edit", idea),
    }
    if context["can_edit"]:
        context["vote_for_form"] = vote_for_form or VoteForContactForm(
            contacts=pages.contact_choices(user=request.user, workspace=workspace))
    return context


def _comments(idea: Idea) -> list[dict]:
    return [{"comment": comment, "body": render_markdown(comment.body),
             "author": comment.author.display_name if comment.author else (
                 comment.portal_user.display_name if comment.portal_user else _("Someone"))}
            for comment in idea.comments.all()]


def _page_context(request: HttpRequest, workspace: Workspace, product: Product, idea: Idea, *,
                  status_form=None, promote_form=None, comment_form=None, vote_for_form=None) -> dict:
    """Everything the idea page draws, in a fixed number of queries."""
    can_edit = access.can(request.user, "feedback.edit", idea)
    feature = idea.feature
    breakdown = _breakdown(idea)
    context = {
        "workspace": workspace,
        "product": product,
        "idea": idea,
        "badge": STATUS_BADGE[idea.status],
        "demand_text": money(idea.demand),
        "submitter": _submitter(idea),
        "feature_url": reverse("releases:feature_detail", args=[workspace.slug, feature.product.key, feature.number])
        if feature else "",
        "breakdown": breakdown,
        "breakdown_html": breakdown_rows_html(breakdown, reverse("feedback:customer_detail",
                                                                 args=[workspace.slug, 0])),
        "unweighted_votes": pages.unweighted_vote_count(idea=idea),
        "notes": [{"note": note, "text": highlighted(note.text, note.highlight)}
                  for note in pages.note_rows(idea=idea)],
        "comments": _comments(idea),
        "comment_form": comment_form or IdeaCommentForm(),
        "events": _events(workspace, product, idea),
        "merged_from": list(idea.merged_ideas.all()),
        **_votes_context(request, workspace, idea, vote_for_form),
        **tab_counts(request, product),
    }
    if can_edit:
        context["status_form"] = status_form or IdeaStatusForm(initial={"status": idea.status,
                                                                        "note": idea.status_note})
        if feature is None:
            context["promote_form"] = promote_form or PromoteForm(initial={"title": idea.title})
            context["feature_options"] = _feature_options(request, product)
    return context


def _render_page(request: HttpRequest, workspace: Workspace, product: Product, idea: Idea, *,
                 status: int = 200, **forms) -> HttpResponse:
    return render(request, "feedback/idea_detail.html", _page_context(request, workspace, product, idea, **forms),
                  status=status)


@workspace_view
@require_GET
def idea_detail(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """One idea with the evidence behind it. A merged idea redirects to the one it went into."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    if idea.merged_into_id:
        messages.info(request, _("Idea #%(pk)s “%(title)s” was merged into this one.") % {
            "pk": idea.pk, "title": idea.title})
        return redirect(idea_url(workspace, product, idea.merged_into_id))
    return _render_page(request, workspace, product, idea)


@workspace_view(requires="feedback.vote")
@require_POST
def idea_vote(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Vote (`vote=1`) or take the vote back (`vote=0`) as the signed-in member."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    try:
        if request.POST.get("vote") == "0":
            services.vote_remove(actor=request.user, idea=idea)
        else:
            services.vote_add(actor=request.user, idea=idea)
    except ValidationError as exc:
        if request.htmx:
            return _votes_fragment(request, workspace, product, pk, error=" ".join(exc.messages), status=400)
        messages.error(request, " ".join(exc.messages))
    if request.htmx:
        return _votes_fragment(request, workspace, product, pk)
    return redirect(idea_url(workspace, product, idea.pk) + "#votes")


def _votes_fragment(request: HttpRequest, workspace: Workspace, product: Product, pk: int, *, form=None,
                    error: str = "", status: int = 200) -> HttpResponse:
    idea = product_idea(request, product, pk)  # fresh counts
    context = {"workspace": workspace, "product": product, "idea": idea, "vote_error": error,
               **_votes_context(request, workspace, idea, form)}
    return render(request, "feedback/idea_detail.html#votes", context, status=status)


@workspace_view(requires="feedback.edit")
@require_POST
def idea_vote_for(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Record a vote on behalf of a customer contact (from a call, an email…)."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    form = VoteForContactForm(request.POST, contacts=pages.contact_choices(user=request.user, workspace=workspace))
    if form.is_valid():
        try:
            added = services.vote_add(actor=request.user, idea=idea, contact=form.cleaned_data["contact"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
            if form.non_field_errors():
                form.add_error("contact", form.non_field_errors())
        else:
            if not added:
                form.add_error("contact", _("%(name)s has already voted for this idea.") % {
                    "name": form.cleaned_data["contact"].name})
            elif not request.htmx:
                messages.success(request, _("Vote of %(name)s added.") % {"name": form.cleaned_data["contact"].name})
                return redirect(idea_url(workspace, product, idea.pk) + "#votes")
            if added:
                return _votes_fragment(request, workspace, product, pk)
    if request.htmx:
        return _votes_fragment(request, workspace, product, pk, form=form, status=400)
    return _render_page(request, workspace, product, idea, vote_for_form=form, status=400)


@workspace_view(requires="feedback.edit")
@require_POST
def idea_status(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Change the idea's status, with the public note that says why."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    form = IdeaStatusForm(request.POST)
    if form.is_valid():
        try:
            services.idea_status_set(actor=request.user, idea=idea, status=form.cleaned_data["status"],
                                     note=form.cleaned_data["note"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Status changed to %(status)s.") % {
                "status": STATUS_LABEL[form.cleaned_data["status"]]})
            return redirect(idea_url(workspace, product, idea.pk))
    return _render_page(request, workspace, product, idea, status_form=form, status=400)


@workspace_view(requires="feedback.vote")
@require_POST
def idea_comment(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Comment on the idea, internal (members only) or public (also on the portal)."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    form = IdeaCommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            services.idea_comment_create(actor=request.user, idea=idea, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            if not request.htmx:
                return redirect(idea_url(workspace, product, idea.pk) + "#comments")
            form, status = IdeaCommentForm(), 200
    if request.htmx:
        idea = product_idea(request, product, pk)
        return render(request, "feedback/idea_detail.html#comments", {
            "workspace": workspace, "product": product, "idea": idea, "comments": _comments(idea),
            "comment_form": form, "can_vote": True}, status=status)
    return _render_page(request, workspace, product, idea, comment_form=form, status=400)


@workspace_view(requires="feedback.edit")
@require_POST
def idea_promote(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Promote the idea to a new feature, or link it to an existing feature of the product."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    form = PromoteForm(request.POST)
    if form.is_valid():
        try:
            if form.cleaned_data["how"] == PromoteForm.EXISTING:
                feature_key, number = form.cleaned_data["feature_key"]
                feature = release_selectors.feature_queryset(user=request.user, product=product).filter(
                    number=number).first() if feature_key == product.key else None
                if feature is None:
                    raise ValidationError({"feature": _("%(key)s-%(number)s is not a feature of %(product)s.") % {
                        "key": feature_key, "number": number, "product": product.name}})
                idea = services.idea_promote(actor=request.user, idea=idea, feature=feature)
            else:
                idea = services.idea_promote(actor=request.user, idea=idea, title=form.cleaned_data["title"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Idea promoted: %(key)s now carries its votes and demand.") % {
                "key": idea.feature.key})
            return redirect(idea_url(workspace, product, idea.pk))
    return _render_page(request, workspace, product, product_idea(request, product, pk), promote_form=form,
                        status=400)


# --- merge ---------------------------------------------------------------------------


@workspace_view(requires="feedback.edit")
@require_http_methods(["GET", "POST"])
def idea_merge(request: HttpRequest, workspace: Workspace, key: str, pk: int) -> HttpResponse:
    """Merge the idea into another of the product: choose the target (likely duplicates
    suggested), confirm, merge. The duplicate then redirects to the target."""
    product = product_for(request, workspace, key)
    idea = product_idea(request, product, pk)
    if idea.merged_into_id:
        messages.info(request, _("This idea was already merged."))
        return redirect(idea_url(workspace, product, idea.merged_into_id))
    form = MergeForm(request.POST or None)
    target, status = None, 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            target = Idea.objects.visible_to(request.user).filter(
                pk=form.cleaned_data["target"], product=product, merged_into__isnull=True).first()
            if target is None:
                form.add_error("target", _("Choose an open idea of %(product)s.") % {"product": product.name})
            elif target.pk == idea.pk:
                form.add_error("target", _("An idea cannot be merged into itself."))
                target = None
            elif form.cleaned_data["confirm"]:
                try:
                    services.idea_merge(actor=request.user, idea=idea, into=target)
                except ValidationError as exc:
                    apply_service_errors(form, exc)
                    if "into" in getattr(exc, "error_dict", {}):
                        form.add_error("target", exc.error_dict["into"])
                    target = None
                else:
                    messages.success(request, _("#%(pk)s merged into this idea: its votes, feedback and comments "
                                                "are here now.") % {"pk": idea.pk})
                    return redirect(idea_url(workspace, product, target.pk))
            else:
                status = 200  # the confirmation step
    candidates = [] if target else selectors.idea_similar(user=request.user, product=product, title=idea.title,
                                                          exclude_id=idea.pk)
    options = safe_join(f'<option value="{row["pk"]}">#{row["pk"]} {e(row["title"])}</option>'
                        for row in pages.idea_options(user=request.user, product=product, exclude_id=idea.pk)) \
        if not target else ""
    return render(request, "feedback/idea_merge.html", {
        "workspace": workspace, "product": product, "idea": idea, "form": form, "target": target,
        "candidates": candidates, "target_options": options}, status=status)


@workspace_view
@require_GET
def merge_suggestions(request: HttpRequest, workspace: Workspace, key: str) -> HttpResponse:
    """Likely duplicate pairs among the product's open ideas, the one with fewer votes first."""
    product = product_for(request, workspace, key)
    pairs = []
    for pair in selectors.duplicate_pairs(user=request.user, product=product):
        duplicate, target = sorted((pair.idea, pair.other), key=lambda idea: (idea.vote_count, idea.demand))
        pairs.append({"duplicate": duplicate, "target": target, "score": f"{round(pair.score * 100)} %"})
    return render(request, "feedback/merge_suggestions.html", {
        "workspace": workspace, "product": product, "pairs": pairs,
        "can_edit": access.can(request.user, "feedback.edit", product), **tab_counts(request, product)})

