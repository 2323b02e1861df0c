"""Pages for going to market: the workspace's launch settings (phase types, teams, who ticks
to-dos) and launch templates, a release's phases, to-dos, messaging and notes, and each
member's My work. Thin views: selectors read, services write."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from strategy import access
from strategy import selectors as strategy_selectors
from strategy.forms import apply_service_errors
from strategy.markdown import render_markdown
from strategy.selectors import product_lineage_ids
from strategy.web import product_for, workspace_view

from .. import selectors, services
from ..forms.launch import (
    ApplyTemplateForm,
    LaunchSettingsForm,
    MessagingForm,
    PhaseTypeForm,
    ReleaseNoteForm,
    ReleasePhaseForm,
    TemplateForm,
    TemplateItemForm,
    TodoForm,
)
from ..models import LaunchTodo, Release, ReleasePhase
from ..render import fields_html, phase_band


def _release_url(workspace, product, release, anchor: str = "") -> str:
    url = reverse("releases:release_detail", args=[workspace.slug, product.key, release.pk])
    return f"{url}#{anchor}" if anchor else url


def _error_text(exc: ValidationError) -> str:
    return " ".join(" ".join(str(m) for m in messages_) for messages_ in (
        exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]))


def relative_due(offset_days: int | None) -> str:
    """"5 days before launch", "on launch day", "2 days after launch"."""
    if offset_days is None:
        return ""
    if offset_days == 0:
        return _("on launch day")
    n = abs(offset_days)
    days = _("1 day") if n == 1 else _("%(n)d days") % {"n": n}
    return (_("%(days)s before launch") if offset_days < 0 else _("%(days)s after launch")) % {"days": days}


# --- what the release page shows ----------------------------------------------------------


def launch_context(request: HttpRequest, workspace, product, release: Release, today: date, *,
                   todo_form=None, phase_form=None) -> dict:
    """The go-to-market part of the release page's context, in a fixed number of queries."""
    can_edit = access.can(request.user, "releases.edit", release)
    launch = selectors.release_launch(release=release, today=today, editing=can_edit)
    for todo in launch.todos:
        todo.relative = relative_due(todo.offset_days)
        todo.can_tick = todo.state != LaunchTodo.State.CLOSED and services.can_tick(
            request.user, todo, viewers_tick_own=launch.settings.viewers_tick_own)
    teams = list(launch.settings.teams)
    groups = [(team, launch.by_team[team]) for team in teams if team in launch.by_team]
    groups += [(team, todos) for team, todos in launch.by_team.items() if team not in teams]
    members = strategy_selectors.member_users(workspace=workspace) if can_edit else None
    if can_edit and todo_form is None:
        todo_form = TodoForm(teams=teams, members=members, member_choices=list(members))
    if can_edit and phase_form is None:
        phase_form = ReleasePhaseForm(workspace=workspace, choices=launch.phase_types)
    note = launch.note
    return {
        "launch": launch,
        "phase_band": phase_band(release, launch.phases, today),
        "todo_groups": groups,
        "overdue_count": sum(1 for t in launch.todos if t.overdue),
        "todo_form": todo_form,
        "todo_fields": fields_html("releases/_todo_fields.html", todo_form) if todo_form else "",
        "phase_form": phase_form,
        "phase_fields": fields_html("releases/_phase_fields.html", phase_form) if phase_form else "",
        "apply_form": ApplyTemplateForm(templates=launch.templates) if can_edit and launch.templates else None,
        "key_messages_html": render_markdown(launch.messaging.key_messages) if launch.messaging else "",
        "note_html": render_markdown(note.body) if note and note.body else "",
    }


def _release_of(request, workspace, key, pk) -> tuple:
    product = product_for(request, workspace, key)
    return product, selectors.release_get(user=request.user, product=product, pk=pk)


def _rerender_release(request, workspace, product, release_pk, **forms_) -> HttpResponse:
    """The release page again, with a bad form's messages by field (status 400)."""
    from .releases import render_release_page  # the release page imports this module

    response = render_release_page(request, workspace, product, release_pk, **forms_)
    response.status_code = 400
    return response


# --- phases of a release -------------------------------------------------------------------


@workspace_view(requires="releases.edit")
@require_POST
def release_phase_create(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    form = ReleasePhaseForm(request.POST, workspace=workspace)
    if form.is_valid():
        try:
            phase = services.release_phase_create(actor=request.user, release=release, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Phase “%(name)s” added.") % {"name": phase.phase_type.name})
            return redirect(_release_url(workspace, product, release, "phases"))
    return _rerender_release(request, workspace, product, release.pk, phase_form=form)


@workspace_view(requires="releases.edit")
@require_POST
def release_phase_delete(request: HttpRequest, workspace, key: str, pk: int, phase_pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    phase = ReleasePhase.objects.filter(release=release, pk=phase_pk).select_related("phase_type", "release").first()
    if phase is None:
        raise Http404("No such phase.")
    services.release_phase_delete(actor=request.user, phase=phase)
    messages.success(request, _("Phase “%(name)s” removed.") % {"name": phase.phase_type.name})
    return redirect(_release_url(workspace, product, release, "phases"))


# --- launch to-dos --------------------------------------------------------------------------


@workspace_view(requires="releases.edit")
@require_POST
def todo_create(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    teams = services.launch_settings_of(workspace.pk).teams
    form = TodoForm(request.POST, teams=teams, members=strategy_selectors.member_users(workspace=workspace))
    if form.is_valid():
        try:
            todo = services.todo_create(actor=request.user, release=release, **form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("To-do “%(title)s” added.") % {"title": todo.title})
            return redirect(_release_url(workspace, product, release, "launch"))
    return _rerender_release(request, workspace, product, release.pk, todo_form=form)


def _todo_of(request, release, todo_pk) -> LaunchTodo:
    todo = selectors.todo_list(user=request.user).filter(release=release, pk=todo_pk).first()
    if todo is None:
        raise Http404("No such to-do.")
    return todo


@workspace_view
@require_POST
def todo_toggle(request: HttpRequest, workspace, key: str, pk: int, todo_pk: int) -> HttpResponse:
    """Tick a to-do off or on (`done` = 1 or 0). Editors tick any; viewers their own, where
    the workspace allows it (the service decides). Back to the page it came from."""
    product, release = _release_of(request, workspace, key, pk)
    todo = _todo_of(request, release, todo_pk)
    try:
        services.todo_set_done(actor=request.user, todo=todo, done=request.POST.get("done") == "1")
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    next_url = request.POST.get("next", "")
    if next_url == "my_work":
        return redirect(reverse("releases:my_work", args=[workspace.slug]))
    return redirect(_release_url(workspace, product, release, f"todo-{todo.pk}"))


@workspace_view(requires="releases.edit")
@require_POST
def todo_delete(request: HttpRequest, workspace, key: str, pk: int, todo_pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    todo = _todo_of(request, release, todo_pk)
    services.todo_delete(actor=request.user, todo=todo)
    messages.success(request, _("To-do “%(title)s” deleted.") % {"title": todo.title})
    return redirect(_release_url(workspace, product, release, "launch"))


@workspace_view(requires="releases.edit")
@require_POST
def template_apply(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    raw = request.POST.get("template", "")
    template = (selectors.template_list(user=request.user, workspace=workspace).filter(pk=int(raw)).first()
                if raw.isdigit() and int(raw) < 2**63 else None)
    if template is None:
        messages.error(request, _("Choose a launch template of this workspace."))
        return redirect(_release_url(workspace, product, release, "launch"))
    try:
        applied = services.template_apply(actor=request.user, template=template, release=release)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        (messages.success if applied.created else messages.info)(
            request, _("“%(name)s” applied. %(what)s") % {"name": template.name, "what": applied.message})
    return redirect(_release_url(workspace, product, release, "launch"))


# --- messaging and release notes -------------------------------------------------------------


@workspace_view(requires="releases.edit")
@require_http_methods(["GET", "POST"])
def messaging_edit(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    messaging = selectors.messaging_list(user=request.user).filter(release=release).first()
    initial = {"key_messages": messaging.key_messages, "personas": list(messaging.personas.all()),
               "competitors": list(messaging.competitors.all())} if messaging else {}
    form = MessagingForm(request.POST or None, initial=initial, lineage=product_lineage_ids(product))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.messaging_update(actor=request.user, release=release, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("Messaging saved."))
                return redirect(_release_url(workspace, product, release, "messaging"))
        status = 400
    else:
        status = 200
    return render(request, "releases/release_messaging_form.html", {
        "workspace": workspace, "product": product, "release": release, "form": form,
        "cancel_url": _release_url(workspace, product, release, "messaging"),
    }, status=status)


@workspace_view(post_requires="releases.edit")
@require_http_methods(["GET", "POST"])
def release_notes(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    """The release's notes: everyone reads them; editors write (or draft them from the shipped
    features) and publish them."""
    product, release = _release_of(request, workspace, key, pk)
    note = selectors.note_list(user=request.user).filter(release=release).first()
    can_edit = access.can(request.user, "releases.edit", release)
    status = 200
    if request.method == "POST":
        form = ReleaseNoteForm(request.POST)
        if "draft" in request.POST:
            draft = services.release_note_draft(release=release)
            form = ReleaseNoteForm(initial={"body": draft})
            if draft:
                messages.info(request, _("Drafted from the shipped features marked “in release notes”. Review it, "
                                         "then save."))
            else:
                messages.warning(request, _("No shipped feature of this release is marked “in release notes” yet."))
        elif form.is_valid():
            try:
                services.release_note_save(actor=request.user, release=release, body=form.cleaned_data["body"])
            except ValidationError as exc:
                apply_service_errors(form, exc)
                status = 400
            else:
                messages.success(request, _("Release notes saved."))
                return redirect(reverse("releases:release_notes", args=[workspace.slug, product.key, release.pk]))
        else:
            status = 400
    else:
        form = ReleaseNoteForm(initial={"body": note.body if note else ""}) if can_edit else None
    portal = None
    if note and note.is_published:
        portal = reverse("portal:changelog", args=[workspace.slug, product.key]) + f"#release-{release.pk}"
    return render(request, "releases/release_notes.html", {
        "workspace": workspace, "product": product, "release": release, "note": note, "form": form,
        "note_html": render_markdown(note.body) if note else "", "can_edit": can_edit,
        "changelog_url": portal,
    }, status=status)


@workspace_view(requires="releases.edit")
@require_POST
def release_notes_publish(request: HttpRequest, workspace, key: str, pk: int) -> HttpResponse:
    product, release = _release_of(request, workspace, key, pk)
    try:
        published = services.release_note_publish(actor=request.user, release=release)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        (messages.success if published.changed else messages.info)(request, published.message)
    return redirect(reverse("releases:release_notes", args=[workspace.slug, product.key, release.pk]))


# --- workspace launch settings and templates ---------------------------------------------------


def _render_settings(request, workspace, *, settings_form=None, phase_type_form=None, template_form=None,
                     status=200) -> HttpResponse:
    settings_ = services.launch_settings_of(workspace.pk)
    is_admin = access.can(request.user, "workspace.manage", workspace)
    can_edit = access.can(request.user, "releases.edit", workspace)
    return render(request, "releases/launch_settings.html", {
        "workspace": workspace, "launch_settings": settings_,
        "phase_types": selectors.phase_type_list(workspace=workspace),
        "templates": list(selectors.template_list(user=request.user, workspace=workspace)),
        "is_admin": is_admin, "can_edit": can_edit,
        "settings_form": settings_form or (LaunchSettingsForm(initial={
            "teams": ", ".join(settings_.teams), "viewers_tick_own": settings_.viewers_tick_own,
        }) if is_admin else None),
        "phase_type_form": phase_type_form or (PhaseTypeForm() if is_admin else None),
        "template_form": template_form or (TemplateForm() if can_edit else None),
    }, status=status)


@workspace_view
@require_GET
def launch_settings(request: HttpRequest, workspace) -> HttpResponse:
    return _render_settings(request, workspace)


def _settings_url(workspace, anchor: str = "") -> str:
    url = reverse("releases:launch_settings", args=[workspace.slug])
    return f"{url}#{anchor}" if anchor else url


@workspace_view(requires="workspace.manage")
@require_POST
def launch_settings_save(request: HttpRequest, workspace) -> HttpResponse:
    form = LaunchSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.launch_settings_update(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Launch settings saved."))
            return redirect(_settings_url(workspace, "teams"))
    return _render_settings(request, workspace, settings_form=form, status=400)


@workspace_view(requires="workspace.manage")
@require_POST
def phase_type_create(request: HttpRequest, workspace) -> HttpResponse:
    form = PhaseTypeForm(request.POST)
    if form.is_valid():
        try:
            phase_type = services.phase_type_create(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Phase “%(name)s” added.") % {"name": phase_type.name})
            return redirect(_settings_url(workspace, "phases"))
    return _render_settings(request, workspace, phase_type_form=form, status=400)


@workspace_view(requires="workspace.manage")
@require_POST
def phase_type_edit(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """Rename, recolour (`name`, `colour`) or move (`position`) a phase type."""
    phase_type = selectors.phase_type_get(user=request.user, pk=pk)
    if phase_type.workspace_id != workspace.pk:
        raise Http404
    try:
        if "position" in request.POST:
            position = request.POST["position"]
            if not position.lstrip("-").isdigit():
                raise ValidationError(_("Give a position as a number."))
            services.phase_type_move(actor=request.user, phase_type=phase_type, position=int(position))
        else:
            form = PhaseTypeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(form.errors)
            services.phase_type_update(actor=request.user, phase_type=phase_type, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Phase “%(name)s” saved.") % {"name": phase_type.name})
    return redirect(_settings_url(workspace, "phases"))


@workspace_view(requires="workspace.manage")
@require_POST
def phase_type_delete(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    phase_type = selectors.phase_type_get(user=request.user, pk=pk)
    if phase_type.workspace_id != workspace.pk:
        raise Http404
    try:
        services.phase_type_delete(actor=request.user, phase_type=phase_type)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("Phase “%(name)s” deleted.") % {"name": phase_type.name})
    return redirect(_settings_url(workspace, "phases"))


@workspace_view(requires="releases.edit")
@require_POST
def template_create(request: HttpRequest, workspace) -> HttpResponse:
    form = TemplateForm(request.POST)
    if form.is_valid():
        try:
            template = services.template_create(actor=request.user, workspace=workspace, **form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("Template “%(name)s” created. Add its to-dos.") % {"name": template.name})
            return redirect(reverse("releases:launch_template", args=[workspace.slug, template.pk]))
    return _render_settings(request, workspace, template_form=form, status=400)


@workspace_view(post_requires="releases.edit")
@require_http_methods(["GET", "POST"])
def launch_template(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    """A template and its to-dos; editors add to-dos (POST)."""
    template = selectors.template_get(user=request.user, pk=pk, workspace=workspace)
    teams = services.launch_settings_of(workspace.pk).teams
    can_edit = access.can(request.user, "releases.edit", workspace)
    form = TemplateItemForm(request.POST or None, teams=teams) if can_edit else None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                item = services.template_item_create(actor=request.user, template=template, **form.service_data())
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("To-do “%(title)s” added to the template.") % {"title": item.title})
                return redirect(reverse("releases:launch_template", args=[workspace.slug, template.pk]))
        status = 400
    items = list(template.items.all())
    for item in items:
        item.relative = relative_due(item.offset_days)
    return render(request, "releases/launch_template.html", {
        "workspace": workspace, "template": template, "items": items, "form": form, "can_edit": can_edit,
    }, status=status)


@workspace_view(requires="releases.edit")
@require_POST
def launch_template_item_delete(request: HttpRequest, workspace, pk: int, item_pk: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, pk=pk, workspace=workspace)
    item = next((i for i in template.items.all() if i.pk == item_pk), None)
    if item is None:
        raise Http404
    services.template_item_delete(actor=request.user, item=item)
    messages.success(request, _("To-do “%(title)s” removed from the template.") % {"title": item.title})
    return redirect(reverse("releases:launch_template", args=[workspace.slug, template.pk]))


@workspace_view(requires="releases.edit")
@require_POST
def launch_template_delete(request: HttpRequest, workspace, pk: int) -> HttpResponse:
    template = selectors.template_get(user=request.user, pk=pk, workspace=workspace)
    services.template_delete(actor=request.user, template=template)
    messages.success(request, _("Template “%(name)s” deleted; to-dos it created stay on their releases.") % {
        "name": template.name})
    return redirect(_settings_url(workspace, "templates"))


# --- My work ----------------------------------------------------------------------------------


@workspace_view
@require_GET
def my_work(request: HttpRequest, workspace) -> HttpResponse:
    """The signed-in member's open to-dos and features across the workspace's products."""
    today = timezone.localdate()
    items = selectors.my_work(user=request.user, workspace=workspace, today=today)
    settings_ = services.launch_settings_of(workspace.pk)
    for item in items:
        if item.todo is not None:
            item.can_tick = services.can_tick(request.user, item.todo, viewers_tick_own=settings_.viewers_tick_own)
            item.relative = relative_due(item.todo.offset_days)
    return render(request, "releases/my_work.html", {
        "workspace": workspace, "items": items, "today": today,
        "overdue": sum(1 for i in items if i.overdue),
    })

