"""Strategy reads: what each user may see, in which order, with what computed, and at a
query cost that does not grow with the data."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404

from strategy import metrics, selectors, services
from strategy.models import Competitor, Persona, Product

from ..conftest import count_queries
from ..factories import GoalFactory, KeyResultFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = date(2026, 3, 1)


@pytest.fixture
def line(workspace):
    return ProductFactory(workspace=workspace, kind=Product.Kind.LINE, name="Commerce", key="COM")


@pytest.fixture
def shop(workspace, line):
    return ProductFactory(workspace=workspace, parent=line, name="Storefront", key="SHOP")


@pytest.fixture
def foreign(other_workspace, other_product):
    """A full strategy in another workspace, written by its admin."""
    boss = other_workspace.memberships.get().user
    services.vision_save(actor=boss, product=other_product, statement="Secret vision")
    services.persona_create(actor=boss, product=other_product, name="Secret persona")
    competitor = services.competitor_create(actor=boss, product=other_product, name="Secret rival")
    criterion = services.criterion_create(actor=boss, product=other_product, name="Secret criterion")
    services.comparison_rate(actor=boss, product=other_product, ratings=[(criterion, competitor, 4)])
    goal = GoalFactory(workspace=other_workspace, created_by=boss, name="Secret goal", product=other_product,
                       end_date=date(2026, 5, 1))
    KeyResultFactory(goal=goal, created_by=boss)
    services.initiative_create(actor=boss, product=other_product, name="Secret initiative", goals=[goal])
    return other_product


# --- visibility -------------------------------------------------------------


def test_another_workspaces_strategy_never_appears(workspace, other_workspace, viewer, foreign):
    assert selectors.vision_get(user=viewer, product=foreign) is None
    assert selectors.vision_versions(user=viewer, product=foreign) == []
    assert list(selectors.persona_list(user=viewer, product=foreign)) == []
    assert list(selectors.competitor_list(user=viewer, product=foreign)) == []
    assert list(selectors.initiative_list(user=viewer, product=foreign)) == []
    assert selectors.goal_list(user=viewer, workspace=other_workspace) == []
    assert selectors.product_goal_list(user=viewer, product=foreign) == []
    assert list(selectors.goal_choices(user=viewer, product=foreign)) == []
    comparison = selectors.comparison_get(user=viewer, product=foreign)
    assert (comparison.criteria, [c.name for c in comparison.columns]) == ([], [foreign.name])
    assert selectors.strategy_overview(user=viewer, product=foreign).is_empty


def test_another_workspaces_records_are_not_found_by_id(workspace, other_workspace, viewer, foreign):
    boss = other_workspace.memberships.get().user
    goal = selectors.goal_list(user=boss, workspace=other_workspace)[0].goal
    persona = selectors.persona_list(user=boss, product=foreign).get()
    competitor = selectors.competitor_list(user=boss, product=foreign).get()
    initiative = selectors.initiative_list(user=boss, product=foreign).get()
    key_result = goal.key_results.get()

    with pytest.raises(Http404):
        selectors.goal_get(user=viewer, workspace=other_workspace, pk=goal.pk)
    with pytest.raises(Http404):
        selectors.persona_get(user=viewer, product=foreign, pk=persona.pk)
    with pytest.raises(Http404):
        selectors.competitor_get(user=viewer, product=foreign, pk=competitor.pk)
    with pytest.raises(Http404):
        selectors.initiative_get(user=viewer, product=foreign, pk=initiative.pk)
    with pytest.raises(Http404):
        selectors.key_result_get(user=viewer, goal=goal, pk=key_result.pk)


def test_members_of_the_other_workspace_see_their_own_strategy(other_workspace, foreign):
    boss = other_workspace.memberships.get().user
    overview = selectors.strategy_overview(user=boss, product=foreign)
    assert overview.vision.statement == "Secret vision"
    assert [p.name for p in overview.personas] == ["Secret persona"]
    assert [g.goal.name for g in overview.goals] == ["Secret goal"]


def test_people_without_a_workspace_see_nothing(workspace, editor, product):
    services.persona_create(actor=editor, product=product, name="Maya")
    GoalFactory(workspace=workspace, created_by=editor, end_date=date(2026, 5, 1))
    stranger = UserFactory()
    assert list(selectors.persona_list(user=stranger, product=product)) == []
    assert selectors.goal_list(user=stranger, workspace=workspace) == []


# --- personas and competitors -----------------------------------------------


def test_personas_of_the_products_line_are_shared_with_it(workspace, editor, viewer, line, shop):
    sibling = ProductFactory(workspace=workspace, parent=line, name="Mobile", key="MOBI")
    services.persona_create(actor=editor, product=line, name="Zoe the owner")
    services.persona_create(actor=editor, product=shop, name="Ben the buyer",
                            importance=Persona.Importance.SECONDARY)
    services.persona_create(actor=editor, product=shop, name="Ada the admin")
    services.persona_create(actor=editor, product=sibling, name="Sam the sibling's")

    personas = selectors.persona_list(user=viewer, product=shop)

    assert [(p.name, p.product.key) for p in personas] == [
        ("Ada the admin", "SHOP"), ("Zoe the owner", "COM"), ("Ben the buyer", "SHOP")]
    assert [p.name for p in selectors.persona_list(user=viewer, product=line)] == ["Zoe the owner"]


def test_competitors_are_listed_most_threatening_first(editor, viewer, product):
    for name, threat in [("Alpha", "low"), ("Bravo", "high"), ("Charlie", "medium"), ("Delta", "high"),
                         ("Echo", "low")]:
        services.competitor_create(actor=editor, product=product, name=name, threat=threat)

    competitors = selectors.competitor_list(user=viewer, product=product)

    assert [(c.name, c.threat) for c in competitors] == [
        ("Bravo", Competitor.Threat.HIGH), ("Delta", Competitor.Threat.HIGH), ("Charlie", Competitor.Threat.MEDIUM),
        ("Alpha", Competitor.Threat.LOW), ("Echo", Competitor.Threat.LOW)]


def test_the_comparison_puts_the_product_first_and_leaves_unrated_cells_empty(workspace, editor, viewer, product):
    setup = services.criterion_create(actor=editor, product=product, name="Ease of setup")
    price = services.criterion_create(actor=editor, product=product, name="Price")
    support = services.criterion_create(actor=editor, product=product, name="Support")
    low = services.competitor_create(actor=editor, product=product, name="Lowly", threat="low")
    high = services.competitor_create(actor=editor, product=product, name="Mighty", threat="high")
    services.comparison_rate(actor=editor, product=product, ratings=[
        (setup, None, 5), (price, None, 3), (support, None, 4),
        (setup, high, 4), (price, high, 5),
        (support, low, 0),
    ])
    # another product's ratings stay out of this grid
    other = ProductFactory(workspace=workspace)
    services.comparison_rate(actor=editor, product=other, ratings=[
        (services.criterion_create(actor=editor, product=other, name="Price"), None, 1)])

    comparison = selectors.comparison_get(user=viewer, product=product)

    assert [c.name for c in comparison.criteria] == ["Ease of setup", "Price", "Support"]
    assert [(col.name, col.competitor) for col in comparison.columns] == [
        (product.name, None), ("Mighty", high), ("Lowly", low)]
    assert [(criterion.name, scores) for criterion, scores in comparison.rows] == [
        ("Ease of setup", [5, 4, None]),
        ("Price", [3, 5, None]),
        ("Support", [4, None, 0]),
    ]
    assert [col.average for col in comparison.columns] == [4.0, 4.5, 0.0]


def test_a_column_without_ratings_has_no_average(editor, viewer, product):
    services.criterion_create(actor=editor, product=product, name="Price")
    services.competitor_create(actor=editor, product=product, name="Newcomer")
    comparison = selectors.comparison_get(user=viewer, product=product)
    assert [(col.scores, col.average) for col in comparison.columns] == [([None], None), ([None], None)]


def test_averages_round_to_one_decimal(editor, viewer, product):
    criteria = [services.criterion_create(actor=editor, product=product, name=f"C{n}") for n in range(3)]
    services.comparison_rate(actor=editor, product=product, ratings=[(c, None, s) for c, s in zip(criteria, [5, 4, 4])])
    assert selectors.comparison_get(user=viewer, product=product).columns[0].average == 4.3


# --- goals ------------------------------------------------------------------


def test_goals_come_with_their_health_and_key_result_progress(workspace, editor, viewer, product):
    # 1 Jan – 1 May 2026 is 120 days; on 1 March 59 days have passed: 49.2 % expected
    on_track = GoalFactory(workspace=workspace, created_by=editor, name="On track", end_date=date(2026, 5, 1))
    KeyResultFactory(goal=on_track, created_by=editor, current_value=D("60"), name="Up")
    KeyResultFactory(goal=on_track, created_by=editor, start_value=D("72"), target_value=D("60"), current_value=D("66"),
                     name="Down")
    at_risk = GoalFactory(workspace=workspace, created_by=editor, name="At risk", product=product,
                          end_date=date(2026, 5, 1))
    KeyResultFactory(goal=at_risk, created_by=editor, current_value=D("30"))
    GoalFactory(workspace=workspace, created_by=editor, name="Empty", end_date=date(2026, 5, 1))
    achieved = GoalFactory(workspace=workspace, created_by=editor, name="Done early", end_date=date(2026, 12, 31))
    KeyResultFactory(goal=achieved, created_by=editor, current_value=D("100"))

    views = {view.goal.name: view for view in selectors.goal_list(user=viewer, workspace=workspace, today=TODAY)}

    assert {name: view.health.status for name, view in views.items()} == {
        "On track": metrics.ON_TRACK, "At risk": metrics.AT_RISK, "Empty": metrics.NO_KEY_RESULTS,
        "Done early": metrics.ACHIEVED}
    assert (views["On track"].health.progress, views["On track"].health.expected) == (D("55.0"), D("49.2"))
    assert [(kr.name, progress) for kr, progress in views["On track"].key_results] == [
        ("Up", D("60.0")), ("Down", D("50.0"))]
    assert views["Empty"].key_results == []
    assert views["At risk"].goal.product == product


def test_goals_are_ordered_by_end_date_then_name(workspace, editor, viewer):
    GoalFactory(workspace=workspace, created_by=editor, name="Later", end_date=date(2026, 9, 1))
    GoalFactory(workspace=workspace, created_by=editor, name="Sooner B", end_date=date(2026, 4, 1))
    GoalFactory(workspace=workspace, created_by=editor, name="Sooner A", end_date=date(2026, 4, 1))
    names = [view.goal.name for view in selectors.goal_list(user=viewer, workspace=workspace, today=TODAY)]
    assert names == ["Sooner A", "Sooner B", "Later"]


def test_a_products_goals_include_its_lines_goals_but_not_company_wide_or_sibling_goals(
        workspace, editor, viewer, line, shop):
    sibling = ProductFactory(workspace=workspace, parent=line)
    GoalFactory(workspace=workspace, created_by=editor, name="Shop goal", product=shop, end_date=date(2026, 5, 1))
    GoalFactory(workspace=workspace, created_by=editor, name="Line goal", product=line, end_date=date(2026, 5, 1))
    GoalFactory(workspace=workspace, created_by=editor, name="Company goal", end_date=date(2026, 5, 1))
    GoalFactory(workspace=workspace, created_by=editor, name="Sibling goal", product=sibling, end_date=date(2026, 5, 1))

    names = {view.goal.name for view in selectors.product_goal_list(user=viewer, product=shop, today=TODAY)}

    assert names == {"Shop goal", "Line goal"}


def test_an_initiative_may_serve_its_products_its_lines_and_company_wide_goals(workspace, editor, viewer, line, shop):
    sibling = ProductFactory(workspace=workspace, parent=line)
    for name, product in [("Shop goal", shop), ("Line goal", line), ("Company goal", None), ("Sibling goal", sibling)]:
        GoalFactory(workspace=workspace, created_by=editor, name=name, product=product, end_date=date(2026, 5, 1))

    names = [g.name for g in selectors.goal_choices(user=viewer, product=shop)]

    assert names == ["Company goal", "Line goal", "Shop goal"]


def test_a_goal_is_read_with_its_check_ins_oldest_first(workspace, editor, viewer):
    goal = GoalFactory(workspace=workspace, created_by=editor, end_date=date(2026, 5, 1))
    key_result = KeyResultFactory(goal=goal, created_by=editor)
    services.key_result_check_in(actor=editor, key_result=key_result, value=D(20), note="First month")
    services.key_result_check_in(actor=editor, key_result=key_result, value=D(35))

    loaded = selectors.goal_get(user=viewer, workspace=workspace, pk=goal.pk)

    check_ins = list(loaded.key_results.all()[0].check_ins.all())
    assert [(c.value, c.author) for c in check_ins] == [(D(0), editor), (D(20), editor), (D(35), editor)]


def test_vision_versions_are_listed_newest_first_with_their_authors(editor, admin, viewer, product):
    services.vision_save(actor=editor, product=product, statement="One")
    services.vision_save(actor=admin, product=product, statement="Two")
    versions = selectors.vision_versions(user=viewer, product=product)
    assert [(v.statement, v.history_user) for v in versions] == [("Two", admin), ("One", editor)]


# --- the overview -----------------------------------------------------------


def populate(editor, workspace, line, shop, n, offset=0):
    """`n` goals of 3 key results each (on the product and its line), and `n` personas,
    competitors and initiatives serving those goals."""
    start = TODAY - timedelta(days=30)
    for i in range(offset, offset + n):
        goal = GoalFactory(workspace=workspace, created_by=editor, name=f"Goal {i}", product=line if i % 2 else shop,
                           start_date=start, end_date=start + timedelta(days=90 + i), owner=editor)
        for k in range(3):
            key_result = KeyResultFactory(goal=goal, created_by=editor, start_value=D(str(k)),
                                          target_value=D(str(100 + k)), name=f"KR {i}.{k}")
            services.key_result_check_in(actor=editor, key_result=key_result, value=D(10 * k + i))
        services.persona_create(actor=editor, product=line if i % 2 else shop, name=f"Persona {i}")
        services.competitor_create(actor=editor, product=shop, name=f"Rival {i}",
                                   threat=["low", "medium", "high"][i % 3])
        services.initiative_create(actor=editor, product=shop, name=f"Initiative {i}", goals=[goal],
                                   start_date=start, end_date=start + timedelta(days=60))


def test_the_overview_gathers_the_products_strategy(workspace, editor, viewer, line, shop):
    services.vision_save(actor=editor, product=shop, statement="Be the easiest shop")
    populate(editor, workspace, line, shop, 3)

    overview = selectors.strategy_overview(user=viewer, product=shop, today=TODAY)

    assert not overview.is_empty
    assert overview.vision.statement == "Be the easiest shop"
    assert len(overview.personas) == 3
    assert len(overview.goals) == 3
    assert all(len(view.key_results) == 3 for view in overview.goals)
    assert [len(i.goals.all()) for i in overview.initiatives] == [1, 1, 1]
    assert len(overview.competitors) == 3


def test_the_overview_lists_at_most_five_competitors(editor, viewer, product):
    for n in range(7):
        services.competitor_create(actor=editor, product=product, name=f"Rival {n}")
    assert len(selectors.strategy_overview(user=viewer, product=product).competitors) == 5


def test_an_empty_strategy_is_empty_even_with_a_blank_vision(editor, viewer, product):
    assert selectors.strategy_overview(user=viewer, product=product).is_empty
    services.vision_save(actor=editor, product=product, statement="   ")
    assert selectors.strategy_overview(user=viewer, product=product).is_empty


def test_the_overview_query_count_does_not_grow_with_the_strategy(workspace, editor, viewer, line, shop):
    services.vision_save(actor=editor, product=shop, statement="Be the easiest shop")

    def overview_queries():
        product = Product.objects.get(pk=shop.pk)  # fresh: no parent cached from the last call

        def read():
            overview = selectors.strategy_overview(user=viewer, product=product, today=TODAY)
            # what a page reads of it
            for view in overview.goals:
                _ = (view.goal.product, view.goal.owner, view.health.status_label, view.key_results)
            for initiative in overview.initiatives:
                _ = [g.name for g in initiative.goals.all()]
            for persona in overview.personas:
                _ = persona.product.name

        return count_queries(read)

    populate(editor, workspace, line, shop, 2)
    few = overview_queries()
    populate(editor, workspace, line, shop, 13, offset=2)
    many = overview_queries()

    assert len(selectors.strategy_overview(user=viewer, product=shop, today=TODAY).goals) == 15
    assert many == few
