"""Votes: once per person per idea, even when two requests race; the stored counters and
the weighted demand follow every vote."""

import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from feedback import services
from feedback.models import Idea, Vote
from strategy import access
from tests.factories import ContactFactory, FeedbackNoteFactory, IdeaFactory, PortalUserFactory, VoteFactory

pytestmark = pytest.mark.django_db


def test_a_member_votes_once_and_the_idea_counts_it(viewer, idea):
    assert services.vote_add(actor=viewer, idea=idea) is True
    assert services.vote_add(actor=viewer, idea=idea) is False

    idea.refresh_from_db()
    assert idea.vote_count == 1
    assert Vote.objects.get().voter_key == f"user:{viewer.pk}"


def test_a_vote_costs_one_lock_one_insert_and_one_update(viewer, idea, django_assert_num_queries):
    access.can(viewer, "feedback.vote", idea)  # the roles, read once per request
    with django_assert_num_queries(5):  # savepoint, lock, insert, recount, release
        services.vote_add(actor=viewer, idea=idea)


def test_unvoting_takes_the_vote_back_and_unvoting_again_changes_nothing(viewer, idea):
    services.vote_add(actor=viewer, idea=idea)

    assert services.vote_remove(actor=viewer, idea=idea) is True
    assert services.vote_remove(actor=viewer, idea=idea) is False
    idea.refresh_from_db()
    assert idea.vote_count == 0


def test_viewers_may_vote_but_not_for_a_contact(viewer, idea, alice):
    with pytest.raises(PermissionDenied):
        services.vote_add(actor=viewer, idea=idea, contact=alice)
    assert not Vote.objects.exists()


def test_an_editor_votes_on_behalf_of_a_contact_and_is_recorded(editor, idea, alice):
    services.vote_add(actor=editor, idea=idea, contact=alice)

    vote = Vote.objects.get()
    assert (vote.contact, vote.user, vote.recorded_by) == (alice, None, editor)


def test_a_contact_of_another_workspace_cannot_vote_here(editor, idea, other_workspace):
    stranger = ContactFactory(customer__workspace=other_workspace)
    with pytest.raises(ValidationError) as exc:
        services.vote_add(actor=editor, idea=idea, contact=stranger)
    assert "contact" in exc.value.message_dict


def test_nobody_votes_for_a_merged_idea(editor, viewer, idea, other_idea):
    services.idea_merge(actor=editor, idea=other_idea, into=idea)
    with pytest.raises(ValidationError) as exc:
        services.vote_add(actor=viewer, idea=other_idea)
    assert "idea" in exc.value.message_dict


def test_outsiders_cannot_vote(idea, other_workspace):
    from tests.factories import MembershipFactory

    outsider = MembershipFactory(workspace=other_workspace, role="admin").user
    with pytest.raises(PermissionDenied):
        services.vote_add(actor=outsider, idea=idea)


def test_weighted_demand_counts_each_customer_once_across_votes_and_notes(
        editor, viewer, product, idea, alice, arthur, bob, gina, acme_corp, gamma_inc):
    # Acme (100k) through two contacts and a note, Beta (50k) through Bob, Gamma (10k)
    # through a portal user whose address matched Gina, and a member with no customer.
    services.vote_add(actor=editor, idea=idea, contact=alice)
    services.vote_add(actor=editor, idea=idea, contact=arthur)
    services.vote_add(actor=editor, idea=idea, contact=bob)
    services.vote_add(actor=viewer, idea=idea)
    portal_user = PortalUserFactory(product=product, email="gina@gamma.example", contact=gina)
    idea.visibility = Idea.Visibility.PUBLIC
    idea.save()
    services.portal_vote_add(portal_user=portal_user, idea=idea)
    FeedbackNoteFactory(product=product, customer=acme_corp, ideas=[idea])

    idea.refresh_from_db()
    assert idea.vote_count == 5
    assert idea.demand == Decimal("160000.00")  # 100k + 50k + 10k, Acme once


def test_a_new_revenue_reweighs_the_ideas_of_the_customer(editor, idea, alice, acme_corp):
    services.vote_add(actor=editor, idea=idea, contact=alice)

    services.customer_update(actor=editor, customer=acme_corp, annual_revenue=Decimal("250000"))

    idea.refresh_from_db()
    assert idea.demand == Decimal("250000.00")


def test_a_vote_for_an_idea_with_a_feature_recounts_the_features_demand(
        editor, product, idea, alice, django_capture_on_commit_callbacks):
    services.idea_promote(actor=editor, idea=idea)
    with django_capture_on_commit_callbacks(execute=True):
        services.vote_add(actor=editor, idea=idea, contact=alice)

    idea.refresh_from_db()
    assert idea.feature.demand == Decimal("100000.00")


# --- two requests at once -------------------------------------------------------------------


def _at_once(calls) -> tuple[list, list[Exception]]:
    start = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            start.wait()
            results.append(call())
        except Exception as exc:  # noqa: BLE001 - reported by the test, not swallowed
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_votes_of_one_person_count_once(viewer, product):
    idea = IdeaFactory(product=product)

    results, errors = _at_once([lambda: services.vote_add(actor=viewer, idea=idea)] * 2)

    assert not errors
    assert sorted(results) == [False, True]
    idea.refresh_from_db()
    assert idea.vote_count == 1 == Vote.objects.filter(idea=idea).count()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_of_different_people_are_all_counted(editor, product):
    idea = IdeaFactory(product=product)
    contacts = [ContactFactory(customer__workspace=product.workspace) for _ in range(8)]

    results, errors = _at_once([lambda c=c: services.vote_add(actor=editor, idea=idea, contact=c) for c in contacts])

    assert not errors
    idea.refresh_from_db()
    assert idea.vote_count == 8
    assert idea.demand == Decimal("80000.00")


def test_the_factory_recounts_like_the_service(idea):
    VoteFactory(idea=idea)
    VoteFactory(idea=idea)
    idea.refresh_from_db()
    assert idea.vote_count == 2
