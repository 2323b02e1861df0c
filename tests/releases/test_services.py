"""Releases services against the real database: what they write, who may write it, which
field a refusal names, and that a refused write changes nothing."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from releases import services
from releases.models import (
    Comment,
    Dependency,
    Feature,
    Milestone,
    Release,
    Requirement,
    StatusCategory,
    WorkflowStatus,
)
from releases.ranking import REBALANCE_LENGTH
from strategy import services as strategy_services
from strategy.models import Role

from ..factories import FeatureFactory, MembershipFactory, ProductFactory, ReleaseFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
MAR_1 = date(2026, 3, 1)
MAR_31 = date(2026, 3, 31)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


def ordered_keys(product) -> list[str]:
    return [f"{product.key}-{n}" for n in
            Feature.objects.filter(product=product).order_by("rank", "id").values_list("number", flat=True)]


@pytest.fixture
def colleague(workspace):
    return MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ada Colleague",
                             user__email="ada@acme.test").user


@pytest.fixture
def web(workspace):
    """A second product of the same workspace."""
    return ProductFactory(workspace=workspace, name="Web shop", key="WEB")


@pytest.fixture
def outsider(other_workspace):
    return other_workspace.memberships.get().user


# --- the default workflow ---------------------------------------------------


def test_a_new_workspace_starts_with_the_default_workflow():
    founder = UserFactory(email="founder@initech.test")
    workspace = strategy_services.workspace_create(actor=founder, name="Initech")

    statuses = list(WorkflowStatus.objects.filter(workspace=workspace))
    assert [(s.name, s.category, s.position) for s in statuses] == [
        (name, category, i) for i, (name, category) in enumerate(services.DEFAULT_WORKFLOW, start=1)]
    assert [s.name for s in statuses] == [
        "Idea", "Backlog", "Planned", "In design", "In development", "In review", "Shipped", "Won't do"]
    assert not any(s.retired_at for s in statuses)


def test_creating_the_default_workflow_again_adds_nothing():
    workspace = strategy_services.workspace_create(actor=UserFactory(), name="Initech")
    before = list(WorkflowStatus.objects.filter(workspace=workspace).values_list("pk", flat=True))

    again = services.workflow_defaults_create(workspace=workspace)

    assert sorted(s.pk for s in again) == sorted(before)
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8


def test_the_default_workflow_of_one_workspace_is_not_anothers(workspace, workflow, other_workspace):
    services.workflow_defaults_create(workspace=other_workspace)
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8
    assert WorkflowStatus.objects.filter(workspace=other_workspace).count() == 8


# --- workflow administration ------------------------------------------------


def names(workspace, include_retired=False):
    statuses = WorkflowStatus.objects.filter(workspace=workspace).order_by("position", "id")
    if not include_retired:
        statuses = statuses.filter(retired_at__isnull=True)
    return [s.name for s in statuses]


def test_admins_add_a_status_at_the_end_of_the_workflow(admin, workspace, workflow):
    status = services.workflow_status_create(actor=admin, workspace=workspace, name="  QA  ",
                                             category=StatusCategory.IN_PROGRESS)
    status.refresh_from_db()
    assert (status.name, status.category, status.position) == ("QA", StatusCategory.IN_PROGRESS, 9)
    assert names(workspace)[-1] == "QA"


@pytest.mark.parametrize("name", ["Shipped", "shipped", "SHIPPED", " shipped "])
def test_a_status_name_already_in_the_workflow_is_refused_in_any_case(admin, workspace, workflow, name):
    with pytest.raises(ValidationError) as exc:
        services.workflow_status_create(actor=admin, workspace=workspace, name=name, category=StatusCategory.DONE)
    assert "name" in field_errors(exc)
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8


def test_the_name_of_a_retired_status_can_be_used_again(admin, workspace, workflow):
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    status = services.workflow_status_create(actor=admin, workspace=workspace, name="idea",
                                             category=StatusCategory.NOT_STARTED)
    assert status.pk != workflow["Idea"].pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"name": "", "category": StatusCategory.DONE}, "name", id="blank-name"),
        pytest.param({"name": "QA", "category": "finished"}, "category", id="unknown-category"),
    ],
)
def test_bad_status_input_is_refused_by_field(admin, workspace, workflow, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.workflow_status_create(actor=admin, workspace=workspace, **fields)
    assert field in field_errors(exc)


def test_renaming_a_status_keeps_its_features(admin, editor, workspace, product, workflow):
    feature = FeatureFactory(product=product, created_by=editor, status=workflow["In review"])

    services.workflow_status_update(actor=admin, status=workflow["In review"], name="Code review")

    feature.refresh_from_db()
    assert feature.status.name == "Code review"
    assert "Code review" in names(workspace)


def test_renaming_a_status_to_another_ones_name_is_refused(admin, workspace, workflow):
    with pytest.raises(ValidationError) as exc:
        services.workflow_status_update(actor=admin, status=workflow["Idea"], name="BACKLOG")
    assert "name" in field_errors(exc)
    assert WorkflowStatus.objects.get(pk=workflow["Idea"].pk).name == "Idea"


def test_renaming_a_status_to_its_own_name_in_another_case_is_fine(admin, workflow):
    status = services.workflow_status_update(actor=admin, status=workflow["Idea"], name="IDEA")
    assert status.name == "IDEA"


@pytest.mark.parametrize(
    ("status", "position", "expected"),
    [
        pytest.param("Shipped", 1, ["Shipped", "Idea", "Backlog", "Planned"], id="to-the-top"),
        pytest.param("Idea", 3, ["Backlog", "Planned", "Idea", "In design"], id="down"),
        pytest.param("Idea", 99, ["Backlog", "Planned", "In design"], id="beyond-the-end-goes-last"),
        pytest.param("Planned", 0, ["Planned", "Idea", "Backlog", "In design"], id="before-the-start-goes-first"),
    ],
)
def test_moving_a_status_reorders_the_workflow(admin, workspace, workflow, status, position, expected):
    services.workflow_status_move(actor=admin, status=workflow[status], position=position)

    order = names(workspace)
    assert order[:len(expected)] == expected
    if position == 99:
        assert order[-1] == "Idea"
    positions = list(WorkflowStatus.objects.filter(workspace=workspace).order_by("position")
                     .values_list("position", flat=True))
    assert positions == list(range(1, 9))


def test_retiring_a_status_keeps_its_features_in_it(admin, editor, workspace, product, workflow):
    feature = FeatureFactory(product=product, created_by=editor, status=workflow["In review"])

    moved = services.workflow_status_retire(actor=admin, status=workflow["In review"])

    assert moved == 0
    feature.refresh_from_db()
    assert feature.status_id == workflow["In review"].pk
    assert "In review" not in names(workspace)
    assert "In review" in names(workspace, include_retired=True)


def test_retiring_a_status_can_move_its_features_to_another(admin, editor, workspace, product, workflow):
    features = FeatureFactory.create_batch(3, product=product, created_by=editor, status=workflow["In review"])
    untouched = FeatureFactory(product=product, created_by=editor, title="Other", status=workflow["Planned"])

    moved = services.workflow_status_retire(actor=admin, status=workflow["In review"], move_to=workflow["Shipped"])

    assert moved == 3
    for feature in features:
        feature.refresh_from_db()
        assert feature.status_id == workflow["Shipped"].pk
        assert feature.history.first().history_user == admin
    untouched.refresh_from_db()
    assert untouched.status_id == workflow["Planned"].pk


@pytest.mark.parametrize("target", ["itself", "retired", "other-workspace"])
def test_retiring_into_a_status_that_is_not_an_active_one_of_the_workflow_is_refused(
        admin, editor, workspace, product, workflow, other_workspace, target):
    feature = FeatureFactory(product=product, created_by=editor, status=workflow["In review"])
    if target == "itself":
        move_to = workflow["In review"]
    elif target == "retired":
        services.workflow_status_retire(actor=admin, status=workflow["Shipped"])
        move_to = WorkflowStatus.objects.get(pk=workflow["Shipped"].pk)
    else:
        move_to = services.workflow_defaults_create(workspace=other_workspace)[6]

    with pytest.raises(ValidationError) as exc:
        services.workflow_status_retire(actor=admin, status=workflow["In review"], move_to=move_to)

    assert "move_to" in field_errors(exc)
    feature.refresh_from_db()
    assert feature.status_id == workflow["In review"].pk
    assert WorkflowStatus.objects.get(pk=workflow["In review"].pk).retired_at is None


def test_the_last_active_status_cannot_be_retired(admin, workspace, workflow):
    *others, last = workflow.values()
    for status in others:
        services.workflow_status_retire(actor=admin, status=status)

    with pytest.raises(ValidationError):
        services.workflow_status_retire(actor=admin, status=last)

    assert names(workspace) == [last.name]


def test_a_new_feature_starts_in_the_first_active_status(admin, editor, product, workflow):
    assert services.feature_create(actor=editor, product=product, title="One").status == workflow["Idea"]

    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    assert services.feature_create(actor=editor, product=product, title="Two").status == workflow["Backlog"]

    services.workflow_status_move(actor=admin, status=workflow["Planned"], position=1)
    assert services.feature_create(actor=editor, product=product, title="Three").status == workflow["Planned"]


def test_a_workspace_without_statuses_gets_the_default_workflow_with_its_first_feature(editor, workspace, product):
    assert not WorkflowStatus.objects.filter(workspace=workspace).exists()
    feature = services.feature_create(actor=editor, product=product, title="Saved carts")
    assert feature.status.name == "Idea"
    assert WorkflowStatus.objects.filter(workspace=workspace).count() == 8


@pytest.mark.parametrize("role_fixture", ["editor", "viewer"])
def test_only_admins_change_the_workflow(request, workspace, workflow, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.workflow_status_create(actor=user, workspace=workspace, name="QA", category=StatusCategory.DONE)
    with pytest.raises(PermissionDenied):
        services.workflow_status_update(actor=user, status=workflow["Idea"], name="Ideas")
    with pytest.raises(PermissionDenied):
        services.workflow_status_move(actor=user, status=workflow["Idea"], position=5)
    with pytest.raises(PermissionDenied):
        services.workflow_status_retire(actor=user, status=workflow["Idea"])
    assert names(workspace) == [name for name, _category in services.DEFAULT_WORKFLOW]


def test_admins_of_another_workspace_cannot_change_this_workflow(outsider, workspace, workflow):
    with pytest.raises(PermissionDenied):
        services.workflow_status_create(actor=outsider, workspace=workspace, name="QA", category=StatusCategory.DONE)
    with pytest.raises(PermissionDenied):
        services.workflow_status_retire(actor=outsider, status=workflow["Idea"])


# --- releases ---------------------------------------------------------------


def test_editors_create_releases(editor, product):
    release = services.release_create(actor=editor, product=product, name=" Spring ", start_date=MAR_1,
                                      release_date=MAR_31, version_label="2.4", theme="Checkout", capacity=D("40"))
    release.refresh_from_db()
    assert (release.name, release.version_label, release.theme, release.capacity) == ("Spring", "2.4", "Checkout",
                                                                                      D("40.0"))
    assert (release.start_date, release.release_date, release.status) == (MAR_1, MAR_31, Release.Status.PLANNED)
    assert (release.product, release.workspace_id, release.created_by, release.version) == (
        product, product.workspace_id, editor, 1)
    assert release.history.get().history_user == editor


def test_editors_update_releases_as_new_versions(editor, colleague, product):
    release = ReleaseFactory(product=product, created_by=editor)

    release = services.release_update(actor=colleague, release=release, version=1, status=Release.Status.IN_PROGRESS,
                                      capacity=D(30))

    release.refresh_from_db()
    assert (release.status, release.capacity, release.version) == (Release.Status.IN_PROGRESS, D(30), 2)
    assert release.history.first().history_user == colleague
    assert release.history.count() == 2


def test_a_release_ending_on_its_start_date_is_fine(editor, product):
    release = services.release_create(actor=editor, product=product, name="Spring", start_date=MAR_1,
                                      release_date=MAR_1)
    assert release.release_date == MAR_1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"release_date": MAR_1 - timedelta(days=1)}, "release_date", id="release-before-start"),
        pytest.param({"capacity": D("-1")}, "capacity", id="negative-capacity"),
        pytest.param({"name": "  "}, "name", id="blank-name"),
        pytest.param({"status": "shipped"}, "status", id="unknown-status"),
        pytest.param({"product_id": 1}, "product_id", id="unknown-field"),
    ],
)
def test_bad_release_input_is_refused_by_field(editor, product, fields, field):
    fields = {"name": "Spring", "start_date": MAR_1, "release_date": MAR_31, **fields}
    with pytest.raises(ValidationError) as exc:
        services.release_create(actor=editor, product=product, **fields)
    assert field in field_errors(exc)
    assert not Release.objects.exists()


def test_a_bad_release_update_changes_nothing(editor, product):
    release = ReleaseFactory(product=product, created_by=editor, name="Spring", start_date=MAR_1, release_date=MAR_31)
    with pytest.raises(ValidationError) as exc:
        services.release_update(actor=editor, release=release, name="Renamed", release_date=date(2026, 2, 1))
    assert "release_date" in field_errors(exc)
    release.refresh_from_db()
    assert (release.name, release.release_date, release.version) == ("Spring", MAR_31, 1)


def test_a_release_saved_from_a_stale_version_is_refused_naming_who_changed_what(editor, colleague, product):
    release = ReleaseFactory(product=product, created_by=editor, name="Spring")
    services.release_update(actor=colleague, release=release, version=1, theme="Faster checkout")

    with pytest.raises(ValidationError) as exc:
        services.release_update(actor=editor, release=release, version=1, name="Mine")

    assert exc.value.code == "stale"
    message = exc.value.messages[0]
    assert "Ada Colleague" in message
    assert "theme" in message
    release.refresh_from_db()
    assert (release.name, release.theme, release.version) == ("Spring", "Faster checkout", 2)


def test_deleting_a_release_leaves_its_features_unscheduled(editor, colleague, product):
    release = ReleaseFactory(product=product, created_by=editor)
    features = FeatureFactory.create_batch(2, product=product, created_by=editor, release=release)

    services.release_delete(actor=colleague, release=release)

    assert not Release.objects.exists()
    for feature in features:
        feature.refresh_from_db()
        assert feature.release is None
        assert feature.history.first().history_user == colleague
    assert Release.history.first().history_type == "-"
    assert Release.history.first().history_user == colleague


def test_viewers_cannot_write_releases(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.release_create(actor=viewer, product=product, name="Spring", start_date=MAR_1, release_date=MAR_31)
    release = ReleaseFactory(product=product, created_by=editor, name="Spring")
    with pytest.raises(PermissionDenied):
        services.release_update(actor=viewer, release=release, name="Mine")
    with pytest.raises(PermissionDenied):
        services.release_delete(actor=viewer, release=release)
    release.refresh_from_db()
    assert release.name == "Spring"


def test_people_outside_the_workspace_cannot_write_its_releases(outsider, product):
    with pytest.raises(PermissionDenied):
        services.release_create(actor=outsider, product=product, name="Spring", start_date=MAR_1,
                                release_date=MAR_31)
    assert not Release.objects.exists()


# --- milestones -------------------------------------------------------------


def test_editors_add_change_and_delete_milestones(editor, product):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    beta = services.milestone_create(actor=editor, release=release, name="Beta", date=date(2026, 3, 15),
                                     description="Ten merchants")
    services.milestone_create(actor=editor, release=release, name="Code freeze", date=date(2026, 3, 10))
    assert list(release.milestones.values_list("name", flat=True)) == ["Code freeze", "Beta"]

    services.milestone_update(actor=editor, milestone=beta, name="Public beta", date=date(2026, 3, 5))
    assert list(release.milestones.values_list("name", flat=True)) == ["Public beta", "Code freeze"]

    services.milestone_delete(actor=editor, milestone=beta)
    assert list(release.milestones.values_list("name", flat=True)) == ["Code freeze"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"name": "", "date": MAR_1}, "name", id="blank-name"),
        pytest.param({"name": "Beta", "date": None}, "date", id="no-date"),
        pytest.param({"name": "Beta", "date": MAR_1, "release_id": 1}, "release_id", id="unknown-field"),
    ],
)
def test_bad_milestones_are_refused_by_field(editor, product, fields, field):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    with pytest.raises(ValidationError) as exc:
        services.milestone_create(actor=editor, release=release, **fields)
    assert field in field_errors(exc)
    assert not Milestone.objects.exists()


def test_viewers_cannot_write_milestones(editor, viewer, product):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    with pytest.raises(PermissionDenied):
        services.milestone_create(actor=viewer, release=release, name="Beta", date=MAR_1)
    milestone = services.milestone_create(actor=editor, release=release, name="Beta", date=MAR_1)
    with pytest.raises(PermissionDenied):
        services.milestone_update(actor=viewer, milestone=milestone, name="Mine")
    with pytest.raises(PermissionDenied):
        services.milestone_delete(actor=viewer, milestone=milestone)
    assert Milestone.objects.get().name == "Beta"


# --- features: keys, defaults, scores, dates --------------------------------


def test_feature_keys_number_one_two_three_per_product(editor, product, web):
    mob = [services.feature_create(actor=editor, product=product, title=f"M{i}") for i in range(3)]
    web_first = services.feature_create(actor=editor, product=web, title="W")
    assert [f.key for f in mob] == ["MOB-1", "MOB-2", "MOB-3"]
    assert web_first.key == "WEB-1"


def test_a_key_in_the_middle_is_not_reused_after_a_delete(editor, product):
    features = FeatureFactory.create_batch(3, product=product, created_by=editor)
    services.feature_delete(actor=editor, feature=features[1])
    assert services.feature_create(actor=editor, product=product, title="New").key == "MOB-4"


def test_the_key_of_the_newest_feature_is_not_reused_after_it_is_deleted(editor, product):
    features = FeatureFactory.create_batch(3, product=product, created_by=editor)
    services.feature_delete(actor=editor, feature=features[2])
    assert services.feature_create(actor=editor, product=product, title="New").key == "MOB-4"


def test_a_new_feature_goes_to_the_bottom_of_the_backlog(editor, product):
    for i in range(4):
        services.feature_create(actor=editor, product=product, title=f"F{i}")
    assert ordered_keys(product) == ["MOB-1", "MOB-2", "MOB-3", "MOB-4"]


def test_a_feature_is_created_with_what_it_was_given(editor, product, workflow):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    feature = services.feature_create(actor=editor, product=product, title="  Apple Pay  ",
                                      description="Pay with a tap.\r\nFast.", status=workflow["Planned"],
                                      release=release, estimate=D(5), assignee=editor,
                                      start_date=date(2026, 3, 2), end_date=date(2026, 3, 20))
    feature.refresh_from_db()
    assert (feature.title, feature.description) == ("Apple Pay", "Pay with a tap.\nFast.")
    assert (feature.status, feature.release, feature.estimate, feature.assignee) == (
        workflow["Planned"], release, D(5), editor)
    assert (feature.created_by, feature.updated_by, feature.version) == (editor, editor, 1)
    assert feature.workspace_id == product.workspace_id


def test_the_rice_score_is_stored_and_recomputed_on_every_update(editor, product):
    feature = services.feature_create(actor=editor, product=product, title="Saved carts", reach=1000, impact=D(2),
                                      confidence=80, effort=D(4))
    feature.refresh_from_db()
    assert feature.rice_score == D("400.0")

    services.feature_update(actor=editor, feature=feature, confidence=50)
    feature.refresh_from_db()
    assert feature.rice_score == D("250.0")

    services.feature_update(actor=editor, feature=feature, effort=D(3))
    feature.refresh_from_db()
    assert feature.rice_score == D("333.3")

    services.feature_update(actor=editor, feature=feature, reach=None)
    feature.refresh_from_db()
    assert feature.rice_score is None


def test_a_feature_without_dates_follows_its_release(editor, product):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    feature = FeatureFactory(product=product, created_by=editor, release=release)
    assert (feature.effective_start, feature.effective_end) == (MAR_1, MAR_31)

    services.release_update(actor=editor, release=release, release_date=date(2026, 4, 15))
    feature = Feature.objects.select_related("release").get(pk=feature.pk)
    assert feature.effective_end == date(2026, 4, 15)


def test_a_features_own_dates_win_over_its_releases(editor, product):
    release = ReleaseFactory(product=product, created_by=editor, start_date=MAR_1, release_date=MAR_31)
    feature = FeatureFactory(product=product, created_by=editor, release=release, end_date=date(2026, 3, 20))
    assert (feature.effective_start, feature.effective_end) == (MAR_1, date(2026, 3, 20))
    services.feature_update(actor=editor, feature=feature, start_date=date(2026, 3, 5))
    feature = Feature.objects.select_related("release").get(pk=feature.pk)
    assert (feature.effective_start, feature.effective_end) == (date(2026, 3, 5), date(2026, 3, 20))


def test_an_unscheduled_feature_without_dates_has_no_effective_dates(editor, product):
    feature = FeatureFactory(product=product, created_by=editor)
    assert (feature.effective_start, feature.effective_end) == (None, None)


def test_tags_are_trimmed_lowercased_deduplicated_and_sorted(editor, product):
    feature = services.feature_create(actor=editor, product=product, title="Saved carts",
                                      tags=[" Mobile", "checkout", "CHECKOUT ", "", "  "])
    feature.refresh_from_db()
    assert feature.tags == ["checkout", "mobile"]


def test_a_feature_serves_goals_of_its_workspace(editor, workspace, product):
    goal = strategy_services.goal_create(actor=editor, workspace=workspace, name="Grow", start_date=MAR_1,
                                         end_date=MAR_31)
    initiative = strategy_services.initiative_create(actor=editor, product=product, name="Checkout", goals=[goal])
    feature = services.feature_create(actor=editor, product=product, title="Saved carts", initiative=initiative,
                                      goals=[goal])
    assert (feature.initiative, list(feature.goals.all())) == (initiative, [goal])

    services.feature_update(actor=editor, feature=feature, goals=[])
    assert not feature.goals.exists()


# --- features: refusals -----------------------------------------------------


@pytest.fixture
def foreign(other_workspace, other_product, outsider):
    """A goal and an initiative of the other workspace."""
    goal = strategy_services.goal_create(actor=outsider, workspace=other_workspace, name="Theirs", start_date=MAR_1,
                                         end_date=MAR_31)
    initiative = strategy_services.initiative_create(actor=outsider, product=other_product, name="Theirs")
    return {"goal": goal, "initiative": initiative}


def test_a_release_of_another_product_is_refused(editor, product, web):
    release = ReleaseFactory(product=web, created_by=editor)
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", release=release)
    assert "release" in field_errors(exc)
    assert not Feature.objects.exists()


def test_an_initiative_of_another_workspace_is_refused(editor, product, foreign):
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", initiative=foreign["initiative"])
    assert "initiative" in field_errors(exc)
    assert not Feature.objects.exists()


def test_goals_of_another_workspace_are_refused(editor, product, foreign):
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", goals=[foreign["goal"]])
    assert "goals" in field_errors(exc)
    assert not Feature.objects.exists()


def test_goals_of_another_workspace_are_refused_on_update(editor, workspace, product, foreign):
    feature = FeatureFactory(product=product, created_by=editor, title="Saved carts")
    with pytest.raises(ValidationError) as exc:
        services.feature_update(actor=editor, feature=feature, title="Renamed", goals=[foreign["goal"]])
    assert "goals" in field_errors(exc)
    feature.refresh_from_db()
    assert (feature.title, feature.version, feature.goals.count()) == ("Saved carts", 1, 0)


def test_a_status_of_another_workspace_is_refused(editor, product, other_workspace):
    theirs = services.workflow_defaults_create(workspace=other_workspace)[0]
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", status=theirs)
    assert "status" in field_errors(exc)


def test_an_assignee_outside_the_workspace_is_refused(editor, product, outsider):
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", assignee=UserFactory())
    assert "assignee" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="Saved carts", assignee=outsider)
    assert "assignee" in field_errors(exc)
    assert not Feature.objects.exists()


def test_any_member_can_be_assigned_even_a_viewer(editor, viewer, product):
    feature = services.feature_create(actor=editor, product=product, title="Saved carts", assignee=viewer)
    assert feature.assignee == viewer


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"estimate": D("-1")}, "estimate", id="negative-estimate"),
        pytest.param({"confidence": 101}, "confidence", id="confidence-over-100"),
        pytest.param({"effort": D(0)}, "effort", id="zero-effort"),
        pytest.param({"impact": D(7)}, "impact", id="impact-not-a-choice"),
        pytest.param({"start_date": date(2026, 3, 10), "end_date": date(2026, 3, 9)}, "end_date",
                     id="end-before-start"),
        pytest.param({"title": "   "}, "title", id="blank-title"),
        pytest.param({"tags": ["x" * 41]}, "tags", id="tag-too-long"),
        pytest.param({"rank": "0"}, "rank", id="rank-is-not-editable"),
        pytest.param({"number": 7}, "number", id="number-is-not-editable"),
    ],
)
def test_bad_feature_input_is_refused_by_field(editor, product, fields, field):
    fields.setdefault("title", "Saved carts")
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, **fields)
    assert field in field_errors(exc)
    assert not Feature.objects.exists()


def test_a_bad_update_changes_nothing(editor, product):
    feature = FeatureFactory(product=product, created_by=editor, title="Saved carts", estimate=D(3))
    with pytest.raises(ValidationError) as exc:
        services.feature_update(actor=editor, feature=feature, title="Renamed", estimate=D(-2))
    assert "estimate" in field_errors(exc)
    feature.refresh_from_db()
    assert (feature.title, feature.estimate, feature.version, feature.history.count()) == (
        "Saved carts", D(3), 1, 1)


def test_viewers_cannot_write_features(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.feature_create(actor=viewer, product=product, title="Mine")
    feature = FeatureFactory(product=product, created_by=editor, title="Saved carts")
    with pytest.raises(PermissionDenied):
        services.feature_update(actor=viewer, feature=feature, title="Mine")
    with pytest.raises(PermissionDenied):
        services.feature_delete(actor=viewer, feature=feature)
    with pytest.raises(PermissionDenied):
        services.feature_move(actor=viewer, feature=feature)
    assert Feature.objects.get().title == "Saved carts"


def test_people_outside_the_workspace_cannot_write_its_features(editor, outsider, product):
    with pytest.raises(PermissionDenied):
        services.feature_create(actor=outsider, product=product, title="Hijack")
    feature = FeatureFactory(product=product, created_by=editor)
    with pytest.raises(PermissionDenied):
        services.feature_update(actor=outsider, feature=feature, title="Hijack")


# --- features: concurrent edits ---------------------------------------------


def test_a_feature_saved_from_a_stale_version_is_refused_naming_the_other_editor_and_fields(
        editor, colleague, product):
    feature = FeatureFactory(product=product, created_by=editor, title="Saved carts", estimate=D(3))
    services.feature_update(actor=colleague, feature=feature, version=1, title="Saved carts everywhere",
                            estimate=D(8))

    with pytest.raises(ValidationError) as exc:
        services.feature_update(actor=editor, feature=feature, version=1, description="My notes")

    assert exc.value.code == "stale"
    message = exc.value.messages[0]
    assert "Ada Colleague" in message
    assert "title" in message and "estimate" in message
    assert "description" not in message
    feature.refresh_from_db()
    assert (feature.title, feature.estimate, feature.description, feature.version) == (
        "Saved carts everywhere", D(8), "", 2)
    assert feature.history.count() == 2


def test_a_save_from_the_current_version_goes_through(editor, colleague, product):
    feature = FeatureFactory(product=product, created_by=editor)
    services.feature_update(actor=colleague, feature=feature, version=1, title="Theirs")
    services.feature_update(actor=editor, feature=feature, version=2, title="Mine")
    feature.refresh_from_db()
    assert (feature.title, feature.version) == ("Mine", 3)


# --- features: moving in the backlog ----------------------------------------


@pytest.fixture
def backlog(editor, product):
    return [FeatureFactory(product=product, created_by=editor, title=f"F{i}") for i in range(1, 6)]  # MOB-1 … MOB-5


def ranks(product) -> dict[int, str]:
    return dict(Feature.objects.filter(product=product).values_list("pk", "rank"))


def updates(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]


@pytest.mark.parametrize(
    ("moved", "after", "before", "expected"),
    [
        pytest.param(4, None, 0, ["MOB-5", "MOB-1", "MOB-2", "MOB-3", "MOB-4"], id="to-the-top"),
        pytest.param(0, 4, None, ["MOB-2", "MOB-3", "MOB-4", "MOB-5", "MOB-1"], id="to-the-bottom"),
        pytest.param(0, 2, 3, ["MOB-2", "MOB-3", "MOB-1", "MOB-4", "MOB-5"], id="down-between-two"),
        pytest.param(4, 0, 1, ["MOB-1", "MOB-5", "MOB-2", "MOB-3", "MOB-4"], id="up-between-two"),
        pytest.param(2, 1, 3, ["MOB-1", "MOB-2", "MOB-3", "MOB-4", "MOB-5"], id="onto-its-own-place"),
    ],
)
def test_moving_a_feature_writes_only_its_own_rank(editor, product, backlog, moved, after, before, expected):
    feature = backlog[moved]
    others_before = {pk: rank for pk, rank in ranks(product).items() if pk != feature.pk}

    with CaptureQueriesContext(connection) as ctx:
        services.feature_move(actor=editor, feature=feature,
                              after=backlog[after] if after is not None else None,
                              before=backlog[before] if before is not None else None)

    assert len(updates(ctx)) == 1
    assert ordered_keys(product) == expected
    assert {pk: rank for pk, rank in ranks(product).items() if pk != feature.pk} == others_before


def test_neighbours_given_the_wrong_way_round_still_place_the_feature_between_them(editor, product, backlog):
    services.feature_move(actor=editor, feature=backlog[0], after=backlog[3], before=backlog[2])
    assert ordered_keys(product) == ["MOB-2", "MOB-3", "MOB-1", "MOB-4", "MOB-5"]


def test_a_feature_cannot_be_moved_next_to_another_products_feature(editor, product, web, backlog):
    stranger = FeatureFactory(product=web, created_by=editor, title="Web")
    before = ranks(product)
    with pytest.raises(ValidationError):
        services.feature_move(actor=editor, feature=backlog[0], after=stranger)
    with pytest.raises(ValidationError):
        services.feature_move(actor=editor, feature=backlog[0], before=stranger)
    assert ranks(product) == before


def test_a_feature_cannot_be_moved_next_to_itself(editor, product, backlog):
    with pytest.raises(ValidationError):
        services.feature_move(actor=editor, feature=backlog[0], after=backlog[0], before=backlog[1])


def test_many_moves_into_the_same_gap_rebalance_the_ranks_and_keep_the_order(editor, product, backlog):
    first, a, b = backlog[0], backlog[1], backlog[2]
    lengths = []
    for i in range(200):
        # Alternately put a and b right after the first feature, so the gap keeps halving.
        moving, neighbour = (a, b) if i % 2 else (b, a)
        moved = services.feature_move(actor=editor, feature=moving, after=first, before=neighbour)
        lengths.append(len(moved.rank))
        expected = ["MOB-1", moved.key, neighbour.key, "MOB-4", "MOB-5"]
        assert ordered_keys(product) == expected, i

    assert max(lengths) <= REBALANCE_LENGTH
    drops = [i for i in range(1, len(lengths)) if lengths[i] < lengths[i - 1] - 10]
    assert drops, "the ranks were never rebalanced"
    assert all(lengths[i] <= 2 for i in drops)


def test_features_sharing_a_rank_are_rebalanced_before_a_move_between_them(editor, product, backlog):
    Feature.objects.filter(pk__in=[backlog[1].pk, backlog[2].pk]).update(rank="k")
    Feature.objects.filter(pk__in=[backlog[3].pk, backlog[4].pk]).update(rank="x")

    services.feature_move(actor=editor, feature=backlog[0], after=backlog[1], before=backlog[2])

    assert ordered_keys(product) == ["MOB-2", "MOB-1", "MOB-3", "MOB-4", "MOB-5"]
    assert len(set(ranks(product).values())) == 5


def test_a_move_does_not_make_a_new_version(editor, product, backlog):
    services.feature_move(actor=editor, feature=backlog[4], before=backlog[0])
    backlog[4].refresh_from_db()
    assert (backlog[4].version, backlog[4].history.count()) == (1, 1)


# --- features: bulk changes -------------------------------------------------


def test_a_bulk_change_applies_to_every_feature(editor, colleague, workspace, product, backlog, workflow):
    release = ReleaseFactory(product=product, created_by=editor)
    initiative = strategy_services.initiative_create(actor=editor, product=product, name="Checkout")

    changed = services.feature_bulk_update(actor=colleague, features=backlog[:3], release=release,
                                           status=workflow["Planned"], initiative=initiative, add_tag="Q3 ")

    assert changed == 3
    for feature in backlog[:3]:
        feature.refresh_from_db()
        assert (feature.release, feature.status, feature.initiative, feature.tags) == (
            release, workflow["Planned"], initiative, ["q3"])
        assert (feature.version, feature.updated_by) == (2, colleague)
        assert feature.history.first().history_user == colleague
    for feature in backlog[3:]:
        feature.refresh_from_db()
        assert (feature.release, feature.version) == (None, 1)


def test_a_bulk_tag_is_added_to_the_tags_a_feature_has(editor, product):
    feature = FeatureFactory(product=product, created_by=editor, tags=["checkout", "mobile"])
    services.feature_bulk_update(actor=editor, features=[feature], add_tag="checkout")
    feature.refresh_from_db()
    assert feature.tags == ["checkout", "mobile"]


def test_a_bulk_change_can_clear_a_release(editor, product):
    release = ReleaseFactory(product=product, created_by=editor)
    feature = FeatureFactory(product=product, created_by=editor, release=release)
    services.feature_bulk_update(actor=editor, features=[feature], release=None)
    feature.refresh_from_db()
    assert feature.release is None


def test_a_bulk_change_one_feature_refuses_changes_nothing_and_names_it(editor, product, web, backlog):
    release = ReleaseFactory(product=product, created_by=editor)
    stranger = FeatureFactory(product=web, created_by=editor, title="Web only")
    batch = [backlog[0], backlog[1], stranger, backlog[2]]

    with pytest.raises(ValidationError) as exc:
        services.feature_bulk_update(actor=editor, features=batch, release=release, add_tag="q3")

    assert "WEB-1" in exc.value.messages[0]
    assert "Nothing was changed" in exc.value.messages[0]
    for feature in batch:
        feature.refresh_from_db()
        assert (feature.release, feature.tags, feature.version, feature.history.count()) == (None, [], 1, 1)


def test_a_bulk_change_without_features_or_without_a_change_is_refused(editor, backlog):
    with pytest.raises(ValidationError):
        services.feature_bulk_update(actor=editor, features=[], add_tag="q3")
    with pytest.raises(ValidationError):
        services.feature_bulk_update(actor=editor, features=backlog)


def test_viewers_cannot_change_features_in_bulk(viewer, backlog):
    with pytest.raises(PermissionDenied):
        services.feature_bulk_update(actor=viewer, features=backlog, add_tag="q3")
    assert not Feature.objects.exclude(tags=[]).exists()


# --- dependencies -----------------------------------------------------------


def test_a_feature_can_depend_on_features_of_other_products_of_its_workspace(editor, product, web):
    app = FeatureFactory(product=product, created_by=editor, title="App")
    api = FeatureFactory(product=web, created_by=editor, title="API")
    dependency = services.dependency_add(actor=editor, feature=app, depends_on=api)
    assert (dependency.feature, dependency.depends_on) == (app, api)
    assert list(app.dependencies.values_list("depends_on__title", flat=True)) == ["API"]


def test_a_direct_cycle_is_refused_and_named(editor, product, backlog):
    one, two = backlog[0], backlog[1]
    services.dependency_add(actor=editor, feature=one, depends_on=two)

    with pytest.raises(ValidationError) as exc:
        services.dependency_add(actor=editor, feature=two, depends_on=one)

    assert field_errors(exc)["depends_on"] == ["That would make a cycle: MOB-2 → MOB-1 → MOB-2."]
    assert Dependency.objects.count() == 1


def test_a_longer_cycle_is_refused_and_named_in_order(editor, product, web, backlog):
    one, two, three = backlog[0], backlog[1], backlog[2]
    elsewhere = FeatureFactory(product=web, created_by=editor, title="Web")
    services.dependency_add(actor=editor, feature=one, depends_on=two)
    services.dependency_add(actor=editor, feature=two, depends_on=elsewhere)
    services.dependency_add(actor=editor, feature=elsewhere, depends_on=three)
    services.dependency_add(actor=editor, feature=backlog[4], depends_on=one)  # not part of the cycle

    with pytest.raises(ValidationError) as exc:
        services.dependency_add(actor=editor, feature=three, depends_on=one)

    assert field_errors(exc)["depends_on"] == ["That would make a cycle: MOB-3 → MOB-1 → MOB-2 → WEB-1 → MOB-3."]
    assert Dependency.objects.count() == 4


def test_a_diamond_is_not_a_cycle(editor, backlog):
    top, left, right, bottom = backlog[:4]
    services.dependency_add(actor=editor, feature=top, depends_on=left)
    services.dependency_add(actor=editor, feature=top, depends_on=right)
    services.dependency_add(actor=editor, feature=left, depends_on=bottom)
    services.dependency_add(actor=editor, feature=right, depends_on=bottom)
    assert Dependency.objects.count() == 4


def test_a_feature_cannot_depend_on_itself(editor, backlog):
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(actor=editor, feature=backlog[0], depends_on=backlog[0])
    assert "depends_on" in field_errors(exc)
    assert not Dependency.objects.exists()


def test_a_dependency_cannot_be_added_twice(editor, backlog):
    services.dependency_add(actor=editor, feature=backlog[0], depends_on=backlog[1])
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(actor=editor, feature=backlog[0], depends_on=backlog[1])
    assert field_errors(exc)["depends_on"] == ["MOB-1 already depends on MOB-2."]
    assert Dependency.objects.count() == 1


def test_a_feature_cannot_depend_on_a_feature_of_another_workspace(editor, backlog, other_product, outsider):
    theirs = FeatureFactory(product=other_product, created_by=outsider, title="Theirs")
    with pytest.raises(ValidationError) as exc:
        services.dependency_add(actor=editor, feature=backlog[0], depends_on=theirs)
    assert "depends_on" in field_errors(exc)
    assert not Dependency.objects.exists()


def test_removing_a_dependency_allows_the_reverse_one(editor, viewer, backlog):
    dependency = services.dependency_add(actor=editor, feature=backlog[0], depends_on=backlog[1])
    with pytest.raises(PermissionDenied):
        services.dependency_remove(actor=viewer, dependency=dependency)
    with pytest.raises(PermissionDenied):
        services.dependency_add(actor=viewer, feature=backlog[2], depends_on=backlog[1])

    services.dependency_remove(actor=editor, dependency=dependency)

    assert not Dependency.objects.exists()
    services.dependency_add(actor=editor, feature=backlog[1], depends_on=backlog[0])


# --- requirements -----------------------------------------------------------


def test_editors_add_tick_reword_and_delete_requirements(editor, backlog):
    feature = backlog[0]
    first = services.requirement_create(actor=editor, feature=feature, text="  Works offline ")
    second = services.requirement_create(actor=editor, feature=feature, text="Syncs within 5 s")
    assert [(r.text, r.position, r.done) for r in feature.requirements.all()] == [
        ("Works offline", 1, False), ("Syncs within 5 s", 2, False)]

    services.requirement_update(actor=editor, requirement=first, done=True)
    services.requirement_update(actor=editor, requirement=second, text="Syncs within 2 s")
    assert [(r.text, r.done) for r in feature.requirements.all()] == [
        ("Works offline", True), ("Syncs within 2 s", False)]

    services.requirement_delete(actor=editor, requirement=first)
    assert list(feature.requirements.values_list("text", flat=True)) == ["Syncs within 2 s"]


def test_a_blank_requirement_is_refused(editor, backlog):
    with pytest.raises(ValidationError) as exc:
        services.requirement_create(actor=editor, feature=backlog[0], text="   ")
    assert "text" in field_errors(exc)
    requirement = services.requirement_create(actor=editor, feature=backlog[0], text="Ok")
    with pytest.raises(ValidationError) as exc:
        services.requirement_update(actor=editor, requirement=requirement, text=" ")
    assert "text" in field_errors(exc)
    assert Requirement.objects.get().text == "Ok"


def test_viewers_cannot_write_requirements(editor, viewer, backlog):
    with pytest.raises(PermissionDenied):
        services.requirement_create(actor=viewer, feature=backlog[0], text="Mine")
    requirement = services.requirement_create(actor=editor, feature=backlog[0], text="Ok")
    with pytest.raises(PermissionDenied):
        services.requirement_update(actor=viewer, requirement=requirement, done=True)
    with pytest.raises(PermissionDenied):
        services.requirement_delete(actor=viewer, requirement=requirement)
    assert Requirement.objects.get().done is False


# --- comments and @mentions -------------------------------------------------


def test_viewers_can_comment(viewer, backlog):
    comment = services.comment_create(actor=viewer, feature=backlog[0], body="  When does this ship?\r\nThanks ")
    comment.refresh_from_db()
    assert (comment.author, comment.body, comment.feature) == (viewer, "When does this ship?\nThanks", backlog[0])


def test_a_blank_comment_is_refused(viewer, backlog):
    with pytest.raises(ValidationError) as exc:
        services.comment_create(actor=viewer, feature=backlog[0], body=" \n ")
    assert "body" in field_errors(exc)
    assert not Comment.objects.exists()


def test_people_outside_the_workspace_cannot_comment(outsider, backlog):
    with pytest.raises(PermissionDenied):
        services.comment_create(actor=outsider, feature=backlog[0], body="Hello")
    assert not Comment.objects.exists()


def test_mentioned_members_are_emailed_after_commit_with_a_link_to_the_feature(
        viewer, editor, admin, backlog, django_capture_on_commit_callbacks):
    feature = backlog[0]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        comment = services.comment_create(actor=viewer, feature=feature,
                                          body="@editor@acme.test and @admin, is this still planned?")
    assert set(comment.mentions.all()) == {editor, admin}
    # One email task per person, and the inbox's unread counts forgotten once the comment commits.
    assert len(callbacks) == 3
    assert mail.outbox == []

    for callback in callbacks:
        callback()

    assert sorted(m.to[0] for m in mail.outbox) == ["admin@acme.test", "editor@acme.test"]
    url = "http://testserver" + reverse("releases:feature_detail", args=["acme", "MOB", feature.number])
    for message in mail.outbox:
        assert message.subject == f"{viewer.display_name} mentioned you on MOB-1 F1"
        assert url in message.body
        assert "is this still planned?" in message.body


def test_mentions_of_non_members_unknown_people_and_oneself_are_ignored(
        viewer, editor, backlog, other_workspace, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        comment = services.comment_create(
            actor=editor, feature=backlog[0],
            body="Ping @boss@globex.test, @nobody, @editor and mail me at editor@acme.test")
    assert not comment.mentions.exists()
    assert callbacks == []
    assert mail.outbox == []


def test_a_mention_at_the_end_of_a_sentence_still_counts(viewer, editor, backlog, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = services.comment_create(actor=viewer, feature=backlog[0], body="Over to @editor.")
    assert list(comment.mentions.all()) == [editor]
    assert [m.to for m in mail.outbox] == [["editor@acme.test"]]


# --- history names every author ---------------------------------------------


WRITES = {
    "create": lambda actor, feature, release, workflow: services.feature_create(
        actor=actor, product=feature.product, title="Newest"),
    "update": lambda actor, feature, release, workflow: services.feature_update(
        actor=actor, feature=feature, title="Renamed"),
    "schedule in bulk": lambda actor, feature, release, workflow: services.feature_bulk_update(
        actor=actor, features=[feature], release=release),
    "delete": lambda actor, feature, release, workflow: services.feature_delete(actor=actor, feature=feature),
    "delete the release": lambda actor, feature, release, workflow: services.release_delete(
        actor=actor, release=release),
    "retire its status": lambda actor, feature, release, workflow: services.workflow_status_retire(
        actor=actor, status=workflow["Idea"], move_to=workflow["Backlog"]),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_every_feature_write_names_its_author_in_history(admin, editor, product, workflow, write):
    release = ReleaseFactory(product=product, created_by=editor)
    feature = FeatureFactory(product=product, created_by=editor, release=release if "release" in write else None)

    WRITES[write](admin, feature, release, workflow)

    latest = Feature.history.first()
    assert latest.history_user == admin
    assert Feature.history.exclude(history_user__in=[admin, editor]).count() == 0


def test_a_feature_cannot_enter_a_retired_status_but_may_stay_in_one(admin, editor, product, workflow):
    feature = services.feature_create(actor=editor, product=product, title="Old flow", status=workflow["Idea"])
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    other = services.feature_create(actor=editor, product=product, title="New")

    with pytest.raises(ValidationError) as exc:
        services.feature_update(actor=editor, feature=other, status=workflow["Idea"])
    assert "status" in exc.value.message_dict

    kept = services.feature_update(actor=editor, feature=feature, title="Old flow, renamed")
    assert kept.status == workflow["Idea"]


# --- found in review ----------------------------------------------------------


def test_a_move_naming_the_same_feature_on_both_sides_is_refused_at_once(editor, product, workflow):
    a, b, c = (services.feature_create(actor=editor, product=product, title=t) for t in "abc")
    with pytest.raises(ValidationError, match="both before and after"):
        services.feature_move(actor=editor, feature=a, after=b, before=b)
    with pytest.raises(ValidationError, match="Say where"):
        services.feature_move(actor=editor, feature=a)


def test_moving_between_neighbours_with_equal_ranks_rebalances_once(editor, product, workflow):
    a, b, c = (services.feature_create(actor=editor, product=product, title=t) for t in "abc")
    Feature.objects.filter(pk__in=[b.pk, c.pk]).update(rank="k")
    moved = services.feature_move(actor=editor, feature=a, after=b, before=c)
    ranks = dict(Feature.objects.values_list("pk", "rank"))
    assert ranks[b.pk] < moved.rank < ranks[c.pk] or ranks[c.pk] < moved.rank < ranks[b.pk]


def test_an_initiative_of_another_product_is_refused(editor, workspace, product):
    other = ProductFactory(workspace=workspace, key="OTH")
    initiative = strategy_services.initiative_create(actor=editor, product=other, name="Elsewhere")
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="X", initiative=initiative)
    assert "initiative" in exc.value.message_dict


def test_a_former_member_stays_assigned_without_blocking_other_changes(admin, editor, workspace, product, workflow):
    leaver = MembershipFactory(workspace=workspace, role=Role.EDITOR).user
    feature = services.feature_create(actor=editor, product=product, title="X", assignee=leaver)
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2026, 1, 1),
                                      release_date=date(2026, 3, 1))
    services.feature_update(actor=editor, feature=feature, release=release)
    strategy_services.membership_remove(actor=admin, membership=leaver.memberships.get())

    services.feature_update(actor=editor, feature=feature, title="Still editable")
    services.release_delete(actor=editor, release=release)

    feature.refresh_from_db()
    assert (feature.assignee, feature.release) == (leaver, None)


def test_a_start_after_the_inherited_end_is_refused(editor, product, workflow):
    release = services.release_create(actor=editor, product=product, name="R", start_date=date(2026, 1, 1),
                                      release_date=date(2026, 3, 1))
    with pytest.raises(ValidationError) as exc:
        services.feature_create(actor=editor, product=product, title="X", release=release,
                                start_date=date(2026, 4, 1))
    assert "start_date" in exc.value.message_dict
