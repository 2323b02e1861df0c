from collections import Counter
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from releases import demo as releases_demo
from releases import metrics as release_metrics
from releases import selectors as release_selectors
from releases.models import (
    Comment,
    Dependency,
    Feature,
    Milestone,
    Notification,
    Release,
    Requirement,
    StatusCategory,
    WorkflowStatus,
)
from strategy import demo, metrics, selectors
from strategy.models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Goal,
    Initiative,
    Invitation,
    KeyResult,
    Membership,
    Persona,
    Product,
    Role,
    User,
    Vision,
    Workspace,
)

pytestmark = pytest.mark.django_db

HISTORY_TRACKED = [Vision, Persona, Competitor, Goal, KeyResult, Initiative, Release, Feature]


def rows(queryset, *fields):
    return sorted(queryset.values_list(*fields), key=repr)


def snapshot():
    return {
        "users": sorted(User.objects.values_list("email", "password")),
        "workspaces": sorted(Workspace.objects.values_list("slug", "updated_at")),
        "memberships": sorted(Membership.objects.values_list("user__email", "role", "updated_at")),
        "products": sorted(Product.objects.values_list("key", "version", "updated_at")),
        "invitations": Invitation.objects.count(),
        "visions": rows(Vision.objects, "product__key", "version", "statement", "updated_at"),
        "personas": rows(Persona.objects, "product__key", "name", "updated_at"),
        "competitors": rows(Competitor.objects, "product__key", "name", "threat", "updated_at"),
        "criteria": rows(ComparisonCriterion.objects, "product__key", "name", "position", "updated_at"),
        "ratings": rows(CompetitorRating.objects, "criterion__name", "competitor__name", "score", "updated_at"),
        "goals": rows(Goal.objects, "product__key", "name", "start_date", "end_date", "owner__email", "updated_at"),
        "key_results": rows(KeyResult.objects, "goal__name", "name", "position", "current_value", "updated_at"),
        "check_ins": rows(CheckIn.objects, "key_result__name", "value", "note", "created_at"),
        "initiatives": rows(Initiative.objects, "product__key", "name", "status", "updated_at"),
        "initiative_goals": rows(Initiative.goals.through.objects, "initiative__name", "goal__name"),
        "statuses": rows(WorkflowStatus.objects, "workspace__slug", "name", "position", "retired_at", "updated_at"),
        "releases": rows(Release.objects, "product__key", "name", "status", "start_date", "release_date", "capacity",
                         "version", "updated_at"),
        "milestones": rows(Milestone.objects, "release__name", "name", "date", "updated_at"),
        "features": rows(Feature.objects, "product__key", "number", "title", "status__name", "release__name",
                         "estimate", "rice_score", "assignee__email", "tags", "rank", "version", "updated_at"),
        "feature_goals": rows(Feature.goals.through.objects, "feature__title", "goal__name"),
        "requirements": rows(Requirement.objects, "feature__title", "text", "done", "position", "updated_at"),
        "dependencies": rows(Dependency.objects, "feature__title", "depends_on__title", "created_at"),
        "comments": rows(Comment.objects, "feature__title", "author__email", "body", "created_at"),
        "notifications": rows(Notification.objects, "recipient__email", "kind", "feature__title", "created_at",
                              "read_at"),
        "feature_history": rows(Feature.history, "id", "history_date", "status__name"),
        "history": {model.__name__: model.history.count() for model in HISTORY_TRACKED},
    }


def test_the_demo_workspace_looks_like_a_real_portfolio():
    call_command("seed_demo")
    workspace = Workspace.objects.get(name=demo.WORKSPACE_NAME)
    line = workspace.products.get(kind=Product.Kind.LINE)
    products_of_line = list(line.children.all())
    assert len(products_of_line) == 3
    assert len({p.stage for p in products_of_line}) == 3
    roles = set(workspace.memberships.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(email=demo.DEMO_EMAIL).check_password(demo.DEMO_PASSWORD)


def test_seeding_twice_changes_nothing():
    call_command("seed_demo")
    first = snapshot()
    assert first["goals"] and first["check_ins"] and first["ratings"]
    assert first["releases"] and first["features"] and first["dependencies"] and first["comments"]
    call_command("seed_demo")
    assert snapshot() == first


def test_seeding_again_fills_in_only_what_is_missing():
    call_command("seed_demo")
    Persona.objects.filter(name="Maya Chen").delete()
    KeyResult.objects.filter(name="Cart abandonment rate").delete()
    CompetitorRating.objects.filter(competitor__name="Stallhub", criterion__name="Price for small shops").delete()
    before = snapshot()

    call_command("seed_demo")

    after = snapshot()
    assert len(after["personas"]) == len(before["personas"]) + 1
    assert len(after["key_results"]) == len(before["key_results"]) + 1
    assert len(after["ratings"]) == len(before["ratings"]) + 1
    for unchanged in ["visions", "competitors", "criteria", "goals", "initiatives", "initiative_goals"]:
        assert after[unchanged] == before[unchanged], unchanged


# --- the demo strategy ------------------------------------------------------


@pytest.fixture
def demo_workspace():
    """The demo workspace with its strategy (without the releases, which take longer to seed)."""
    workspace = demo.seed_workspace()
    demo.seed_strategy(workspace)
    return workspace


@pytest.fixture
def demo_plan():
    """The demo's strategy and plan (without usage events and feedback, which have tests of
    their own and take longer to seed)."""
    workspace = demo.seed_workspace()
    demo.seed_strategy(workspace)
    releases_demo.seed_releases(workspace)
    return workspace


@pytest.fixture
def dana():
    return User.objects.get(email=demo.DEMO_EMAIL)


def test_every_demo_product_has_a_vision_in_markdown(demo_workspace):
    visions = Vision.objects.filter(workspace=demo_workspace)
    assert set(visions.values_list("product__key", flat=True)) == {"NWC", "SHOP", "MOB", "PAY", "INS"}
    for vision in visions:
        assert not vision.is_empty
        assert all(getattr(vision, name) for name in Vision.CONTENT_FIELDS)
    assert all("**" in v.statement for v in visions)


def test_personas_of_the_line_are_shared_by_its_products(demo_workspace, dana):
    assert 3 <= Persona.objects.filter(workspace=demo_workspace).count() <= 4
    mobile = demo_workspace.products.get(key="MOB")
    personas = selectors.persona_list(user=dana, product=mobile)
    assert {p.product.key for p in personas} == {"NWC", "MOB"}


def test_the_storefront_comparison_is_fully_rated(demo_workspace, dana):
    shop = demo_workspace.products.get(key="SHOP")
    assert selectors.competitor_list(user=dana, product=shop).count() == 4
    comparison = selectors.comparison_get(user=dana, product=shop)
    assert 5 <= len(comparison.criteria) <= 6
    assert comparison.columns[0].competitor is None
    assert len(comparison.columns) == 5
    assert all(score is not None for _criterion, scores in comparison.rows for score in scores)
    mobile = demo_workspace.products.get(key="MOB")
    assert selectors.competitor_list(user=dana, product=mobile).count() == 2


def test_demo_goals_show_every_kind_of_progress(demo_workspace, dana):
    views = selectors.goal_list(user=dana, workspace=demo_workspace)
    assert len(views) == 5
    assert sum(view.goal.product is None for view in views) == 2
    assert all(2 <= len(view.key_results) <= 3 for view in views)
    assert {view.health.status for view in views} >= {
        metrics.ON_TRACK, metrics.AT_RISK, metrics.OFF_TRACK, metrics.ACHIEVED}
    assert any(kr.direction == KeyResult.Direction.DOWN for view in views for kr, _p in view.key_results)
    assert all(view.goal.owner is not None for view in views)


def test_demo_goals_are_dated_relative_to_the_day_of_seeding():
    workspace = demo.seed_workspace()
    later = timezone.localdate() + timedelta(days=400)
    demo.seed_strategy(workspace, today=later)
    statuses = {view.health.status for view in selectors.goal_list(
        user=User.objects.get(email=demo.DEMO_EMAIL), workspace=workspace, today=later)}
    assert {metrics.ON_TRACK, metrics.AT_RISK, metrics.OFF_TRACK, metrics.ACHIEVED} <= statuses


def test_check_ins_spread_over_the_months_each_goal_has_run(demo_workspace):
    today = timezone.localdate()
    for key_result in KeyResult.objects.filter(workspace=demo_workspace).select_related("goal"):
        days = [timezone.localtime(c.created_at).date() for c in key_result.check_ins.all()]
        assert len(days) >= 3
        assert days == sorted(days)
        assert days[0] == key_result.goal.start_date
        assert days[-1] <= min(key_result.goal.end_date, today)
        assert len(set(days)) == len(days)
        assert key_result.check_ins.last().value == key_result.current_value
    assert (today - timezone.localtime(CheckIn.objects.earliest("created_at").created_at).date()).days > 180


def test_six_initiatives_serve_the_goals(demo_workspace, dana):
    initiatives = Initiative.objects.filter(workspace=demo_workspace).prefetch_related("goals")
    assert initiatives.count() == 6
    for initiative in initiatives:
        assert initiative.goals.exists()
        allowed = set(selectors.goal_choices(user=dana, product=initiative.product))
        assert set(initiative.goals.all()) <= allowed


def test_every_demo_record_is_written_by_the_demo_admin(demo_plan, dana):
    for model in HISTORY_TRACKED:
        authors = set(model.history.values_list("history_user__email", flat=True))
        assert authors == {demo.DEMO_EMAIL}, model.__name__
    # Check-ins measured by a metric a key result is bound to have no author.
    measured = CheckIn.objects.filter(author__isnull=True, key_result__binding__isnull=False)
    assert set(CheckIn.objects.exclude(pk__in=measured).values_list("author__email", flat=True)) == {demo.DEMO_EMAIL}
    members = set(demo_plan.memberships.values_list("user__email", flat=True))
    assert set(Comment.objects.values_list("author__email", flat=True)) <= members


# --- the demo releases ------------------------------------------------------

PLANNED_PRODUCTS = {"SHOP", "MOB", "PAY", "INS"}


def test_every_demo_product_plans_eight_releases_from_six_months_ago_to_nine_months_ahead(demo_plan):
    today = timezone.localdate()
    assert set(Release.objects.values_list("product__key", flat=True)) == PLANNED_PRODUCTS
    for key in PLANNED_PRODUCTS:
        releases = list(Release.objects.filter(product__key=key).order_by("start_date").prefetch_related("milestones"))
        assert len(releases) == 8
        assert 150 <= (today - releases[0].start_date).days <= 220
        assert 240 <= (releases[-1].release_date - today).days <= 300
        for release in releases:
            expected = (Release.Status.RELEASED if release.release_date < today
                        else Release.Status.IN_PROGRESS if release.start_date <= today else Release.Status.PLANNED)
            assert release.status == expected, release
            assert release.capacity and release.version_label and release.theme
            milestones = release.milestones.all()
            assert 2 <= len(milestones) <= 3
            assert all(release.start_date <= m.date <= release.release_date for m in milestones)
        assert [r.status for r in releases].count(Release.Status.IN_PROGRESS) == 1
        assert all(a.release_date < b.start_date for a, b in zip(releases, releases[1:]))


def test_the_demo_features_cover_the_whole_workflow(demo_plan):
    features = Feature.objects.filter(workspace=demo_plan)
    assert 140 <= features.count() <= 160
    assert set(features.values_list("status__name", flat=True)) == {
        name for name, _category in releases_demo.services.DEFAULT_WORKFLOW}
    assert features.filter(release=None).count() >= 15
    assert features.exclude(estimate=None).count() >= 130
    assert features.exclude(rice_score=None).count() >= 100
    assert features.exclude(initiative=None).count() >= 20
    assert Feature.goals.through.objects.filter(feature__workspace=demo_plan).exists()
    tags = Counter(tag for tags in features.values_list("tags", flat=True) for tag in tags)
    assert {"checkout", "mobile", "performance", "payments", "onboarding"} <= set(tags)
    members = set(demo_plan.memberships.values_list("user_id", flat=True))
    assignees = set(features.exclude(assignee=None).values_list("assignee_id", flat=True))
    assert assignees <= members and len(assignees) >= 4
    requirement_counts = Counter(Requirement.objects.values_list("feature_id", flat=True))
    assert sum(2 <= n <= 4 for n in requirement_counts.values()) >= 60
    assert 18 <= Dependency.objects.count() <= 30
    assert 5 <= Comment.objects.count() <= 15
    # The only @mentions are of the demo admin, for its inbox (seeding marks them told: no email).
    mentioned = {email for body in Comment.objects.values_list("body", flat=True)
                 for email in releases_demo.services.MENTION.findall(body)}
    assert mentioned == {"demo"}


def test_past_releases_are_shipped_the_current_ones_mixed_and_later_ones_not_started(demo_plan):
    categories = {status: set() for status in Release.Status.values}
    unfinished_in_released = 0
    for release_status, category in Feature.objects.exclude(release=None).values_list(
            "release__status", "status__category"):
        categories[release_status].add(category)
        if release_status == Release.Status.RELEASED and category not in (StatusCategory.DONE,
                                                                          StatusCategory.WONT_DO):
            unfinished_in_released += 1
    assert unfinished_in_released == 1
    assert categories[Release.Status.IN_PROGRESS] >= {StatusCategory.DONE, StatusCategory.IN_PROGRESS}
    assert categories[Release.Status.PLANNED] <= {StatusCategory.NOT_STARTED, StatusCategory.IN_PROGRESS}


def test_the_demo_plan_shows_each_kind_of_conflict_once(demo_plan):
    found = [conflict for product in demo_plan.products.all()
             for conflict in release_selectors.conflicts_for(product=product)]
    assert sorted(c.rule for c in found) == sorted([
        release_metrics.ENDS_AFTER_RELEASE, release_metrics.ENDS_BEFORE_DEPENDENCY,
        release_metrics.OVER_CAPACITY, release_metrics.UNFINISHED_IN_RELEASED])


def test_demo_dependencies_never_form_a_cycle(demo_plan):
    edges = {}
    for feature_id, depends_on_id in Dependency.objects.values_list("feature_id", "depends_on_id"):
        edges.setdefault(feature_id, []).append(depends_on_id)

    def reaches(start, goal, seen):
        return any(nxt == goal or (nxt not in seen and not seen.add(nxt) and reaches(nxt, goal, seen))
                   for nxt in edges.get(start, ()))

    assert not any(reaches(node, node, set()) for node in edges)


def test_the_burn_up_of_a_demo_release_rises_over_the_weeks_it_ran(demo_plan, dana):
    today = timezone.localdate()
    for release in Release.objects.exclude(status=Release.Status.PLANNED).select_related("product"):
        overview = release_selectors.release_overview(user=dana, product=release.product, pk=release.pk)
        series = overview.burn_up
        assert series[0][0] == release.start_date
        assert series[-1][0] == min(release.release_date, today)
        assert series[0][1] == 0, release
        assert series[-1][1] > 0, release
        assert series[-1][1] == overview.progress.estimate_done, release
        assert [done for _day, done, _scope in series] == sorted(done for _day, done, _scope in series)


def test_demo_releases_are_dated_relative_to_the_day_of_seeding():
    workspace = demo.seed_workspace()
    later = timezone.localdate() + timedelta(days=400)
    demo.seed_strategy(workspace, today=later)
    releases_demo.seed_releases(workspace, today=later)
    current = Release.objects.filter(status=Release.Status.IN_PROGRESS)
    assert current.count() == 4
    assert all(r.start_date <= later <= r.release_date for r in current)
    assert not Release.objects.filter(status=Release.Status.RELEASED, release_date__gte=later).exists()


def test_a_product_with_releases_or_features_of_its_own_is_left_alone():
    workspace = demo.seed_workspace()
    dana = User.objects.get(email=demo.DEMO_EMAIL)
    shop, mobile = workspace.products.get(key="SHOP"), workspace.products.get(key="MOB")
    releases_demo.services.release_create(actor=dana, product=shop, name="Ours", start_date=timezone.localdate(),
                                          release_date=timezone.localdate())
    releases_demo.services.feature_create(actor=dana, product=mobile, title="Ours")

    releases_demo.seed_releases(workspace)

    assert list(Release.objects.filter(product=shop).values_list("name", flat=True)) == ["Ours"]
    assert list(Feature.objects.filter(product=mobile).values_list("title", flat=True)) == ["Ours"]
    assert set(Release.objects.values_list("product__key", flat=True)) == {"SHOP", "PAY", "INS"}


def test_the_demo_admin_finds_teammates_notifications_in_the_inbox_and_nobody_is_emailed(demo_plan, dana):
    from releases.models import Mention

    inbox = Notification.objects.filter(workspace=demo_plan, recipient=dana)
    assert set(inbox.values_list("kind", flat=True)) == {"mention", "assigned", "status"}
    assert inbox.filter(read_at__isnull=True).exists() and inbox.filter(read_at__isnull=False).exists()
    # The newest are the unread mentions the dashboard shows.
    assert inbox.filter(kind="mention", read_at__isnull=True).count() == 3
    assert not inbox.filter(actor=dana).exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    # Marked as told: the emails queued while seeding find nothing to send.
    assert not Mention.objects.filter(emailed_at__isnull=True).exists()


def test_the_demo_takes_its_upcoming_releases_to_market(demo_plan):
    from releases.models import LaunchTodo, ReleaseMessaging, ReleaseNote, ReleasePhase

    today = timezone.localdate()
    upcoming = Release.objects.filter(product__workspace=demo_plan, release_date__gte=today).exclude(
        status__in=[Release.Status.RELEASED, Release.Status.CANCELLED])
    assert ReleasePhase.objects.filter(release__in=upcoming).values("release").distinct().count() >= 4
    todos = LaunchTodo.objects.filter(release__in=upcoming)
    assert todos.filter(template_item__isnull=False).count() == todos.count() > 0
    assert todos.filter(state=LaunchTodo.State.DONE).exists()
    overdue = todos.filter(state=LaunchTodo.State.OPEN, due_date__lt=today)
    assert overdue.count() == 1
    assert ReleaseMessaging.objects.filter(release__in=upcoming).exclude(key_messages="").exists()
    assert ReleaseMessaging.objects.filter(release__in=upcoming, personas__isnull=False).exists()
    [note] = ReleaseNote.objects.filter(release__product__workspace=demo_plan, published_at__isnull=False)
    assert note.release.status == Release.Status.RELEASED and "###" in note.body
    # Demo phases never end after their release date: the demo's conflicts are the planned ones.
    late = [c for c in release_selectors.plan_for(product_ids=list(upcoming.values_list("product_id", flat=True)))
            .conflicts.all if c.rule == release_metrics.PHASE_AFTER_RELEASE]
    assert late == []
