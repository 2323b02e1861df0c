"""Readable change history of strategy records: who changed which field from what to what."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import ProtectedError

from releases.models import WorkflowStatus
from strategy import services
from strategy.history import bulk_delete_with_history, history_entries
from strategy.models import CheckIn, Competitor, Goal, Initiative, KeyResult
from tests.factories import FeatureFactory, GoalFactory, KeyResultFactory

from ..conftest import count_queries

pytestmark = pytest.mark.django_db

JAN_1 = date(2026, 1, 1)
JUN_30 = date(2026, 6, 30)


def changes_of(entry) -> dict:
    return {change.label: (change.old, change.new) for change in entry.changes}


def test_entries_show_the_creation_then_each_change_newest_first(editor, admin, product):
    competitor = services.competitor_create(actor=editor, product=product, name="Shopwave",
                                            threat=Competitor.Threat.HIGH)
    services.competitor_update(actor=admin, competitor=competitor, threat=Competitor.Threat.LOW,
                               positioning="Cheapest on the market")

    changed, created = history_entries(competitor)

    assert (changed.kind, changed.who) == ("changed", admin)
    assert changes_of(changed) == {
        "Threat level": ("High", "Low"),
        "Positioning": ("—", "Cheapest on the market"),
    }
    assert (created.kind, created.who) == ("created", editor)
    assert changes_of(created) == {
        "Product": ("—", str(product)),
        "Name": ("—", "Shopwave"),
        "Threat level": ("—", "High"),
    }
    assert changed.when >= created.when


def test_an_update_that_changes_nothing_visible_shows_an_entry_without_changes(editor, product):
    competitor = services.competitor_create(actor=editor, product=product, name="Shopwave")
    services.competitor_update(actor=editor, competitor=competitor, name="Shopwave")
    latest = history_entries(competitor)[0]
    assert (latest.kind, latest.changes) == ("changed", [])


def test_bookkeeping_fields_are_left_out(editor, product):
    services.vision_save(actor=editor, product=product, statement="First")
    vision = services.vision_save(actor=editor, product=product, statement="Second")
    latest = history_entries(vision)[0]
    assert changes_of(latest) == {"Vision statement": ("First", "Second")}


def test_choices_show_their_labels(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor, name="Grow revenue")
    key_result = services.key_result_create(actor=editor, goal=goal, name="Abandoned carts", start_value=Decimal(72),
                                            target_value=Decimal(60))
    created = history_entries(key_result)[0]
    assert changes_of(created)["Direction"] == ("—", "Decrease to")
    assert changes_of(created)["Start value"] == ("—", "72.00")


def test_owners_show_by_name_old_and_new(workspace, editor, admin):
    goal = GoalFactory(workspace=workspace, created_by=editor, owner=admin, name="Grow revenue")
    services.goal_update(actor=editor, goal=goal, owner=editor)
    services.goal_update(actor=admin, goal=goal, owner=None)

    cleared, handed_over, created = history_entries(goal)

    assert changes_of(created)["Owner"] == ("—", admin.display_name)
    assert changes_of(handed_over) == {"Owner": (admin.display_name, editor.display_name)}
    assert changes_of(cleared) == {"Owner": (editor.display_name, "—")}
    assert [e.who for e in (cleared, handed_over, created)] == [admin, editor, editor]


def test_rows_in_hand_are_named_without_reading_them_again(workspace, editor, admin):
    goal = GoalFactory(workspace=workspace, created_by=editor, owner=admin, name="Grow revenue")
    services.goal_update(actor=editor, goal=goal, owner=editor)

    read = count_queries(lambda: history_entries(goal))
    assert history_entries(goal, known=[admin, editor]) == history_entries(goal)
    assert count_queries(lambda: history_entries(goal, known=[admin, editor])) == read - 1
    # One of the two in hand: the other is still read, and named the same.
    assert history_entries(goal, known=[admin]) == history_entries(goal)
    assert count_queries(lambda: history_entries(goal, known=[admin])) == read


def test_goals_served_by_an_initiative_show_by_name(workspace, editor, admin, product):
    growth = GoalFactory(workspace=workspace, created_by=editor, name="Grow revenue")
    conversion = GoalFactory(workspace=workspace, created_by=editor, name="Lift conversion")
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout", goals=[growth])

    services.initiative_update(actor=admin, initiative=initiative, goals=[growth, conversion])
    services.initiative_update(actor=editor, initiative=initiative, goals=[conversion])

    entries = history_entries(initiative)
    goal_changes = [(e.who, changes_of(e)["Goals served"]) for e in entries if "Goals served" in changes_of(e)]
    assert goal_changes == [
        (editor, ("Grow revenue, Lift conversion", "Lift conversion")),
        (admin, ("Grow revenue", "Grow revenue, Lift conversion")),
        (editor, ("—", "Grow revenue")),
    ]


def test_a_deleted_record_ends_with_a_deleted_entry_by_its_author(editor, admin, product):
    initiative = services.initiative_create(actor=editor, product=product, name="Checkout",
                                            status=Initiative.Status.ACTIVE)
    pk = initiative.pk
    services.initiative_delete(actor=admin, initiative=initiative)

    deleted = history_entries(Initiative(pk=pk))[0]
    assert (deleted.kind, deleted.who) == ("deleted", admin)


def test_a_record_without_any_version_has_no_entries(editor, product):
    competitor = Competitor.objects.bulk_create([  # bulk writes bypass the history signals
        Competitor(product=product, workspace_id=product.workspace_id, name="Imported")])[0]
    assert history_entries(competitor) == []


def test_only_the_newest_entries_are_returned_up_to_the_limit(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor, name="v0")
    for n in range(1, 6):
        services.goal_update(actor=editor, goal=goal, name=f"v{n}")

    entries = history_entries(goal, limit=3)

    assert [changes_of(e)["Goal"] for e in entries] == [("v4", "v5"), ("v3", "v4"), ("v2", "v3")]


def _goal_with_versions(workspace, editor, admin, product, versions):
    goal = GoalFactory(workspace=workspace, created_by=editor, product=product, owner=admin, name="Grow revenue")
    for n in range(versions - 1):
        services.goal_update(actor=admin if n % 2 else editor, goal=goal, owner=editor if n % 2 else admin,
                             description=f"Revision {n}")
    assert goal.history.count() == versions
    return goal


def test_the_query_count_does_not_grow_with_the_number_of_versions(workspace, editor, admin, product):
    few = _goal_with_versions(workspace, editor, admin, product, 5)
    many = _goal_with_versions(workspace, editor, admin, product, 25)

    assert len(history_entries(many)) == 25
    assert count_queries(lambda: history_entries(many)) == count_queries(lambda: history_entries(few))


def test_the_query_count_for_many_to_many_changes_does_not_grow_either(workspace, editor, admin, product):
    goals = [GoalFactory(workspace=workspace, created_by=editor, name=f"Goal {n}") for n in range(4)]
    choices = [goals[:1], goals[1:3], goals, goals[2:], []]

    def initiative_with_versions(versions):
        initiative = services.initiative_create(actor=editor, product=product, name=f"{versions} versions",
                                                goals=goals[:1])
        n = 0
        while initiative.history.count() < versions:
            n += 1
            services.initiative_update(actor=admin, initiative=initiative, goals=choices[n % len(choices)])
        return initiative

    few, many = initiative_with_versions(5), initiative_with_versions(25)
    assert len(history_entries(many)) == many.history.count() >= 25

    assert count_queries(lambda: history_entries(many)) == count_queries(lambda: history_entries(few))


def test_a_key_result_check_in_does_not_add_a_definition_version(workspace, editor):
    goal = GoalFactory(workspace=workspace, created_by=editor, name="Grow revenue")
    key_result = services.key_result_create(actor=editor, goal=goal, name="Shops", start_value=Decimal(1),
                                            target_value=Decimal(2))
    services.key_result_check_in(actor=editor, key_result=key_result, value=Decimal("1.5"))
    assert [e.kind for e in history_entries(KeyResult.objects.get())] == ["created"]


def test_a_bulk_delete_records_what_cascades_and_keeps_protected_rows(workspace, admin, product, workflow):
    goals = GoalFactory.create_batch(3, workspace=workspace)
    key_results = {KeyResultFactory(goal=goal).pk for goal in goals}
    feature = FeatureFactory(product=product, status=workflow["Idea"], goals=[goals[0]])
    names = {goal.pk: goal.name for goal in goals}
    goal_ids = set(names)
    loaded = list(Goal.objects.only("id").order_by("pk"))  # deferred fields are read before the delete
    loaded[0]._change_reason = "Dropped at the planning meeting"

    bulk_delete_with_history(loaded, actor=admin, batch_size=2)

    assert not Goal.objects.exists() and not KeyResult.objects.exists() and not CheckIn.objects.exists()
    assert not feature.goals.exists()
    assert {(row.id, row.history_user) for row in Goal.history.filter(history_type="-")} == {
        (pk, admin) for pk in goal_ids}
    assert {row.id: row.name for row in Goal.history.filter(history_type="-")} == names
    assert Goal.history.get(id=min(goal_ids), history_type="-").history_change_reason == \
        "Dropped at the planning meeting"
    assert {(row.id, row.history_user) for row in KeyResult.history.filter(history_type="-")} == {
        (pk, admin) for pk in key_results}
    with pytest.raises(ProtectedError):
        bulk_delete_with_history([workflow["Idea"]], actor=admin)
    assert WorkflowStatus.objects.filter(pk=workflow["Idea"].pk).exists()
