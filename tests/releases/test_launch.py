"""Going to market, at the service level: phases and their conflict, launch to-dos with
fixed and relative due dates, templates applied once, to-dos following and closing with
their release, readiness, messaging and release notes published once."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from releases import metrics, selectors, services
from releases.models import LaunchTodo, PhaseType, Release, ReleaseNote
from strategy.models import Role

from ..factories import (
    CompetitorFactory,
    FeatureFactory,
    MembershipFactory,
    PersonaFactory,
    ProductFactory,
    ReleaseFactory,
    UserFactory,
    WorkflowStatusFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase_types(workspace):
    return {t.name: t for t in services.phase_types_defaults_create(workspace=workspace)}


@pytest.fixture
def release(product):
    return ReleaseFactory(product=product, name="Spring", start_date=date(2030, 3, 1), release_date=date(2030, 5, 1))


# --- phases -----------------------------------------------------------------------------------


def test_a_new_workspace_gets_plan_build_beta_and_launch(admin):
    from strategy import services as strategy_services

    workspace = strategy_services.workspace_create(actor=admin, name="Initech")
    assert [t.name for t in selectors.phase_type_list(workspace=workspace)] == ["Plan", "Build", "Beta", "Launch"]


def test_only_admins_edit_phase_types(workspace, admin, editor, phase_types):
    with pytest.raises(PermissionDenied):
        services.phase_type_create(actor=editor, workspace=workspace, name="Pilot", colour="#123456")
    pilot = services.phase_type_create(actor=admin, workspace=workspace, name="Pilot", colour="#123456")
    services.phase_type_move(actor=admin, phase_type=pilot, position=1)
    assert [t.name for t in selectors.phase_type_list(workspace=workspace)][:2] == ["Pilot", "Plan"]
    with pytest.raises(ValidationError) as caught:
        services.phase_type_create(actor=admin, workspace=workspace, name="beta", colour="#123456")
    assert "already a phase called" in str(caught.value)


def test_a_phase_type_in_use_cannot_be_deleted(admin, editor, release, phase_types):
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                  start_date=date(2030, 4, 1), end_date=date(2030, 4, 20))
    with pytest.raises(ValidationError):
        services.phase_type_delete(actor=admin, phase_type=phase_types["Beta"])
    services.phase_type_delete(actor=admin, phase_type=phase_types["Plan"])
    assert not PhaseType.objects.filter(name="Plan").exists()


def test_a_phase_ending_after_the_release_date_is_a_conflict_with_years_when_they_differ(
        editor, product, phase_types):
    release = ReleaseFactory(product=product, name="Winter", start_date=date(2030, 11, 1),
                             release_date=date(2030, 12, 20))
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Launch"],
                                  start_date=date(2030, 12, 1), end_date=date(2031, 1, 10))
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Build"],
                                  start_date=date(2030, 11, 1), end_date=date(2030, 12, 20))
    found = [c for c in selectors.conflicts_for(product=product) if c.rule == metrics.PHASE_AFTER_RELEASE]
    assert [c.message for c in found] == [
        "The Launch phase of Winter ends 10 Jan 2031, after its release date, 20 Dec 2030."]
    assert found[0].release_id == release.pk
    # The same rule reaches the release list's plan and the release page.
    assert selectors.plan_for(product_ids=[product.pk]).of_release(release.pk) == found
    overview = selectors.release_overview(user=editor, product=product, pk=release.pk)
    assert [c.rule for c in overview.conflicts.all] == [metrics.PHASE_AFTER_RELEASE]


def test_the_cached_plan_sees_phases_added_and_phase_types_renamed(admin, editor, release, phase_types):
    assert selectors.conflicts_for(product=release.product) == []  # now cached
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                  start_date=date(2030, 4, 20), end_date=date(2030, 5, 3))
    [conflict] = selectors.conflicts_for(product=release.product)
    assert conflict.rule == metrics.PHASE_AFTER_RELEASE
    services.phase_type_update(actor=admin, phase_type=phase_types["Beta"], name="Pilot",
                               colour=phase_types["Beta"].colour)
    [conflict] = selectors.conflicts_for(product=release.product)
    assert conflict.message.startswith("The Pilot phase of Spring ends")


def test_a_late_phase_in_the_same_year_reads_without_the_year(editor, release, phase_types):
    services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                  start_date=date(2030, 4, 20), end_date=date(2030, 5, 3))
    [conflict] = selectors.conflicts_for(product=release.product)
    assert conflict.message == "The Beta phase of Spring ends 03 May, after its release date, 01 May."


def test_a_phase_must_end_after_it_starts_and_stay_in_the_date_range(editor, release, phase_types):
    with pytest.raises(ValidationError) as caught:
        services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                      start_date=date(2030, 4, 20), end_date=date(2030, 4, 1))
    assert "end_date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.release_phase_create(actor=editor, release=release, phase_type=phase_types["Beta"],
                                      start_date=date(2030, 4, 20), end_date=date(2300, 4, 1))
    assert "end_date" in caught.value.message_dict


def test_a_phase_of_another_workspace_is_refused(editor, release, other_workspace):
    foreign = services.phase_types_defaults_create(workspace=other_workspace)[0]
    with pytest.raises(ValidationError) as caught:
        services.release_phase_create(actor=editor, release=release, phase_type=foreign,
                                      start_date=date(2030, 4, 1), end_date=date(2030, 4, 2))
    assert "phase_type" in caught.value.message_dict


# --- to-dos ------------------------------------------------------------------------------------


def test_a_relative_due_date_is_counted_from_the_release_date(editor, release):
    todo = services.todo_create(actor=editor, release=release, title="Brief sales", team="Sales", offset_days=-5)
    assert todo.due_date == date(2030, 4, 26)
    fixed = services.todo_create(actor=editor, release=release, title="Press", team="Marketing",
                                 due_date=date(2030, 4, 1))
    assert fixed.offset_days is None


def test_relative_to_dos_follow_the_release_and_fixed_ones_stay(editor, release):
    relative = services.todo_create(actor=editor, release=release, title="Brief sales", offset_days=-5)
    fixed = services.todo_create(actor=editor, release=release, title="Press", due_date=date(2030, 4, 1))
    services.release_update(actor=editor, release=release, release_date=date(2030, 6, 1))
    relative.refresh_from_db()
    fixed.refresh_from_db()
    assert relative.due_date == date(2030, 5, 27)
    assert fixed.due_date == date(2030, 4, 1)


def test_a_release_move_that_would_put_a_to_do_out_of_range_is_refused(editor, product):
    release = ReleaseFactory(product=product, start_date=date(2190, 1, 1), release_date=date(2190, 2, 1))
    services.todo_create(actor=editor, release=release, title="Retrospective", offset_days=900)
    with pytest.raises(ValidationError) as caught:
        services.release_update(actor=editor, release=release, release_date=date(2199, 12, 1))
    assert "release_date" in caught.value.message_dict
    release.refresh_from_db()
    assert release.release_date == date(2190, 2, 1)


def test_due_dates_outside_the_accepted_range_are_refused(editor, release):
    with pytest.raises(ValidationError) as caught:
        services.todo_create(actor=editor, release=release, title="Far", due_date=date(2400, 1, 1))
    assert "due_date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.todo_create(actor=editor, release=release, title="Far", offset_days=5000)
    assert "offset_days" in caught.value.message_dict
    assert not LaunchTodo.objects.exists()


def test_a_to_do_team_must_be_one_of_the_workspace_teams(admin, editor, workspace, release):
    with pytest.raises(ValidationError) as caught:
        services.todo_create(actor=editor, release=release, title="Train", team="Legal")
    assert "team" in caught.value.message_dict
    services.launch_settings_update(actor=admin, workspace=workspace, teams=["Legal", "Sales", "legal", " "])
    assert services.launch_settings_of(workspace.pk).teams == ["Legal", "Sales"]
    assert services.todo_create(actor=editor, release=release, title="Train", team="Legal").team == "Legal"
    with pytest.raises(PermissionDenied):
        services.launch_settings_update(actor=editor, workspace=workspace, teams=["Ops"])


def test_the_assignee_must_be_a_member(editor, release, other_workspace):
    outsider = UserFactory()
    with pytest.raises(ValidationError) as caught:
        services.todo_create(actor=editor, release=release, title="Train", assignee=outsider)
    assert "assignee" in caught.value.message_dict


def test_cancelling_a_release_closes_its_to_dos_and_planning_it_again_reopens_them(editor, release):
    open_ = services.todo_create(actor=editor, release=release, title="Brief sales")
    done = services.todo_create(actor=editor, release=release, title="Docs")
    services.todo_set_done(actor=editor, todo=done, done=True)
    services.release_update(actor=editor, release=release, status=Release.Status.CANCELLED)
    open_.refresh_from_db()
    done.refresh_from_db()
    assert (open_.state, done.state) == (LaunchTodo.State.CLOSED, LaunchTodo.State.DONE)
    with pytest.raises(ValidationError):
        services.todo_set_done(actor=editor, todo=open_, done=True)
    services.release_update(actor=editor, release=release, status=Release.Status.PLANNED)
    open_.refresh_from_db()
    assert open_.state == LaunchTodo.State.OPEN


def test_viewers_tick_their_own_to_dos_only_where_the_workspace_allows(admin, editor, viewer, workspace, release):
    mine = services.todo_create(actor=editor, release=release, title="Demo script", assignee=viewer)
    theirs = services.todo_create(actor=editor, release=release, title="Press", assignee=editor)
    assert services.todo_set_done(actor=viewer, todo=mine, done=True).state == LaunchTodo.State.DONE
    with pytest.raises(PermissionDenied):
        services.todo_set_done(actor=viewer, todo=theirs, done=True)
    services.launch_settings_update(actor=admin, workspace=workspace, viewers_tick_own=False)
    with pytest.raises(PermissionDenied):
        services.todo_set_done(actor=viewer, todo=mine, done=False)
    with pytest.raises(PermissionDenied):
        services.todo_create(actor=viewer, release=release, title="Mine")


# --- templates ---------------------------------------------------------------------------------


@pytest.fixture
def template(editor, workspace):
    return services.template_create(actor=editor, workspace=workspace, name="Standard launch", items=[
        {"title": "Brief sales", "team": "Sales", "offset_days": -14},
        {"title": "Publish docs", "team": "Docs", "offset_days": 0},
        {"title": "Customer follow-up", "team": "Support", "offset_days": 7},
    ])


def test_applying_a_template_adds_its_to_dos_due_from_the_release_date(editor, release, template):
    applied = services.template_apply(actor=editor, template=template, release=release)
    assert applied.already_there == 0
    todos = {t.title: t for t in LaunchTodo.objects.filter(release=release)}
    assert todos["Brief sales"].due_date == date(2030, 4, 17)
    assert todos["Publish docs"].due_date == date(2030, 5, 1)
    assert todos["Customer follow-up"].due_date == date(2030, 5, 8)
    assert applied.message == "3 to-do(s) added."


def test_applying_a_template_twice_adds_nothing_and_says_so(editor, release, template):
    services.template_apply(actor=editor, template=template, release=release)
    again = services.template_apply(actor=editor, template=template, release=release)
    assert again.created == [] and again.already_there == 3
    assert "already on the release" in again.message
    assert LaunchTodo.objects.filter(release=release).count() == 3
    services.template_item_create(actor=editor, template=template, title="Blog post", team="Marketing",
                                  offset_days=1)
    third = services.template_apply(actor=editor, template=template, release=release)
    assert [t.title for t in third.created] == ["Blog post"]
    assert LaunchTodo.objects.filter(release=release).count() == 4


def test_template_to_dos_move_with_the_release(editor, release, template):
    services.template_apply(actor=editor, template=template, release=release)
    services.release_update(actor=editor, release=release, release_date=date(2030, 5, 11))
    due = dict(LaunchTodo.objects.filter(release=release).values_list("title", "due_date"))
    assert due == {"Brief sales": date(2030, 4, 27), "Publish docs": date(2030, 5, 11),
                   "Customer follow-up": date(2030, 5, 18)}


def test_a_template_is_not_applied_to_a_cancelled_release_or_by_a_viewer(editor, viewer, release, template):
    with pytest.raises(PermissionDenied):
        services.template_apply(actor=viewer, template=template, release=release)
    services.release_update(actor=editor, release=release, status=Release.Status.CANCELLED)
    release.refresh_from_db()
    with pytest.raises(ValidationError):
        services.template_apply(actor=editor, template=template, release=release)
    assert not LaunchTodo.objects.exists()


# --- readiness -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("total", "done", "overdue", "today", "state"), [
    (0, 0, 0, date(2030, 1, 10), "none"),
    (4, 4, 0, date(2030, 1, 10), "ready"),
    (4, 2, 0, date(2030, 1, 10), "on_track"),   # half done, a third of the time gone
    (4, 1, 0, date(2030, 1, 20), "behind"),     # a quarter done, two thirds gone
    (4, 3, 1, date(2030, 1, 10), "behind"),     # ahead, but something is overdue
])
def test_readiness_compares_to_dos_done_with_time_gone(total, done, overdue, today, state):
    found = metrics.readiness(total=total, done=done, overdue=overdue, start=date(2030, 1, 1),
                              release_date=date(2030, 1, 30), today=today, status="planned")
    assert found.state == state
    assert found.percent == (round(100 * done / total) if total else 0)


def test_readiness_of_a_release_leaves_closed_to_dos_out_and_counts_overdue(editor, product, today):
    release = ReleaseFactory(product=product)
    late = services.todo_create(actor=editor, release=release, title="Late", due_date=today - timedelta(days=2))
    done = services.todo_create(actor=editor, release=release, title="Done", due_date=today - timedelta(days=3))
    services.todo_set_done(actor=editor, todo=done, done=True)
    services.todo_create(actor=editor, release=release, title="Later", due_date=today + timedelta(days=3))
    found = selectors.readiness_of([release], today=today)[release.pk]
    assert (found.total, found.done, found.overdue, found.state) == (3, 1, 1, "behind")
    assert selectors.overdue_todo_counts([release.pk], today=today) == {release.pk: 1}
    services.todo_set_done(actor=editor, todo=late, done=True)
    assert selectors.overdue_todo_counts([release.pk], today=today) == {}


# --- messaging and release notes ---------------------------------------------------------------


def test_messaging_names_personas_and_competitors_of_the_product(editor, release, product, workspace):
    persona = PersonaFactory(product=product, workspace=workspace)
    rival = CompetitorFactory(product=product, workspace=workspace)
    elsewhere = PersonaFactory(product=ProductFactory(workspace=workspace), workspace=workspace)
    messaging = services.messaging_update(actor=editor, release=release, key_messages="Faster checkout",
                                          personas=[persona], competitors=[rival])
    assert list(messaging.personas.all()) == [persona]
    with pytest.raises(ValidationError) as caught:
        services.messaging_update(actor=editor, release=release, personas=[elsewhere])
    assert "personas" in caught.value.message_dict


def test_notes_are_drafted_from_shipped_features_in_release_notes(editor, release, product, workspace):
    shipped = WorkflowStatusFactory(workspace=workspace, name="Shipped")
    FeatureFactory(product=product, release=release, status=shipped, title="Offline mode", in_release_notes=True,
                   customer_description="Work without a connection.")
    FeatureFactory(product=product, release=release, status=shipped, title="Internal refactor")
    FeatureFactory(product=product, release=release, title="Not done yet", in_release_notes=True)
    assert services.release_note_draft(release=release) == "### Offline mode\n\nWork without a connection."


def test_publishing_twice_changes_nothing(editor, admin, release):
    with pytest.raises(ValidationError):
        services.release_note_publish(actor=editor, release=release)
    services.release_note_save(actor=editor, release=release, body="### New\r\n\r\nThings.")
    first = services.release_note_publish(actor=editor, release=release)
    assert first.changed
    published_at = first.note.published_at
    second = services.release_note_publish(actor=admin, release=release)
    assert not second.changed and "already published" in second.message
    note = ReleaseNote.objects.get(release=release)
    assert (note.published_at, note.published_by) == (published_at, editor)
    assert note.body == "### New\n\nThings."


def test_publishing_needs_an_editor(viewer, workspace, release):
    MembershipFactory(workspace=workspace, user=UserFactory(), role=Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.release_note_save(actor=viewer, release=release, body="x")
    with pytest.raises(PermissionDenied):
        services.release_note_publish(actor=viewer, release=release)
