"""Releases selectors: who sees what, the rows lists draw, conflicts found in real rows,
the release page's data from real history, and query counts that do not grow with data."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from releases import selectors, services
from releases.metrics import ENDS_AFTER_RELEASE, ENDS_BEFORE_DEPENDENCY, OVER_CAPACITY, UNFINISHED_IN_RELEASED
from releases.models import Feature, Release, StatusCategory
from strategy import services as strategy_services

from ..conftest import count_queries
from ..factories import (
    DependencyFactory,
    FeatureFactory,
    InitiativeFactory,
    MilestoneFactory,
    ProductFactory,
    ReleaseFactory,
    RequirementFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal
MAR_1 = date(2026, 3, 1)
MAR_31 = date(2026, 3, 31)


@pytest.fixture
def outsider(other_workspace):
    return other_workspace.memberships.get().user


@pytest.fixture
def theirs(other_product, outsider):
    """A release and a feature of the other workspace."""
    release = ReleaseFactory(product=other_product, created_by=outsider, name="Secret", start_date=MAR_1,
                             release_date=MAR_31)
    return FeatureFactory(product=other_product, created_by=outsider, title="Secret feature", release=release)


# --- visibility -------------------------------------------------------------


def test_features_of_another_workspace_never_appear(viewer, editor, product, theirs):
    ours = FeatureFactory(product=product, created_by=editor, title="Saved carts")

    assert list(selectors.feature_queryset(user=viewer)) == [ours]
    assert list(selectors.feature_queryset(user=viewer, product=product)) == [ours]
    assert list(selectors.feature_queryset(user=viewer, product=theirs.product)) == []
    assert list(selectors.open_features(user=viewer, product=theirs.product)) == []
    assert [r["title"] for r in selectors.feature_rows(selectors.feature_queryset(user=viewer))] == ["Saved carts"]


def test_a_feature_of_another_workspace_is_not_found(viewer, theirs):
    with pytest.raises(Http404):
        selectors.feature_get(user=viewer, product=theirs.product, number=theirs.number)


def test_releases_and_statuses_of_another_workspace_never_appear(viewer, editor, workspace, product, workflow,
                                                                theirs, other_workspace):
    ours = ReleaseFactory(product=product, created_by=editor, name="Spring", start_date=MAR_1, release_date=MAR_31)
    assert list(selectors.release_list(user=viewer, product=product)) == [ours]
    assert list(selectors.release_list(user=viewer, product=theirs.product)) == []
    assert list(selectors.release_choices(user=viewer, product=theirs.product)) == []
    with pytest.raises(Http404):
        selectors.release_get(user=viewer, product=theirs.product, pk=theirs.release_id)
    assert list(selectors.status_list(user=viewer, workspace=other_workspace)) == []
    assert len(selectors.status_list(user=viewer, workspace=workspace)) == 8


def test_people_without_a_membership_see_nothing(product, editor):
    FeatureFactory(product=product, created_by=editor, title="Saved carts")
    stranger = UserFactory()
    assert list(selectors.feature_queryset(user=stranger)) == []
    assert list(selectors.release_list(user=stranger, product=product)) == []


def test_retired_statuses_are_listed_only_when_asked_for(admin, viewer, workspace, workflow):
    services.workflow_status_retire(actor=admin, status=workflow["Idea"])
    assert "Idea" not in [s.name for s in selectors.status_list(user=viewer, workspace=workspace)]
    assert [s.name for s in selectors.status_list(user=viewer, workspace=workspace, include_retired=True)][0] == "Idea"
    assert selectors.status_get(user=viewer, workspace=workspace, pk=workflow["Idea"].pk) == workflow["Idea"]


# --- lists ------------------------------------------------------------------


def test_features_are_listed_in_backlog_order(editor, viewer, product):
    one, two, three = (FeatureFactory(product=product, created_by=editor, title=t) for t in ("One", "Two", "Three"))
    services.feature_move(actor=editor, feature=three, before=one)
    assert [f.title for f in selectors.feature_queryset(user=viewer, product=product)] == ["Three", "One", "Two"]


def test_feature_rows_carry_keys_names_and_effective_dates(editor, viewer, product, workflow, workspace):
    release = ReleaseFactory(product=product, created_by=editor, name="Spring", start_date=MAR_1, release_date=MAR_31)
    initiative = strategy_services.initiative_create(actor=editor, product=product, name="Checkout",
                                                     colour="#f97316")
    inherited = FeatureFactory(product=product, created_by=editor, title="Inherits", release=release,
                               status=workflow["Planned"], initiative=initiative, assignee=editor, tags=["mobile"],
                               estimate=D(3), reach=100, impact=D(1), confidence=50, effort=D(1))
    own = FeatureFactory(product=product, created_by=editor, title="Own dates", release=release,
                         start_date=date(2026, 3, 5), end_date=date(2026, 3, 20))
    loose = FeatureFactory(product=product, created_by=editor, title="Unscheduled")

    rows = {r["title"]: r for r in selectors.feature_rows(selectors.feature_queryset(user=viewer, product=product))}

    row = rows["Inherits"]
    assert (row["id"], row["key"], row["number"]) == (inherited.pk, "MOB-1", 1)
    assert (row["effective_start"], row["effective_end"]) == (MAR_1, MAR_31)
    assert (row["start_date"], row["end_date"]) == (None, None)
    assert (row["status__name"], row["status__category"]) == ("Planned", StatusCategory.NOT_STARTED)
    assert (row["release__name"], row["initiative__name"], row["initiative__colour"]) == (
        "Spring", "Checkout", "#f97316")
    assert (row["assignee__full_name"], row["assignee__email"]) == (editor.full_name, editor.email)
    assert (row["tags"], row["estimate"], row["rice_score"]) == (["mobile"], D(3), D("50.0"))
    assert (rows["Own dates"]["key"], rows["Own dates"]["effective_start"], rows["Own dates"]["effective_end"]) == (
        own.key, date(2026, 3, 5), date(2026, 3, 20))
    assert (rows["Unscheduled"]["key"], rows["Unscheduled"]["effective_start"],
            rows["Unscheduled"]["effective_end"]) == (loose.key, None, None)


def test_feature_rows_are_one_query(editor, viewer, product):
    for i in range(5):
        FeatureFactory(product=product, created_by=editor, title=f"F{i}")
    fresh = type(viewer).objects.get(pk=viewer.pk)  # its roles are not loaded yet
    queryset = selectors.feature_queryset(user=fresh, product=product)
    assert count_queries(lambda: selectors.feature_rows(queryset)) == 1


def test_the_backlog_leaves_out_done_and_wont_do_features(editor, viewer, product, workflow):
    for name in ("Idea", "Planned", "In development", "Shipped", "Won't do"):
        FeatureFactory(product=product, created_by=editor, title=name, status=workflow[name])
    assert [f.title for f in selectors.open_features(user=viewer, product=product)] == [
        "Idea", "Planned", "In development"]


def test_a_feature_is_fetched_with_everything_its_page_shows(editor, viewer, product, workflow):
    feature = FeatureFactory(product=product, created_by=editor, title="Main")
    other = FeatureFactory(product=product, created_by=editor, title="Other")
    services.dependency_add(actor=editor, feature=feature, depends_on=other)
    services.requirement_create(actor=editor, feature=feature, text="Works offline")
    services.comment_create(actor=viewer, feature=feature, body="Nice")

    fetched = selectors.feature_get(user=viewer, product=product, number=feature.number)

    def read_everything():
        return (fetched.status.name, fetched.product.key, list(fetched.goals.all()),
                [r.text for r in fetched.requirements.all()],
                [d.depends_on.key for d in fetched.dependencies.all()],
                [c.author.display_name for c in fetched.comments.all()])

    assert count_queries(read_everything) == 0
    assert read_everything()[3:] == (["Works offline"], ["MOB-2"], [viewer.display_name])


def test_release_list_counts_features_and_estimates_without_wont_do(editor, viewer, product, workflow):
    release = ReleaseFactory(product=product, created_by=editor, capacity=D(20), name="Spring", start_date=MAR_1,
                             release_date=MAR_31)
    empty = ReleaseFactory(product=product, created_by=editor, name="Summer", start_date=date(2026, 4, 1),
                           release_date=date(2026, 4, 30))
    services.milestone_create(actor=editor, release=release, name="Launch", date=date(2026, 3, 30))
    services.milestone_create(actor=editor, release=release, name="Beta", date=date(2026, 3, 15))
    for status, estimate in (("Shipped", D(3)), ("Shipped", None), ("In development", D(5)), ("Won't do", D(40))):
        FeatureFactory(product=product, created_by=editor, title=status, status=workflow[status], release=release,
                       estimate=estimate)

    listed = list(selectors.release_list(user=viewer, product=product))

    assert listed == [release, empty]
    spring, summer = listed
    assert (spring.feature_count, spring.done_count, spring.planned_estimate, spring.done_estimate) == (
        3, 2, D(8), D(3))
    assert (summer.feature_count, summer.done_count, summer.planned_estimate, summer.done_estimate) == (
        0, 0, 0, 0)
    assert count_queries(lambda: [m.name for m in spring.milestones.all()]) == 0
    assert [m.name for m in spring.milestones.all()] == ["Beta", "Launch"]


def test_release_list_queries_do_not_grow_with_releases(editor, viewer, product):
    def page():
        return [(r.feature_count, [m.name for m in r.milestones.all()])
                for r in selectors.release_list(user=type(viewer).objects.get(pk=viewer.pk), product=product)]

    ReleaseFactory(product=product, created_by=editor, name="Spring", start_date=MAR_1, release_date=MAR_31)
    few = count_queries(page)
    for i in range(8):
        release = ReleaseFactory(product=product, created_by=editor, name=f"R{i}", start_date=MAR_1,
                                 release_date=MAR_31)
        services.milestone_create(actor=editor, release=release, name="Beta", date=MAR_1)
        FeatureFactory(product=product, created_by=editor, title=f"F{i}", release=release)
    assert count_queries(page) == few


# --- conflicts --------------------------------------------------------------


def test_conflicts_are_found_in_real_rows(editor, product, workflow):
    spring = ReleaseFactory(product=product, created_by=editor, capacity=D(10), name="Spring", start_date=MAR_1,
                            release_date=MAR_31)
    shipped = ReleaseFactory(product=product, created_by=editor, name="Winter", start_date=date(2026, 1, 1),
                             release_date=date(2026, 1, 31), status=Release.Status.RELEASED)
    late = FeatureFactory(product=product, created_by=editor, title="Late", release=spring, end_date=date(2026, 4, 2),
                          estimate=D(8))
    on_time = FeatureFactory(product=product, created_by=editor, title="On time", release=spring, end_date=MAR_31,
                             estimate=D(2))
    inherited = FeatureFactory(product=product, created_by=editor, title="Follows", release=spring, estimate=D(1))
    left_over = FeatureFactory(product=product, created_by=editor, title="Left over", release=shipped,
                               status=workflow["In review"])
    FeatureFactory(product=product, created_by=editor, title="Done", release=shipped, status=workflow["Shipped"])
    FeatureFactory(product=product, created_by=editor, title="Dropped", release=shipped, status=workflow["Won't do"])
    early = FeatureFactory(product=product, created_by=editor, title="Early", end_date=date(2026, 3, 10))
    services.dependency_add(actor=editor, feature=early, depends_on=inherited)  # ends 10 Mar, before 31 Mar
    services.dependency_add(actor=editor, feature=on_time, depends_on=inherited)  # both end 31 Mar: fine

    found = selectors.conflicts_for(product=product)

    assert sorted((c.rule, c.feature_id, c.release_id) for c in found) == sorted([
        (ENDS_AFTER_RELEASE, late.pk, spring.pk),
        (OVER_CAPACITY, None, spring.pk),
        (UNFINISHED_IN_RELEASED, left_over.pk, shipped.pk),
        (ENDS_BEFORE_DEPENDENCY, early.pk, None),
    ])
    index = selectors.ConflictIndex.of(found)
    assert {c.rule for c in index.by_release[spring.pk]} == {ENDS_AFTER_RELEASE, OVER_CAPACITY}
    assert [c.rule for c in index.by_feature[late.pk]] == [ENDS_AFTER_RELEASE]
    assert on_time.pk not in index.by_feature


def test_conflicts_of_another_product_are_not_reported(editor, workspace, product):
    web = ProductFactory(workspace=workspace, key="WEB")
    release = ReleaseFactory(product=web, created_by=editor, capacity=D(1), name="Spring", start_date=MAR_1,
                             release_date=MAR_31)
    FeatureFactory(product=web, created_by=editor, title="Big", release=release, estimate=D(5))
    assert selectors.conflicts_for(product=product) == []
    assert len(selectors.conflicts_for(product=web)) == 1


def test_conflicts_cost_four_queries_one_more_for_prerequisites_elsewhere_and_one_when_cached(
        editor, workspace, product):
    release = ReleaseFactory(product=product, created_by=editor, capacity=D(1), name="Spring", start_date=MAR_1,
                             release_date=MAR_31)
    features = [FeatureFactory(product=product, created_by=editor, title=f"F{i}", release=release,
                               estimate=D(1)) for i in range(5)]
    # The plan's fingerprint, then its features, dependencies and releases.
    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 4
    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 1  # unchanged: from the cache
    other = FeatureFactory(product=ProductFactory(workspace=workspace, key="WEB"), created_by=editor, title="Elsewhere")
    services.dependency_add(actor=editor, feature=features[0], depends_on=other)
    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 5
    assert count_queries(lambda: selectors.conflicts_for(product=product)) == 1


def test_a_feature_ending_before_its_dependency_in_another_product_is_a_conflict(editor, workspace, product):
    web = ProductFactory(workspace=workspace, key="WEB")
    app = FeatureFactory(product=product, created_by=editor, title="App", end_date=date(2026, 3, 10))
    api = FeatureFactory(product=web, created_by=editor, title="API", end_date=date(2026, 3, 20))
    services.dependency_add(actor=editor, feature=app, depends_on=api)

    found = selectors.conflicts_for(product=product)

    assert [(c.rule, c.feature_id) for c in found] == [(ENDS_BEFORE_DEPENDENCY, app.pk)]



# --- the release page -------------------------------------------------------


TODAY = date(2026, 6, 15)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def backdate(feature: Feature, *days: int) -> None:
    """Give the feature's versions, oldest first, the dates `days` days from TODAY."""
    versions = list(Feature.history.filter(id=feature.pk).order_by("history_date", "history_id"))
    assert len(versions) == len(days)
    for version, day in zip(versions, days, strict=True):
        Feature.history.model.objects.filter(history_id=version.history_id).update(
            history_date=at(TODAY + timedelta(days=day)))


@pytest.fixture
def release_page(editor, product, workflow):
    release = ReleaseFactory(product=product, created_by=editor, start_date=TODAY - timedelta(days=10),
                             release_date=TODAY + timedelta(days=10), capacity=D(8), name="Spring")
    shipped = FeatureFactory(product=product, created_by=editor, title="Shipped", release=release, estimate=D(5))
    services.feature_update(actor=editor, feature=shipped, status=workflow["Shipped"])
    backdate(shipped, -12, -5)
    moved_out = FeatureFactory(product=product, created_by=editor, title="Moved out", release=release, estimate=D(3))
    services.feature_update(actor=editor, feature=moved_out, release=None)
    backdate(moved_out, -12, -3)
    moved_in = FeatureFactory(product=product, created_by=editor, title="Moved in", estimate=D(2))
    services.feature_update(actor=editor, feature=moved_in, release=release, status=workflow["In development"])
    backdate(moved_in, -12, -7)
    dropped = FeatureFactory(product=product, created_by=editor, title="Dropped", release=release, estimate=D(8),
                             status=workflow["Won't do"])
    backdate(dropped, -12)
    never = FeatureFactory(product=product, created_by=editor, title="Never in it", estimate=D(13))
    backdate(never, -12)
    return release


def test_the_release_page_groups_features_by_status_category(viewer, product, release_page):
    overview = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=TODAY)

    assert overview.release == release_page
    assert {category: [r["title"] for r in rows] for category, rows in overview.features_by_category.items()} == {
        StatusCategory.NOT_STARTED: [],
        StatusCategory.IN_PROGRESS: ["Moved in"],
        StatusCategory.DONE: ["Shipped"],
        StatusCategory.WONT_DO: ["Dropped"],
    }
    assert overview.features_by_category[StatusCategory.DONE][0]["key"] == "MOB-1"


def test_the_release_page_shows_progress_without_wont_do(viewer, product, release_page):
    progress = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=TODAY).progress
    assert (progress.total, progress.done, progress.percent) == (2, 1, 50)
    assert (progress.estimate_total, progress.estimate_done, progress.estimate_percent) == (D(7), D(5), 71)


def test_the_burn_up_follows_the_history_of_the_features_ever_in_the_release(viewer, product, release_page):
    series = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=TODAY).burn_up

    assert [day for day, _done, _scope in series] == [TODAY + timedelta(days=d) for d in range(-10, 1)]
    by_offset = {(day - TODAY).days: (done, scope) for day, done, scope in series}
    assert by_offset == {
        -10: (0, 8), -9: (0, 8), -8: (0, 8),  # shipped (5) and moved out (3) planned
        -7: (0, 10), -6: (0, 10),  # moved in (2) joins
        -5: (5, 10), -4: (5, 10),  # shipped is done
        -3: (5, 7), -2: (5, 7), -1: (5, 7), 0: (5, 7),  # moved out leaves
    }


def test_the_burn_up_stops_at_the_release_date(viewer, product, release_page):
    later = TODAY + timedelta(days=60)
    series = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=later).burn_up
    assert len(series) == 21
    assert series[-1] == (release_page.release_date, D(5), D(7))


def test_a_deleted_feature_leaves_the_burn_up(editor, viewer, product, release_page):
    shipped = Feature.objects.get(title="Shipped")
    shipped_id = shipped.pk
    services.feature_delete(actor=editor, feature=shipped)
    deleted = Feature.history.model.objects.filter(id=shipped_id, history_type="-").update(history_date=at(TODAY))
    assert deleted == 1

    series = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=TODAY).burn_up

    assert series[-2][1:] == (D(5), D(7))
    assert series[-1][1:] == (D(0), D(2))


def test_the_release_page_lists_only_its_own_conflicts(editor, viewer, product, workflow, release_page):
    other = ReleaseFactory(product=product, created_by=editor, name="Autumn", start_date=TODAY,
                           release_date=TODAY + timedelta(days=30), capacity=D(0))
    FeatureFactory(product=product, created_by=editor, title="Elsewhere", release=other, estimate=D(1))
    late = FeatureFactory(product=product, created_by=editor, title="Late", release=release_page, estimate=D(2),
                          end_date=release_page.release_date + timedelta(days=1))  # 9 points planned for 8

    conflicts = selectors.release_overview(user=viewer, product=product, pk=release_page.pk, today=TODAY).conflicts

    assert sorted((c.rule, c.feature_id) for c in conflicts.all) == [
        (ENDS_AFTER_RELEASE, late.pk), (OVER_CAPACITY, None)]
    assert set(conflicts.by_release) == {release_page.pk}


def test_the_release_page_of_another_workspace_is_not_found(viewer, theirs):
    with pytest.raises(Http404):
        selectors.release_overview(user=viewer, product=theirs.product, pk=theirs.release_id)


def fill(editor, product, release, workflow, count):
    statuses = [workflow[name] for name in ("Planned", "In development", "Shipped", "Won't do")]
    for i in range(count):
        feature = FeatureFactory(product=product, created_by=editor, title=f"F{i}", release=release,
                                 estimate=D(i % 5 + 1), status=statuses[i % 4],
                                 end_date=release.release_date - timedelta(days=i % 3))
        if i % 7 == 0:
            services.feature_update(actor=editor, feature=feature, status=workflow["Shipped"])
        if i % 9 == 0 and i:
            services.dependency_add(actor=editor, feature=feature, depends_on=Feature.objects.get(
                product=product, number=feature.number - 1))


def test_release_overview_queries_do_not_grow_with_features(editor, viewer, workspace, product, workflow):
    small = ReleaseFactory(product=product, created_by=editor, name="Small", start_date=TODAY - timedelta(days=30),
                           release_date=TODAY + timedelta(days=30), capacity=D(10))
    web = ProductFactory(workspace=workspace, key="WEB")
    large = ReleaseFactory(product=web, created_by=editor, name="Large", start_date=TODAY - timedelta(days=30),
                           release_date=TODAY + timedelta(days=30), capacity=D(10))
    fill(editor, product, small, workflow, 10)
    fill(editor, web, large, workflow, 200)

    def overview(product, release):
        user = type(viewer).objects.get(pk=viewer.pk)
        return lambda: selectors.release_overview(user=user, product=product, pk=release.pk, today=TODAY)

    few = count_queries(overview(product, small))
    many = count_queries(overview(web, large))
    assert many == few
    result = overview(web, large)()
    assert sum(len(rows) for rows in result.features_by_category.values()) == 200
    assert result.conflicts.all



def test_milestones_requirements_and_dependencies_of_another_workspace_are_not_listed(
        viewer, product, other_product):
    mine, theirs = FeatureFactory(product=product), FeatureFactory(product=other_product)
    MilestoneFactory(release=ReleaseFactory(product=product))
    MilestoneFactory(release=ReleaseFactory(product=other_product))
    RequirementFactory(feature=mine)
    RequirementFactory(feature=theirs)
    DependencyFactory(feature=mine, depends_on=FeatureFactory(product=product))
    DependencyFactory(feature=theirs, depends_on=FeatureFactory(product=other_product))

    assert {m.release.product_id for m in selectors.milestone_list(user=viewer)} == {product.pk}
    assert {r.feature_id for r in selectors.requirement_list(user=viewer)} == {mine.pk}
    assert {d.feature_id for d in selectors.dependency_list(user=viewer)} == {mine.pk}


def test_the_backlog_menus_choices_come_in_one_query_and_their_tags_with_the_plan(
        workspace, editor, viewer, product, other_product, django_assert_num_queries):
    later = ReleaseFactory(product=product, name="Summer", version_label="2.0", start_date=date(2030, 5, 1),
                           release_date=date(2030, 6, 1))
    sooner = ReleaseFactory(product=product, name="Spring", start_date=date(2030, 3, 1), release_date=date(2030, 4, 1))
    ReleaseFactory(product=ProductFactory(workspace=workspace), name="Elsewhere")
    ReleaseFactory(product=other_product, name="Another workspace")
    zeta, alpha = InitiativeFactory(product=product, name="Zeta"), InitiativeFactory(product=product, name="Alpha")
    FeatureFactory(product=product, tags=["mobile", "billing"])
    FeatureFactory(product=product, tags=["billing"])
    FeatureFactory(product=other_product, tags=["secret"])

    with django_assert_num_queries(1):
        choices = selectors.backlog_choices(user=editor, workspace=workspace, product=product)

    assert choices.releases == [(sooner.pk, "Spring"), (later.pk, "Summer 2.0")]
    assert choices.initiatives == [(alpha.pk, "Alpha"), (zeta.pk, "Zeta")]
    assert choices.members == [(u.pk, u.display_name) for u in sorted([editor, viewer],
                                                                       key=lambda u: (u.full_name, u.email))]
    assert selectors.plan_for(product_ids=[product.pk]).tags == ["billing", "mobile"]
    assert selectors.tags_in_use(product=product) == ["billing", "mobile"]
