"""Reads of feedback: the idea list's sorts, filters and full-text search, the demand
breakdown, the triage inbox, customer pages, duplicates and the public portal, each in a
number of queries that does not grow with the data (10 ideas or 5,000)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from feedback import selectors, services
from feedback.models import FeedbackNote, Idea, IdeaComment, Vote, voter_key
from tests.conftest import count_queries
from tests.factories import (
    ContactFactory,
    FeatureFactory,
    FeedbackNoteFactory,
    IdeaCommentFactory,
    IdeaFactory,
    PortalSettingsFactory,
    PortalUserFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


def titles(ideas) -> list[str]:
    return [idea.title for idea in ideas]


# --- the idea list ----------------------------------------------------------------------------


def test_ideas_sort_by_votes_demand_recency_and_trend(viewer, product, alice, bob):
    old_favourite = IdeaFactory(product=product, title="Old favourite")
    rich = IdeaFactory(product=product, title="Rich")
    fresh = IdeaFactory(product=product, title="Fresh")
    for _ in range(3):
        VoteFactory(idea=old_favourite)
    Vote.objects.filter(idea=old_favourite).update(created_at=timezone.now() - timedelta(days=60))
    VoteFactory(idea=rich, contact=alice)
    VoteFactory(idea=fresh, contact=bob)
    VoteFactory(idea=fresh)

    def listed(sort):
        return titles(selectors.idea_list(user=viewer, product=product, sort=sort))

    assert listed("votes") == ["Old favourite", "Fresh", "Rich"]
    assert listed("demand") == ["Rich", "Fresh", "Old favourite"]
    assert listed("recent") == ["Fresh", "Rich", "Old favourite"]
    assert listed("trend") == ["Fresh", "Rich", "Old favourite"]


def test_ideas_filter_by_status_category_and_customer_segment(viewer, product, alice, bob, gamma_inc):
    enterprise = IdeaFactory(product=product, title="SAML", category="Security")
    small = IdeaFactory(product=product, title="Cheaper plan", category="Pricing", status=Idea.Status.PLANNED)
    noted = IdeaFactory(product=product, title="Receipts", category="Pricing")
    VoteFactory(idea=enterprise, contact=alice)
    VoteFactory(idea=small, contact=bob)
    FeedbackNoteFactory(product=product, customer=gamma_inc, ideas=[noted])

    assert titles(selectors.idea_list(user=viewer, product=product, status="planned")) == ["Cheaper plan"]
    assert set(titles(selectors.idea_list(user=viewer, product=product, category="pricing"))) == {
        "Cheaper plan", "Receipts"}
    assert titles(selectors.idea_list(user=viewer, product=product, segment="enterprise")) == ["SAML"]
    assert set(titles(selectors.idea_list(user=viewer, product=product, segment="smb"))) == {
        "Cheaper plan", "Receipts"}


def test_merged_ideas_are_left_out_unless_asked_for(editor, product, idea, other_idea):
    services.idea_merge(actor=editor, idea=other_idea, into=idea)
    assert titles(selectors.idea_list(user=editor, product=product)) == [idea.title]
    assert len(selectors.idea_list(user=editor, product=product, include_merged=True)) == 2


def test_search_ranks_title_matches_first_then_description_then_linked_notes(viewer, product):
    in_title = IdeaFactory(product=product, title="Slack notifications")
    in_description = IdeaFactory(product=product, title="Chat alerts", description="Post alerts to Slack channels")
    in_note = IdeaFactory(product=product, title="Team pings")
    IdeaFactory(product=product, title="Dark mode", description="For night owls")
    FeedbackNoteFactory(product=product, text="Our ops team lives in Slack all day", ideas=[in_note])

    found = titles(selectors.idea_list(user=viewer, product=product, q="slack"))

    assert found == [in_title.title, in_description.title, in_note.title]


def test_search_understands_what_people_type(viewer, product):
    IdeaFactory(product=product, title="Export reports to CSV")
    IdeaFactory(product=product, title="Export reports to PDF")

    assert titles(selectors.idea_list(user=viewer, product=product, q='"reports to csv"')) == ["Export reports to CSV"]
    assert titles(selectors.idea_list(user=viewer, product=product, q="export -pdf")) == ["Export reports to CSV"]
    assert titles(selectors.idea_list(user=viewer, product=product, q="exporting")) != []  # stemmed


def test_ideas_of_other_workspaces_are_invisible(viewer, other_product):
    IdeaFactory(product=other_product)
    assert list(selectors.idea_list(user=viewer, product=other_product)) == []


def _bulk_ideas(product, count, contacts):
    ideas = Idea.objects.bulk_create([
        Idea(workspace_id=product.workspace_id, product=product, title=f"Idea number {i} about exports",
             category=("Reports", "Mobile", "API")[i % 3]) for i in range(count)])
    votes = [Vote(idea=idea, contact=contact, voter_key=voter_key(contact=contact))
             for idea in ideas[:200] for contact in contacts]
    Vote.objects.bulk_create(votes)
    services.ideas_recount(idea_ids=[idea.pk for idea in ideas[:200]])
    return ideas


def _draw_list(user, product, **kwargs):
    ideas = list(selectors.idea_list(user=user, product=product, **kwargs))
    for idea in ideas:
        (idea.product.key, idea.feature and idea.feature.status.name, idea.submitter, idea.merged_into)


@pytest.mark.parametrize("kwargs", [{}, {"sort": "trend"}, {"sort": "demand", "q": "exports"},
                                    {"segment": "enterprise", "status": ["new", "planned"]}])
def test_the_idea_list_costs_the_same_for_10_and_5000_ideas(viewer, product, workspace, kwargs):
    contacts = [ContactFactory(customer__workspace=workspace) for _ in range(3)]
    feature = FeatureFactory(product=product)
    _bulk_ideas(product, 10, contacts)
    Idea.objects.filter(product=product).update(feature=feature)
    few = count_queries(lambda: _draw_list(viewer, product, **kwargs))

    _bulk_ideas(product, 4990, contacts)
    assert Idea.objects.filter(product=product).count() == 5000
    assert count_queries(lambda: _draw_list(viewer, product, **kwargs)) == few <= 2


# --- one idea ---------------------------------------------------------------------------------


def test_the_demand_breakdown_lists_each_customer_once_with_how_they_asked(
        editor, product, idea, alice, arthur, bob, acme_corp, django_assert_max_num_queries):
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=idea, contact=arthur)
    FeedbackNoteFactory(product=product, customer=acme_corp, ideas=[idea])
    FeedbackNoteFactory(product=product, customer=bob.customer, ideas=[idea])

    with django_assert_max_num_queries(3):
        rows = selectors.idea_demand_breakdown(idea=idea)

    assert [(row.name, row.annual_revenue, row.votes, row.notes) for row in rows] == [
        ("Acme Corp", Decimal("100000.00"), 2, 1), ("Beta Ltd", Decimal("50000.00"), 0, 1)]
    idea.refresh_from_db()
    assert sum(row.annual_revenue for row in rows) == idea.demand


def test_the_feature_breakdown_adds_up_to_the_features_demand(editor, product, idea, alice, gina, workflow):
    feature = services.idea_promote(actor=editor, idea=idea).feature
    VoteFactory(idea=idea, contact=alice)
    FeedbackNoteFactory(product=product, customer=gina.customer, features=[feature])
    services.features_demand_refresh(feature_ids=[feature.pk])
    feature.refresh_from_db()

    rows = selectors.feature_demand_breakdown(feature=feature)

    assert [row.name for row in rows] == ["Acme Corp", "Gamma Inc"]
    assert sum(row.annual_revenue for row in rows) == feature.demand == Decimal("110000.00")


def test_an_idea_page_loads_comments_history_and_merged_ideas_in_fixed_queries(
        editor, product, idea, other_idea, django_assert_max_num_queries):
    services.idea_merge(actor=editor, idea=other_idea, into=idea)
    IdeaCommentFactory.create_batch(3, idea=idea, author=editor)

    with django_assert_max_num_queries(4):
        loaded = selectors.idea_get(user=editor, pk=idea.pk)
        [c.author for c in loaded.comments.all()], [e.actor for e in loaded.events.all()]
        list(loaded.merged_ideas.all())


# --- triage and customers ---------------------------------------------------------------------


def test_the_triage_inbox_shows_unprocessed_notes_oldest_first_in_three_queries(
        editor, product, acme_corp, alice, idea, today, django_assert_max_num_queries):
    feature = FeatureFactory(product=product)
    older = FeedbackNoteFactory(product=product, customer=acme_corp, contact=alice, date=today - timedelta(days=3),
                                ideas=[idea], features=[feature])
    FeedbackNoteFactory(product=product, customer=acme_corp, date=today)
    services.note_process(actor=editor, note=FeedbackNoteFactory(product=product))

    with django_assert_max_num_queries(3):
        notes = list(selectors.note_inbox(user=editor, product=product))
        [(n.customer.name, n.contact and n.contact.name, list(n.ideas.all()), list(n.features.all())) for n in notes]

    assert notes[0] == older
    assert len(notes) == 2
    assert selectors.untriaged_count(user=editor, product=product) == 2


def test_a_customer_page_shows_their_ideas_votes_notes_and_features(
        editor, product, idea, other_idea, alice, acme_corp, workflow, django_assert_max_num_queries):
    VoteFactory(idea=idea, contact=alice)
    feature = FeatureFactory(product=product)
    FeedbackNoteFactory(product=product, customer=acme_corp, ideas=[other_idea], features=[feature])
    services.idea_promote(actor=editor, idea=idea)

    with django_assert_max_num_queries(9):
        detail = selectors.customer_detail(user=editor, customer=selectors.customer_get(user=editor, pk=acme_corp.pk))

    assert {i.title: (i.customer_votes, i.customer_notes) for i in detail.ideas} == {
        idea.title: (1, 0), other_idea.title: (0, 1)}
    assert len(detail.votes) == len(detail.notes) == 1
    assert {f.pk for f in detail.features} == {feature.pk, Idea.objects.get(pk=idea.pk).feature_id}


def test_the_customer_list_counts_contacts_votes_and_notes(editor, workspace, idea, alice, arthur, acme_corp, product):
    VoteFactory(idea=idea, contact=alice)
    FeedbackNoteFactory(product=product, customer=acme_corp)

    customer = selectors.customer_list(user=editor, workspace=workspace, q="acme").get()

    assert (customer.contact_count, customer.vote_count, customer.note_count) == (2, 1, 1)


# --- duplicates -------------------------------------------------------------------------------


def test_similar_ideas_are_suggested_while_typing(viewer, product, idea, other_idea):
    IdeaFactory(product=product, title="Dark mode")

    similar = selectors.idea_similar(user=viewer, product=product, title="csv export")

    assert set(titles(similar)) == {"Export reports to CSV", "Export to CSV files"}
    assert selectors.idea_similar(user=viewer, product=product, title="   ") == []


def test_likely_duplicate_pairs_are_listed_closest_first(viewer, product):
    first = IdeaFactory(product=product, title="Export invoices to CSV")
    second = IdeaFactory(product=product, title="CSV export of invoices")
    IdeaFactory(product=product, title="Invoices in PDF")
    IdeaFactory(product=product, title="Dark mode")

    pairs = selectors.duplicate_pairs(user=viewer, product=product)

    assert [(pair.idea, pair.other) for pair in pairs][:1] == [(first, second)]
    assert pairs[0].score == 1.0
    assert all(pair.score >= 0.5 for pair in pairs)


def test_duplicate_pairs_cost_the_same_for_few_and_many_ideas(viewer, product, workspace):
    def add(start, count):
        Idea.objects.bulk_create([Idea(workspace_id=workspace.pk, product=product, title=f"Export batch {i // 2}")
                                  for i in range(start, start + count)])

    add(0, 10)
    few = count_queries(lambda: selectors.duplicate_pairs(user=viewer, product=product))
    add(10, 990)
    assert count_queries(lambda: selectors.duplicate_pairs(user=viewer, product=product)) == few == 3
    assert len(selectors.duplicate_pairs(user=viewer, product=product)) == 20  # the limit


# --- the portal -------------------------------------------------------------------------------


@pytest.fixture
def portal(product):
    return PortalSettingsFactory(product=product, enabled=True)


def test_a_closed_portal_is_not_found(product):
    from django.http import Http404

    PortalSettingsFactory(product=product, enabled=False)
    with pytest.raises(Http404):
        selectors.portal_get(workspace_slug="acme", product_key="MOB")


def test_the_portal_shows_public_unmerged_ideas_only_without_revenue(editor, portal, product, alice):
    public = IdeaFactory(product=product, title="Public one", visibility=Idea.Visibility.PUBLIC)
    IdeaFactory(product=product, title="Internal one")
    merged = IdeaFactory(product=product, title="Merged one", visibility=Idea.Visibility.PUBLIC)
    services.idea_merge(actor=editor, idea=merged, into=public)
    VoteFactory(idea=public, contact=alice)

    rows = list(selectors.portal_idea_rows(product=product))

    assert [row["title"] for row in rows] == ["Public one"]
    assert set(rows[0]) == {*selectors.PORTAL_IDEA_FIELDS, "comment_count"}
    assert "demand" not in rows[0] and rows[0]["vote_count"] == 1


def test_a_merged_public_idea_redirects_on_the_portal(editor, portal, product):
    target = IdeaFactory(product=product, visibility=Idea.Visibility.PUBLIC)
    merged = IdeaFactory(product=product, visibility=Idea.Visibility.PUBLIC)
    services.idea_merge(actor=editor, idea=merged, into=target)

    assert selectors.portal_idea_get(product=product, pk=merged.pk).redirect_to == target.pk


def test_portal_comments_are_public_ones_with_names_never_emails(editor, portal, product,
                                                                 django_assert_max_num_queries):
    idea = IdeaFactory(product=product, visibility=Idea.Visibility.PUBLIC)
    fan = PortalUserFactory(product=product, name="", email="fan@outside.example")
    IdeaCommentFactory(idea=idea, author=editor, visibility=IdeaComment.Visibility.INTERNAL, body="Secret")
    IdeaCommentFactory(idea=idea, author=editor, visibility=IdeaComment.Visibility.PUBLIC, body="On it")
    IdeaCommentFactory(idea=idea, portal_user=fan, visibility=IdeaComment.Visibility.PUBLIC, body="Thanks")
    VoteFactory(idea=idea, portal_user=fan)

    with django_assert_max_num_queries(3):
        page = selectors.portal_idea_get(product=product, pk=idea.pk, portal_user=fan)

    assert [c["body"] for c in page.comments] == ["On it", "Thanks"]
    assert all("@" not in c["author_name"] for c in page.comments)
    assert page.voted and page.idea["comment_count"] == 2


def test_internal_ideas_are_not_found_on_the_portal(portal, product):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.portal_idea_get(product=product, pk=IdeaFactory(product=product).pk)


def test_the_portal_roadmap_and_changelog(editor, portal, product):
    planned = IdeaFactory(product=product, title="Planned", visibility="public", status=Idea.Status.PLANNED)
    shipped = IdeaFactory(product=product, title="Shipped", visibility="public", status=Idea.Status.SHIPPED,
                          status_changed_at=timezone.now(), status_note="Out in 4.2")
    IdeaFactory(product=product, title="Internal plan", status=Idea.Status.PLANNED)

    roadmap = selectors.portal_roadmap(product=product)

    assert [row["id"] for row in roadmap["planned"]] == [planned.pk]
    assert [row["id"] for row in roadmap["shipped"]] == [shipped.pk]
    assert roadmap["in_progress"] == []
    assert [row["status_note"] for row in selectors.portal_changelog(product=product)] == ["Out in 4.2"]


def test_the_portal_list_costs_one_query_for_any_number_of_ideas(portal, product):
    Idea.objects.bulk_create([Idea(workspace_id=product.workspace_id, product=product, title=f"I{i}",
                                   visibility="public") for i in range(300)])
    assert count_queries(lambda: list(selectors.portal_idea_rows(product=product, sort="trending"))) == 1


def test_notes_are_searched_in_their_text(editor, product):
    FeedbackNoteFactory(product=product, text="The mobile app drains the battery")
    FeedbackNoteFactory(product=product, text="Love the new dashboard")

    found = selectors.note_list(user=editor, product=product, q="battery draining")

    assert [note.text for note in found] == ["The mobile app drains the battery"]
    assert FeedbackNote.objects.count() == 2
