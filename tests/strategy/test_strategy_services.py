"""Strategy services against the real database: what they write, who may write it, and
which field a refusal names."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from strategy import services
from strategy.models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Goal,
    Initiative,
    KeyResult,
    Persona,
    Role,
    Vision,
)

from ..factories import GoalFactory, KeyResultFactory, MembershipFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
JAN_1 = date(2026, 1, 1)
JUN_30 = date(2026, 6, 30)


def field_errors(exc_info) -> dict:
    return exc_info.value.message_dict


# --- vision -----------------------------------------------------------------


def test_saving_a_vision_for_the_first_time_creates_version_1(editor, product):
    vision = services.vision_save(actor=editor, product=product, statement="  Be the **easiest** shop.  ",
                                  target_market="Independent retailers")
    vision.refresh_from_db()
    assert vision.statement == "Be the **easiest** shop."
    assert vision.target_market == "Independent retailers"
    assert vision.version == 1
    assert (vision.workspace_id, vision.created_by) == (product.workspace_id, editor)
    assert vision.history.count() == 1


def test_every_save_of_a_vision_is_kept_as_a_version(editor, product):
    for version, text in enumerate(["First", "Second", "Third"]):
        services.vision_save(actor=editor, product=product, version=version or None, statement=text)

    vision = Vision.objects.get(product=product)
    assert vision.version == 3
    assert [v.statement for v in vision.history.order_by("history_date")] == ["First", "Second", "Third"]
    assert [v.version for v in vision.history.order_by("history_date")] == [1, 2, 3]


def test_a_vision_saved_from_a_stale_version_is_refused_naming_who_saved_the_newer_one(workspace, editor, product):
    colleague = MembershipFactory(workspace=workspace, role=Role.EDITOR, user__full_name="Ada Colleague").user
    services.vision_save(actor=editor, product=product, statement="Ours")
    services.vision_save(actor=colleague, product=product, version=1, statement="Theirs")

    with pytest.raises(ValidationError) as exc:
        services.vision_save(actor=editor, product=product, version=1, statement="Mine")

    assert exc.value.code == "stale"
    assert "Ada Colleague" in exc.value.messages[0]
    vision = Vision.objects.get(product=product)
    assert (vision.statement, vision.version, vision.history.count()) == ("Theirs", 2, 2)


def test_a_save_without_a_version_is_not_checked_for_staleness(editor, product):
    services.vision_save(actor=editor, product=product, statement="One")
    services.vision_save(actor=editor, product=product, statement="Two")
    assert Vision.objects.get(product=product).version == 2


def test_restoring_a_version_brings_back_its_text_as_a_new_version_and_keeps_all_versions(editor, product):
    services.vision_save(actor=editor, product=product, statement="Original", differentiators="Speed")
    services.vision_save(actor=editor, product=product, version=1, statement="Rewrite", differentiators="")
    original = Vision.objects.get(product=product).history.get(version=1)

    vision = services.vision_restore(actor=editor, product=product, history_id=original.history_id)

    vision.refresh_from_db()
    assert (vision.statement, vision.differentiators, vision.version) == ("Original", "Speed", 3)
    assert [v.statement for v in vision.history.order_by("history_date")] == ["Original", "Rewrite", "Original"]


def test_a_version_of_another_products_vision_cannot_be_restored(workspace, editor, product):
    other = ProductFactory(workspace=workspace)
    services.vision_save(actor=editor, product=product, statement="Ours")
    services.vision_save(actor=editor, product=other, statement="Theirs")
    foreign = Vision.objects.get(product=other).history.get()

    with pytest.raises(ValidationError):
        services.vision_restore(actor=editor, product=product, history_id=foreign.history_id)

    assert Vision.objects.get(product=product).statement == "Ours"


def test_restoring_onto_a_product_without_a_vision_is_refused_as_bad_input(workspace, editor, product):
    other = ProductFactory(workspace=workspace)
    services.vision_save(actor=editor, product=other, statement="Theirs")
    foreign = Vision.objects.get(product=other).history.get()

    with pytest.raises(ValidationError):
        services.vision_restore(actor=editor, product=product, history_id=foreign.history_id)


def test_viewers_cannot_save_or_restore_a_vision(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.vision_save(actor=viewer, product=product, statement="Mine")
    assert not Vision.objects.exists()

    services.vision_save(actor=editor, product=product, statement="Ours")
    first = Vision.objects.get().history.get()
    services.vision_save(actor=editor, product=product, statement="Newer")
    with pytest.raises(PermissionDenied):
        services.vision_restore(actor=viewer, product=product, history_id=first.history_id)
    assert Vision.objects.get().statement == "Newer"


def test_people_outside_the_workspace_cannot_write_its_vision(product, other_workspace):
    outsider = other_workspace.memberships.get().user
    with pytest.raises(PermissionDenied):
        services.vision_save(actor=outsider, product=product, statement="Hijack")
    assert not Vision.objects.exists()


def test_unknown_vision_fields_are_refused(editor, product):
    with pytest.raises(ValidationError) as exc:
        services.vision_save(actor=editor, product=product, statement="Ok", product_id=999)
    assert "product_id" in field_errors(exc)
    assert not Vision.objects.exists()


# --- personas ---------------------------------------------------------------


def test_editors_create_personas_in_their_products_workspace(editor, product):
    persona = services.persona_create(actor=editor, product=product, name=" Maya Chen ", role="Shop owner",
                                      colour="#22c55e", importance=Persona.Importance.SECONDARY)
    persona.refresh_from_db()
    assert (persona.name, persona.role, persona.colour, persona.importance) == (
        "Maya Chen", "Shop owner", "#22c55e", Persona.Importance.SECONDARY)
    assert (persona.product, persona.workspace_id, persona.created_by) == (product, product.workspace_id, editor)


def test_editors_update_and_delete_personas(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Maya")
    services.persona_update(actor=editor, persona=persona, pains="Slow checkout", quote="I just want it to work.")
    persona.refresh_from_db()
    assert (persona.pains, persona.quote) == ("Slow checkout", "I just want it to work.")

    services.persona_delete(actor=editor, persona=persona)
    assert not Persona.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"name": "Maya", "colour": "green"}, "colour", id="colour-word"),
        pytest.param({"name": "Maya", "colour": "#12345"}, "colour", id="colour-too-short"),
        pytest.param({"name": "Maya", "colour": "#12345g"}, "colour", id="colour-not-hex"),
        pytest.param({"name": "  "}, "name", id="blank-name"),
        pytest.param({"name": "Maya", "importance": "vital"}, "importance", id="unknown-importance"),
        pytest.param({"name": "Maya", "workspace_id": 1}, "workspace_id", id="unknown-field"),
    ],
)
def test_bad_persona_input_is_refused_by_field(editor, product, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.persona_create(actor=editor, product=product, **fields)
    assert field in field_errors(exc)
    assert not Persona.objects.exists()


def test_a_bad_colour_on_update_changes_nothing(editor, product):
    persona = services.persona_create(actor=editor, product=product, name="Maya", colour="#111111")
    with pytest.raises(ValidationError) as exc:
        services.persona_update(actor=editor, persona=persona, name="Renamed", colour="red")
    assert "colour" in field_errors(exc)
    persona.refresh_from_db()
    assert (persona.name, persona.colour) == ("Maya", "#111111")


def test_viewers_cannot_create_change_or_delete_personas(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.persona_create(actor=viewer, product=product, name="Maya")
    assert not Persona.objects.exists()

    persona = services.persona_create(actor=editor, product=product, name="Maya")
    with pytest.raises(PermissionDenied):
        services.persona_update(actor=viewer, persona=persona, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.persona_delete(actor=viewer, persona=persona)
    persona.refresh_from_db()
    assert persona.name == "Maya"


# --- competitors ------------------------------------------------------------


def test_editors_create_update_and_delete_competitors(editor, product):
    competitor = services.competitor_create(
        actor=editor, product=product, name="Shopwave", website="https://shopwave.example",
        threat=Competitor.Threat.HIGH)
    assert (competitor.workspace_id, competitor.created_by) == (product.workspace_id, editor)

    services.competitor_update(actor=editor, competitor=competitor, strengths="Huge app store",
                               threat=Competitor.Threat.LOW)
    competitor.refresh_from_db()
    assert (competitor.strengths, competitor.threat) == ("Huge app store", Competitor.Threat.LOW)

    services.competitor_delete(actor=editor, competitor=competitor)
    assert not Competitor.objects.exists()


@pytest.mark.parametrize("duplicate", ["Shopwave", "shopwave", "SHOPWAVE", "  ShopWave "])
def test_a_competitor_listed_twice_in_any_case_is_refused(editor, product, duplicate):
    services.competitor_create(actor=editor, product=product, name="Shopwave")
    with pytest.raises(ValidationError) as exc:
        services.competitor_create(actor=editor, product=product, name=duplicate)
    assert "name" in field_errors(exc)
    assert Competitor.objects.count() == 1


def test_renaming_a_competitor_to_another_ones_name_is_refused(editor, product):
    services.competitor_create(actor=editor, product=product, name="Shopwave")
    other = services.competitor_create(actor=editor, product=product, name="CartCraft")
    with pytest.raises(ValidationError) as exc:
        services.competitor_update(actor=editor, competitor=other, name="SHOPWAVE")
    assert "name" in field_errors(exc)
    other.refresh_from_db()
    assert other.name == "CartCraft"


def test_a_competitor_keeps_its_own_name_and_may_change_its_case(editor, product):
    competitor = services.competitor_create(actor=editor, product=product, name="Shopwave")
    services.competitor_update(actor=editor, competitor=competitor, name="ShopWave", positioning="Cheap")
    competitor.refresh_from_db()
    assert (competitor.name, competitor.positioning) == ("ShopWave", "Cheap")


def test_the_same_competitor_may_be_listed_for_another_product(workspace, editor, product):
    services.competitor_create(actor=editor, product=product, name="Shopwave")
    services.competitor_create(actor=editor, product=ProductFactory(workspace=workspace), name="shopwave")
    assert Competitor.objects.count() == 2


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"name": "X", "website": "not a url"}, "website", id="website"),
        pytest.param({"name": "X", "threat": "extreme"}, "threat", id="threat"),
        pytest.param({"name": ""}, "name", id="blank-name"),
    ],
)
def test_bad_competitor_input_is_refused_by_field(editor, product, fields, field):
    with pytest.raises(ValidationError) as exc:
        services.competitor_create(actor=editor, product=product, **fields)
    assert field in field_errors(exc)
    assert not Competitor.objects.exists()


def test_viewers_cannot_create_change_or_delete_competitors(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.competitor_create(actor=viewer, product=product, name="Shopwave")
    assert not Competitor.objects.exists()

    competitor = services.competitor_create(actor=editor, product=product, name="Shopwave")
    with pytest.raises(PermissionDenied):
        services.competitor_update(actor=viewer, competitor=competitor, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.competitor_delete(actor=viewer, competitor=competitor)
    competitor.refresh_from_db()
    assert competitor.name == "Shopwave"


# --- the comparison ---------------------------------------------------------


@pytest.fixture
def grid(editor, product):
    """Two criteria and two competitors of `product`, nothing rated yet."""
    setup = services.criterion_create(actor=editor, product=product, name="Ease of setup")
    price = services.criterion_create(actor=editor, product=product, name="Price")
    wave = services.competitor_create(actor=editor, product=product, name="Shopwave")
    craft = services.competitor_create(actor=editor, product=product, name="CartCraft")
    return setup, price, wave, craft


def test_criteria_are_added_in_order_and_named_once_in_any_case(editor, product):
    first = services.criterion_create(actor=editor, product=product, name=" Ease of setup ")
    second = services.criterion_create(actor=editor, product=product, name="Price")
    assert (first.name, first.position, second.position) == ("Ease of setup", 1, 2)
    assert (first.workspace_id, first.created_by) == (product.workspace_id, editor)

    with pytest.raises(ValidationError) as exc:
        services.criterion_create(actor=editor, product=product, name="EASE OF SETUP")
    assert "name" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.criterion_create(actor=editor, product=product, name="   ")
    assert "name" in field_errors(exc)
    assert ComparisonCriterion.objects.count() == 2


def test_viewers_cannot_add_or_delete_criteria(editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.criterion_create(actor=viewer, product=product, name="Price")
    criterion = services.criterion_create(actor=editor, product=product, name="Price")
    with pytest.raises(PermissionDenied):
        services.criterion_delete(actor=viewer, criterion=criterion)
    assert ComparisonCriterion.objects.count() == 1


def test_rating_fills_cells_for_competitors_and_the_product_itself(editor, product, grid):
    setup, price, wave, craft = grid
    written = services.comparison_rate(actor=editor, product=product, ratings=[
        (setup, None, 5), (setup, wave, 3), (price, craft, 0)])

    assert written == 3
    cells = {(r.criterion_id, r.competitor_id): r.score for r in CompetitorRating.objects.all()}
    assert cells == {(setup.pk, None): 5, (setup.pk, wave.pk): 3, (price.pk, craft.pk): 0}
    assert set(CompetitorRating.objects.values_list("workspace_id", flat=True)) == {product.workspace_id}


def test_rating_a_cell_again_replaces_it_and_none_clears_it(editor, product, grid):
    setup, price, wave, _craft = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(setup, None, 2), (price, wave, 4)])

    written = services.comparison_rate(actor=editor, product=product, ratings=[(setup, None, 4), (price, wave, None)])

    assert written == 1
    assert list(CompetitorRating.objects.values_list("criterion_id", "competitor_id", "score")) == [
        (setup.pk, None, 4)]


@pytest.mark.parametrize("bad_score", [6, -1, 100])
def test_a_rating_out_of_range_writes_nothing_at_all(editor, product, grid, bad_score):
    setup, price, wave, craft = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(setup, wave, 1)])

    with pytest.raises(ValidationError) as exc:
        services.comparison_rate(actor=editor, product=product, ratings=[
            (setup, None, 4), (setup, wave, 5), (price, wave, bad_score), (price, craft, 2)])

    assert "score" in field_errors(exc)
    assert list(CompetitorRating.objects.values_list("criterion_id", "competitor_id", "score")) == [
        (setup.pk, wave.pk, 1)]


def test_a_rating_for_another_products_criterion_or_competitor_writes_nothing(workspace, editor, product, grid):
    setup, _price, wave, _craft = grid
    other = ProductFactory(workspace=workspace)
    foreign_criterion = services.criterion_create(actor=editor, product=other, name="Support")
    foreign_competitor = services.competitor_create(actor=editor, product=other, name="Elsewhere")

    for bad_cell in [(foreign_criterion, wave, 3), (foreign_criterion, None, 3), (setup, foreign_competitor, 3)]:
        with pytest.raises(ValidationError):
            services.comparison_rate(actor=editor, product=product, ratings=[(setup, None, 4), bad_cell])

    assert not CompetitorRating.objects.exists()


def test_viewers_cannot_rate(viewer, product, grid):
    setup, _price, wave, _craft = grid
    with pytest.raises(PermissionDenied):
        services.comparison_rate(actor=viewer, product=product, ratings=[(setup, wave, 3)])
    assert not CompetitorRating.objects.exists()


def test_deleting_a_criterion_deletes_its_ratings(editor, product, grid):
    setup, price, wave, _craft = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(setup, wave, 3), (price, wave, 2)])
    services.criterion_delete(actor=editor, criterion=setup)
    assert list(CompetitorRating.objects.values_list("criterion_id", flat=True)) == [price.pk]


def test_deleting_a_competitor_deletes_its_ratings(editor, product, grid):
    setup, _price, wave, _craft = grid
    services.comparison_rate(actor=editor, product=product, ratings=[(setup, wave, 3), (setup, None, 2)])
    services.competitor_delete(actor=editor, competitor=wave)
    assert list(CompetitorRating.objects.values_list("competitor_id", flat=True)) == [None]


# --- goals ------------------------------------------------------------------


def test_editors_create_company_wide_and_product_goals(workspace, editor, admin, product):
    company = services.goal_create(actor=editor, workspace=workspace, name=" Grow revenue ", start_date=JAN_1,
                                   end_date=JUN_30, owner=admin, description="Across all products")
    product_goal = services.goal_create(actor=editor, workspace=workspace, name="Lift conversion", start_date=JAN_1,
                                        end_date=JUN_30, product=product)

    company.refresh_from_db()
    assert (company.name, company.product, company.owner, company.created_by) == (
        "Grow revenue", None, admin, editor)
    assert (company.start_date, company.end_date) == (JAN_1, JUN_30)
    assert product_goal.product == product
    assert Goal.objects.count() == 2


def test_a_goal_ending_before_it_starts_is_refused_by_end_date(workspace, editor):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=editor, workspace=workspace, name="Grow revenue", start_date=JUN_30,
                             end_date=JAN_1)
    assert "end_date" in field_errors(exc)
    assert not Goal.objects.exists()


def test_a_goal_may_start_and_end_on_the_same_day(workspace, editor):
    goal = services.goal_create(actor=editor, workspace=workspace, name="Grow revenue", start_date=JAN_1,
                                end_date=JAN_1)
    assert goal.pk


def test_a_goal_owner_must_be_a_member_of_the_workspace(workspace, other_workspace, editor):
    for stranger in (UserFactory(), other_workspace.memberships.get().user):
        with pytest.raises(ValidationError) as exc:
            services.goal_create(actor=editor, workspace=workspace, name="Grow revenue", start_date=JAN_1,
                                 end_date=JUN_30, owner=stranger)
        assert "owner" in field_errors(exc)
    assert not Goal.objects.exists()


def test_a_goal_cannot_belong_to_another_workspaces_product(workspace, editor, other_product):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=editor, workspace=workspace, name="Grow revenue", start_date=JAN_1,
                             end_date=JUN_30, product=other_product)
    assert "product" in field_errors(exc)
    assert not Goal.objects.exists()


def test_all_goal_problems_are_reported_at_once(workspace, editor):
    with pytest.raises(ValidationError) as exc:
        services.goal_create(actor=editor, workspace=workspace, name="", owner=UserFactory(), start_date=JUN_30,
                             end_date=JAN_1)
    assert {"name", "owner", "end_date"} <= set(field_errors(exc))


def test_editors_update_goals_and_bad_updates_change_nothing(workspace, editor, admin):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    services.goal_update(actor=editor, goal=goal, name="Grow revenue 20%", owner=admin)
    goal.refresh_from_db()
    assert (goal.name, goal.owner) == ("Grow revenue 20%", admin)

    with pytest.raises(ValidationError) as exc:
        services.goal_update(actor=editor, goal=goal, name="Oops", end_date=date(2025, 1, 1))
    assert "end_date" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.goal_update(actor=editor, goal=goal, owner=UserFactory())
    assert "owner" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.goal_update(actor=editor, goal=goal, workspace_id=999)
    assert "workspace_id" in field_errors(exc)
    goal.refresh_from_db()
    assert (goal.name, goal.owner, goal.end_date, goal.workspace_id) == (
        "Grow revenue 20%", admin, JUN_30, workspace.pk)


def test_viewers_cannot_create_change_or_delete_goals(workspace, editor, viewer):
    with pytest.raises(PermissionDenied):
        services.goal_create(actor=viewer, workspace=workspace, name="Grow revenue", start_date=JAN_1,
                             end_date=JUN_30)
    assert not Goal.objects.exists()

    goal = GoalFactory(workspace=workspace, created_by=editor, name="Grow revenue")
    with pytest.raises(PermissionDenied):
        services.goal_update(actor=viewer, goal=goal, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.goal_delete(actor=viewer, goal=goal)
    goal.refresh_from_db()
    assert goal.name == "Grow revenue"


def test_deleting_a_goal_deletes_its_key_results_and_check_ins_and_unlinks_initiatives(
        workspace, editor, product):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    kept = GoalFactory(workspace=workspace, created_by=editor, name="Keep me")
    key_result = KeyResultFactory(goal=goal, created_by=editor, start_value=D(100), target_value=D(200))
    services.key_result_check_in(actor=editor, key_result=key_result, value=D(150))
    KeyResultFactory(goal=kept, created_by=editor, name="Other metric")
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout", goals=[goal, kept])

    services.goal_delete(actor=editor, goal=goal)

    assert list(Goal.objects.all()) == [kept]
    assert list(KeyResult.objects.values_list("name", flat=True)) == ["Other metric"]
    assert list(CheckIn.objects.values_list("key_result__goal", flat=True)) == [kept.pk]
    assert list(Initiative.objects.get(pk=initiative.pk).goals.all()) == [kept]


def test_deleting_a_goal_names_its_author_in_the_history_of_its_key_results(workspace, editor, admin):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    key_result = KeyResultFactory(goal=goal, created_by=editor)

    services.goal_delete(actor=admin, goal=goal)

    deleted = KeyResult.history.get(id=key_result.pk, history_type="-")
    assert deleted.history_user == admin


def test_deleting_a_goal_shows_in_each_initiatives_history_that_it_no_longer_serves_it(
        workspace, editor, admin, product):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout", goals=[goal])

    services.goal_delete(actor=admin, goal=goal)

    latest = initiative.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == admin
    assert list(latest.goals.all()) == []


# --- key results and check-ins ----------------------------------------------


@pytest.mark.parametrize(
    ("start", "target", "direction"),
    [
        pytest.param("100", "200", KeyResult.Direction.UP, id="target-above-start-increases"),
        pytest.param("72", "60", KeyResult.Direction.DOWN, id="target-below-start-decreases"),
        pytest.param("-5", "0", KeyResult.Direction.UP, id="negative-start"),
    ],
)
def test_a_key_results_direction_follows_from_start_and_target(workspace, editor, start, target, direction):
    key_result = services.key_result_create(actor=editor, goal=GoalFactory(workspace=workspace, created_by=editor),
                                            name="Weekly active shops", start_value=D(start), target_value=D(target))
    key_result.refresh_from_db()
    assert key_result.direction == direction


def test_a_new_key_result_starts_at_its_start_value_with_a_first_check_in(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    key_result = services.key_result_create(actor=editor, goal=goal, name="Weekly active shops", start_value=D(100),
                                            target_value=D(200), unit="shops")

    key_result.refresh_from_db()
    assert (key_result.current_value, key_result.unit, key_result.position) == (D(100), "shops", 1)
    assert (key_result.workspace_id, key_result.created_by) == (workspace.pk, editor)
    check_in = key_result.check_ins.get()
    assert (check_in.value, check_in.author, check_in.note) == (D(100), editor, "Starting value")


def test_a_key_result_created_part_way_starts_at_the_given_current_value(workspace, editor):
    key_result = services.key_result_create(actor=editor, goal=GoalFactory(workspace=workspace, created_by=editor),
                                            name="Weekly active shops", start_value=D(100), target_value=D(200),
                                            current_value=D("125.5"))
    key_result.refresh_from_db()
    assert key_result.current_value == D("125.5")
    assert list(key_result.check_ins.values_list("value", flat=True)) == [D("125.5")]


def test_key_results_are_numbered_in_the_order_they_are_added(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    positions = [services.key_result_create(actor=editor, goal=goal, name=f"Metric {i}", start_value=D(100),
                                            target_value=D(200)).position for i in range(3)]
    assert positions == [1, 2, 3]


def test_a_key_result_added_after_a_deletion_gets_a_position_of_its_own(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    first, _second, _third = KeyResultFactory.create_batch(3, goal=goal, created_by=editor)
    services.key_result_delete(actor=editor, key_result=first)

    services.key_result_create(actor=editor, goal=goal, name="Metric 4", start_value=D(100), target_value=D(200))

    positions = list(goal.key_results.values_list("position", flat=True))
    assert len(set(positions)) == len(positions)


def test_a_target_equal_to_the_start_is_refused_by_target_value(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    with pytest.raises(ValidationError) as exc:
        services.key_result_create(actor=editor, goal=goal, name="Weekly active shops", start_value=D("50"),
                                   target_value=D("50.00"))
    assert "target_value" in field_errors(exc)
    assert not KeyResult.objects.exists()
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize(
    ("start", "target", "direction"),
    [
        pytest.param("100", "200", KeyResult.Direction.DOWN, id="decrease-with-a-higher-target"),
        pytest.param("72", "60", KeyResult.Direction.UP, id="increase-with-a-lower-target"),
    ],
)
def test_a_direction_that_contradicts_start_and_target_is_refused_by_direction(
        workspace, editor, start, target, direction):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    with pytest.raises(ValidationError) as exc:
        services.key_result_create(actor=editor, goal=goal, name="Weekly active shops", start_value=D(start),
                                   target_value=D(target), direction=direction)
    assert "direction" in field_errors(exc)
    assert not KeyResult.objects.exists()


def test_editors_redefine_key_results_but_not_their_current_value(workspace, editor):
    key_result = KeyResultFactory(goal=GoalFactory(workspace=workspace, created_by=editor), created_by=editor,
                                  start_value=D(100), target_value=D(200))
    services.key_result_update(actor=editor, key_result=key_result, name="Active shops", target_value=D(300))
    key_result.refresh_from_db()
    assert (key_result.name, key_result.target_value) == ("Active shops", D(300))

    with pytest.raises(ValidationError) as exc:
        services.key_result_update(actor=editor, key_result=key_result, current_value=D(250))
    assert "current_value" in field_errors(exc)
    with pytest.raises(ValidationError) as exc:
        services.key_result_update(actor=editor, key_result=key_result, target_value=D(50))
    assert "direction" in field_errors(exc)
    key_result.refresh_from_db()
    assert (key_result.current_value, key_result.target_value) == (D(100), D(300))


def test_a_check_in_updates_the_current_value_and_records_author_and_note(workspace, editor):
    key_result = KeyResultFactory(goal=GoalFactory(workspace=workspace, created_by=editor), created_by=editor,
                                  start_value=D(100), target_value=D(200))

    check_in = services.key_result_check_in(actor=editor, key_result=key_result, value=D("140.25"),
                                            note="  Spring campaign landed  ")

    assert key_result.current_value == D("140.25")
    key_result.refresh_from_db()
    assert key_result.current_value == D("140.25")
    check_in.refresh_from_db()
    assert (check_in.value, check_in.author, check_in.note) == (D("140.25"), editor, "Spring campaign landed")
    assert list(key_result.check_ins.values_list("value", flat=True)) == [D(100), D("140.25")]


def test_a_check_in_with_an_impossible_value_is_refused_by_value(workspace, editor):
    key_result = KeyResultFactory(goal=GoalFactory(workspace=workspace, created_by=editor), created_by=editor,
                                  start_value=D(100), target_value=D(200))
    with pytest.raises(ValidationError) as exc:
        services.key_result_check_in(actor=editor, key_result=key_result, value=D("1e20"))
    assert "value" in field_errors(exc)
    key_result.refresh_from_db()
    assert key_result.current_value == D(100)
    assert key_result.check_ins.count() == 1


def test_viewers_cannot_add_change_check_in_or_delete_key_results(workspace, editor, viewer):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    with pytest.raises(PermissionDenied):
        services.key_result_create(actor=viewer, goal=goal, name="Weekly active shops", start_value=D(100),
                                   target_value=D(200))
    assert not KeyResult.objects.exists()

    key_result = KeyResultFactory(goal=goal, created_by=editor, name="Weekly active shops", start_value=D(100),
                                  target_value=D(200))
    with pytest.raises(PermissionDenied):
        services.key_result_update(actor=viewer, key_result=key_result, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.key_result_check_in(actor=viewer, key_result=key_result, value=D(190))
    with pytest.raises(PermissionDenied):
        services.key_result_delete(actor=viewer, key_result=key_result)
    key_result.refresh_from_db()
    assert (key_result.name, key_result.current_value, key_result.check_ins.count()) == (
        "Weekly active shops", D(100), 1)


def test_deleting_a_key_result_deletes_its_check_ins(workspace, editor):
    key_result = KeyResultFactory(goal=GoalFactory(workspace=workspace, created_by=editor), created_by=editor,
                                  start_value=D(100), target_value=D(200))
    services.key_result_check_in(actor=editor, key_result=key_result, value=D(120))
    services.key_result_delete(actor=editor, key_result=key_result)
    assert not KeyResult.objects.exists()
    assert not CheckIn.objects.exists()


# --- initiatives ------------------------------------------------------------


def test_editors_create_initiatives_serving_goals(workspace, editor, product):
    company = GoalFactory(workspace=workspace, created_by=editor, name="Grow revenue")
    product_goal = GoalFactory(workspace=workspace, created_by=editor, name="Lift conversion", product=product)

    initiative = services.initiative_create(
        actor=editor, product=product, name=" One-page checkout ", status=Initiative.Status.ACTIVE,
        start_date=JAN_1, end_date=JUN_30, colour="#f97316", goals=[company, product_goal])

    initiative.refresh_from_db()
    assert (initiative.name, initiative.status, initiative.colour) == (
        "One-page checkout", Initiative.Status.ACTIVE, "#f97316")
    assert (initiative.workspace_id, initiative.created_by) == (workspace.pk, editor)
    assert set(initiative.goals.all()) == {company, product_goal}


def test_an_initiative_cannot_serve_another_workspaces_goal(workspace, other_workspace, editor, product):
    boss = other_workspace.memberships.get().user
    foreign = GoalFactory(workspace=other_workspace, created_by=boss, name="Their goal")
    ours = GoalFactory(workspace=workspace, created_by=editor)

    with pytest.raises(ValidationError) as exc:
        services.initiative_create(actor=editor, product=product, name="Sneaky", goals=[ours, foreign])
    assert "goals" in field_errors(exc)
    assert not Initiative.objects.exists()

    initiative = services.initiative_create(actor=editor, product=product, name="Honest", goals=[ours])
    with pytest.raises(ValidationError) as exc:
        services.initiative_update(actor=editor, initiative=initiative, name="Renamed", goals=[foreign])
    assert "goals" in field_errors(exc)
    initiative.refresh_from_db()
    assert (initiative.name, list(initiative.goals.all())) == ("Honest", [ours])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        pytest.param({"start_date": JUN_30, "end_date": JAN_1}, "end_date", id="end-before-start"),
        pytest.param({"colour": "blue"}, "colour", id="colour-word"),
        pytest.param({"colour": "#0ea5e"}, "colour", id="colour-too-short"),
        pytest.param({"status": "paused"}, "status", id="unknown-status"),
        pytest.param({"name": ""}, "name", id="blank-name"),
    ],
)
def test_bad_initiative_input_is_refused_by_field(editor, product, fields, field):
    fields = {"name": "Checkout", **fields}
    with pytest.raises(ValidationError) as exc:
        services.initiative_create(actor=editor, product=product, **fields)
    assert field in field_errors(exc)
    assert not Initiative.objects.exists()


def test_initiative_dates_are_optional_and_may_be_open_ended(editor, product):
    initiative = services.initiative_create(actor=editor, product=product, name="Someday", start_date=JAN_1)
    assert (initiative.start_date, initiative.end_date) == (JAN_1, None)


def test_editors_change_an_initiatives_goals_or_leave_them_alone(workspace, editor, product):
    first = GoalFactory(workspace=workspace, created_by=editor, name="First")
    second = GoalFactory(workspace=workspace, created_by=editor, name="Second")
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout", goals=[first])

    services.initiative_update(actor=editor, initiative=initiative, description="Fewer steps")
    assert list(initiative.goals.all()) == [first]

    services.initiative_update(actor=editor, initiative=initiative, goals=[second])
    assert list(initiative.goals.all()) == [second]

    services.initiative_update(actor=editor, initiative=initiative, goals=[])
    assert not initiative.goals.exists()
    initiative.refresh_from_db()
    assert initiative.description == "Fewer steps"


def test_viewers_cannot_create_change_or_delete_initiatives(workspace, editor, viewer, product):
    with pytest.raises(PermissionDenied):
        services.initiative_create(actor=viewer, product=product, name="Checkout")
    assert not Initiative.objects.exists()

    goal = GoalFactory(workspace=workspace, created_by=editor)
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout")
    with pytest.raises(PermissionDenied):
        services.initiative_update(actor=viewer, initiative=initiative, name="Renamed", goals=[goal])
    with pytest.raises(PermissionDenied):
        services.initiative_delete(actor=viewer, initiative=initiative)
    initiative.refresh_from_db()
    assert (initiative.name, initiative.goals.count()) == ("Checkout", 0)


def test_deleting_an_initiative_leaves_its_goals(workspace, editor, product):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout", goals=[goal])
    services.initiative_delete(actor=editor, initiative=initiative)
    assert not Initiative.objects.exists()
    assert Goal.objects.get() == goal


# --- history names the actor ------------------------------------------------


def _persona(actor, workspace, product):
    record = services.persona_create(actor=actor, product=product, name="Maya")
    return (record,
            lambda who: services.persona_update(actor=who, persona=record, name="Maya C."),
            lambda who: services.persona_delete(actor=who, persona=record))


def _competitor(actor, workspace, product):
    record = services.competitor_create(actor=actor, product=product, name="Shopwave")
    return (record,
            lambda who: services.competitor_update(actor=who, competitor=record, threat=Competitor.Threat.HIGH),
            lambda who: services.competitor_delete(actor=who, competitor=record))


def _goal(actor, workspace, product):
    record = services.goal_create(actor=actor, workspace=workspace, name="Grow revenue", start_date=JAN_1,
                                  end_date=JUN_30)
    return (record,
            lambda who: services.goal_update(actor=who, goal=record, name="Renamed"),
            lambda who: services.goal_delete(actor=who, goal=record))


def _key_result(actor, workspace, product):
    record = services.key_result_create(actor=actor, goal=GoalFactory(workspace=workspace, created_by=actor),
                                        name="Weekly active shops", start_value=D(100), target_value=D(200))
    return (record,
            lambda who: services.key_result_update(actor=who, key_result=record, unit="shops"),
            lambda who: services.key_result_delete(actor=who, key_result=record))


def _initiative(actor, workspace, product):
    record = services.initiative_create(actor=actor, product=product, name="Checkout")
    return (record,
            lambda who: services.initiative_update(actor=who, initiative=record, status=Initiative.Status.ACTIVE),
            lambda who: services.initiative_delete(actor=who, initiative=record))


@pytest.mark.parametrize("make", [_persona, _competitor, _goal, _key_result, _initiative],
                         ids=["persona", "competitor", "goal", "key-result", "initiative"])
def test_history_names_who_created_changed_and_deleted_each_record(workspace, editor, admin, product, make):
    record, update, delete = make(editor, workspace, product)
    model, pk = type(record), record.pk
    update(admin)
    delete(editor)

    versions = model.history.filter(id=pk).order_by("history_date", "history_id")
    assert [(v.history_type, v.history_user) for v in versions] == [("+", editor), ("~", admin), ("-", editor)]


def test_vision_history_names_who_saved_and_restored_each_version(editor, admin, product):
    services.vision_save(actor=editor, product=product, statement="First")
    services.vision_save(actor=admin, product=product, statement="Second")
    first = Vision.objects.get().history.get(version=1)
    services.vision_restore(actor=editor, product=product, history_id=first.history_id)

    versions = Vision.objects.get().history.order_by("history_date")
    assert [(v.version, v.history_user) for v in versions] == [(1, editor), (2, admin), (3, editor)]


def test_changing_an_initiatives_goals_is_recorded_with_its_author(workspace, editor, admin, product):
    goal = GoalFactory(workspace=workspace, created_by=editor)
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout")
    services.initiative_update(actor=admin, initiative=initiative, goals=[goal])

    latest = initiative.history.order_by("-history_date", "-history_id").first()
    assert latest.history_user == admin
    assert [g.goal_id for g in latest.goals.all()] == [goal.pk]


def test_criteria_are_renamed_and_moved_by_swapping_with_their_neighbour(editor, product):
    from strategy.models import ComparisonCriterion

    price, setup, support = (services.criterion_create(actor=editor, product=product, name=n)
                             for n in ("Price", "Setup", "Support"))
    services.criterion_update(actor=editor, criterion=support, direction="up")
    services.criterion_update(actor=editor, criterion=price, name="Pricing")
    services.criterion_update(actor=editor, criterion=price, direction="up")  # already first: stays

    order = list(ComparisonCriterion.objects.filter(product=product).values_list("name", flat=True))
    assert order == ["Pricing", "Support", "Setup"]
    with pytest.raises(ValidationError) as exc:
        services.criterion_update(actor=editor, criterion=setup, name="pricing")
    assert "name" in exc.value.message_dict


def test_viewers_cannot_change_criteria(editor, viewer, product):
    criterion = services.criterion_create(actor=editor, product=product, name="Price")
    with pytest.raises(PermissionDenied):
        services.criterion_update(actor=viewer, criterion=criterion, name="Cost")
