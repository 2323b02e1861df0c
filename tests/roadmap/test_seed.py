from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from strategy import demo, demo_strategy, metrics, selectors
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

HISTORY_TRACKED = [Vision, Persona, Competitor, Goal, KeyResult, Initiative]


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
    call_command("seed_demo")
    return Workspace.objects.get(name=demo.WORKSPACE_NAME)


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
    demo_strategy.seed_strategy(workspace, today=later)
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


def test_every_demo_record_is_written_by_the_demo_admin(demo_workspace, dana):
    for model in HISTORY_TRACKED:
        authors = set(model.history.values_list("history_user__email", flat=True))
        assert authors == {demo.DEMO_EMAIL}, model.__name__
    assert set(CheckIn.objects.values_list("author__email", flat=True)) == {demo.DEMO_EMAIL}
