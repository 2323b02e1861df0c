"""Ideas, merges, promotions, feedback notes and customers: the rules of feedback.services."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from feedback import services
from feedback.models import Customer, FeedbackNote, Idea, IdeaComment, IdeaEvent, ShippedNotification, Vote
from releases import services as release_services
from releases.models import Feature
from tests.factories import (
    ContactFactory,
    FeatureFactory,
    FeedbackNoteFactory,
    IdeaCommentFactory,
    IdeaFactory,
    VoteFactory,
)

pytestmark = pytest.mark.django_db


# --- ideas ------------------------------------------------------------------------------------


def test_any_member_submits_an_idea_and_it_starts_new_and_internal(viewer, product):
    idea = services.idea_create(actor=viewer, product=product, title="  Dark mode  ", description="Please")

    assert (idea.title, idea.status, idea.visibility, idea.submitted_by_user) == (
        "Dark mode", Idea.Status.NEW, Idea.Visibility.INTERNAL, viewer)
    assert idea.events.get().kind == IdeaEvent.Kind.CREATED


def test_only_editors_make_an_idea_public(viewer, product):
    with pytest.raises(PermissionDenied):
        services.idea_create(actor=viewer, product=product, title="Dark mode", visibility=Idea.Visibility.PUBLIC)
    assert not Idea.objects.exists()


def test_an_idea_needs_a_title(editor, product):
    with pytest.raises(ValidationError) as exc:
        services.idea_create(actor=editor, product=product, title="   ")
    assert "title" in exc.value.message_dict


def test_an_idea_submitted_for_a_contact_names_them(editor, product, alice):
    idea = services.idea_create(actor=editor, product=product, title="SSO", submitted_by_contact=alice)
    assert (idea.submitted_by_contact, idea.submitted_by_user, idea.submitter) == (alice, None, alice)


def test_viewers_cannot_edit_ideas(viewer, idea):
    with pytest.raises(PermissionDenied):
        services.idea_update(actor=viewer, idea=idea, title="Changed")


def test_an_edit_from_a_stale_copy_is_refused(editor, idea):
    services.idea_update(actor=editor, idea=idea, version=1, title="First")
    with pytest.raises(ValidationError) as exc:
        services.idea_update(actor=editor, idea=idea, version=1, title="Second")
    assert exc.value.code == "stale"
    idea.refresh_from_db()
    assert idea.title == "First"


def test_a_status_change_keeps_its_public_note_and_a_history_row(editor, idea):
    services.idea_status_set(actor=editor, idea=idea, status=Idea.Status.DECLINED, note="Out of scope for 2026.")

    idea.refresh_from_db()
    assert (idea.status, idea.status_note) == (Idea.Status.DECLINED, "Out of scope for 2026.")
    event = idea.events.get(kind=IdeaEvent.Kind.STATUS_CHANGED)
    assert (event.actor, event.from_status, event.to_status) == (editor, "new", "declined")


def test_an_unknown_status_is_refused(editor, idea):
    with pytest.raises(ValidationError) as exc:
        services.idea_status_set(actor=editor, idea=idea, status="maybe")
    assert "status" in exc.value.message_dict


def test_viewers_comment_and_choose_nothing_else(viewer, idea):
    comment = services.idea_comment_create(actor=viewer, idea=idea, body="+1 from support")
    assert (comment.author, comment.visibility) == (viewer, IdeaComment.Visibility.INTERNAL)
    with pytest.raises(ValidationError):
        services.idea_comment_create(actor=viewer, idea=idea, body="  ")


# --- merging ----------------------------------------------------------------------------------


def test_a_merge_moves_votes_notes_and_comments_and_counts_a_double_voter_once(
        editor, viewer, product, idea, other_idea, alice, bob, acme_corp, beta_ltd):
    for contact in (alice, bob):
        VoteFactory(idea=other_idea, contact=contact)
    VoteFactory(idea=idea, contact=alice)  # Alice voted for both
    VoteFactory(idea=other_idea, user=viewer)
    note = FeedbackNoteFactory(product=product, customer=beta_ltd, ideas=[other_idea])
    IdeaCommentFactory(idea=other_idea, author=viewer)

    target = services.idea_merge(actor=editor, idea=other_idea, into=idea)

    assert target == idea
    assert target.vote_count == 3  # Alice once, Bob, the viewer
    assert sorted(Vote.objects.filter(idea=idea).values_list("voter_key", flat=True)) == sorted(
        [f"contact:{alice.pk}", f"contact:{bob.pk}", f"user:{viewer.pk}"])
    assert target.demand == Decimal("150000.00")
    assert list(note.ideas.all()) == [idea]
    assert IdeaComment.objects.get().idea == idea
    other_idea.refresh_from_db()
    assert (other_idea.merged_into, other_idea.vote_count, other_idea.demand) == (idea, 0, 0)
    assert other_idea.events.filter(kind=IdeaEvent.Kind.MERGED_INTO, other_idea=idea, actor=editor).exists()
    assert idea.events.filter(kind=IdeaEvent.Kind.MERGED_FROM, other_idea=other_idea).exists()


def test_a_note_linked_to_both_ideas_stays_linked_once(editor, product, idea, other_idea, acme_corp):
    note = FeedbackNoteFactory(product=product, customer=acme_corp, ideas=[idea, other_idea])

    services.idea_merge(actor=editor, idea=other_idea, into=idea)

    assert list(note.ideas.all()) == [idea]
    idea.refresh_from_db()
    assert idea.demand == Decimal("100000.00")


@pytest.mark.parametrize("case", ["itself", "other product", "already merged", "into merged"])
def test_merges_that_make_no_sense_are_refused(editor, product, idea, other_idea, case, workspace):
    third = IdeaFactory(product=product)
    if case == "itself":
        pair = (idea, idea)
    elif case == "other product":
        from tests.factories import ProductFactory

        pair = (IdeaFactory(product=ProductFactory(workspace=workspace)), idea)
    elif case == "already merged":
        services.idea_merge(actor=editor, idea=other_idea, into=third)
        other_idea.refresh_from_db()
        pair = (other_idea, idea)
    else:
        services.idea_merge(actor=editor, idea=other_idea, into=third)
        pair = (idea, other_idea)
    VoteFactory(idea=pair[0])

    with pytest.raises(ValidationError):
        services.idea_merge(actor=editor, idea=pair[0], into=pair[1])

    assert Vote.objects.get().idea == pair[0]


def test_ideas_merged_into_the_duplicate_now_point_to_the_target(editor, product, idea, other_idea):
    older = IdeaFactory(product=product)
    services.idea_merge(actor=editor, idea=older, into=other_idea)

    services.idea_merge(actor=editor, idea=other_idea, into=idea)

    older.refresh_from_db()
    assert older.merged_into == idea


def test_viewers_cannot_merge(viewer, idea, other_idea):
    with pytest.raises(PermissionDenied):
        services.idea_merge(actor=viewer, idea=other_idea, into=idea)


# --- promoting --------------------------------------------------------------------------------


def test_promoting_creates_a_feature_plans_the_idea_and_writes_the_features_demand(
        editor, product, idea, alice, workflow):
    VoteFactory(idea=idea, contact=alice)

    promoted = services.idea_promote(actor=editor, idea=idea)

    feature = promoted.feature
    assert (feature.title, feature.product) == ("Export reports to CSV", product)
    assert promoted.status == Idea.Status.PLANNED
    assert feature.ideas.get() == idea
    feature.refresh_from_db()
    assert feature.demand == Decimal("100000.00")
    event = idea.events.get(kind=IdeaEvent.Kind.PROMOTED)
    assert (event.feature, event.actor, event.to_status) == (feature, editor, Idea.Status.PLANNED)


def test_promoting_to_an_existing_feature_links_it_and_recounts_both_features(
        editor, product, idea, alice, bob, workflow):
    first, second = FeatureFactory(product=product), FeatureFactory(product=product)
    VoteFactory(idea=idea, contact=alice)
    services.idea_promote(actor=editor, idea=idea, feature=first)

    services.idea_promote(actor=editor, idea=idea, feature=second)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.demand, second.demand) == (0, Decimal("100000.00"))
    assert idea.events.filter(kind=IdeaEvent.Kind.LINKED).count() == 2


def test_a_feature_of_another_product_is_refused(editor, idea, workspace):
    from tests.factories import ProductFactory

    feature = FeatureFactory(product=ProductFactory(workspace=workspace))
    with pytest.raises(ValidationError) as exc:
        services.idea_promote(actor=editor, idea=idea, feature=feature)
    assert "feature" in exc.value.message_dict


def test_a_bad_feature_title_leaves_no_half_promoted_idea(editor, idea):
    with pytest.raises(ValidationError):
        services.idea_promote(actor=editor, idea=idea, title="x" * 300)
    idea.refresh_from_db()
    assert (idea.feature, idea.status, Feature.objects.count()) == (None, Idea.Status.NEW, 0)


def test_feature_demand_counts_distinct_customers_of_its_ideas_and_its_own_notes(
        editor, product, idea, other_idea, alice, arthur, bob, gina, acme_corp, gamma_inc, workflow):
    feature = FeatureFactory(product=product)
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=other_idea, contact=arthur)  # Acme again, through another idea
    VoteFactory(idea=other_idea, contact=bob)
    FeedbackNoteFactory(product=product, customer=gamma_inc, features=[feature])
    FeedbackNoteFactory(product=product, customer=acme_corp, features=[feature])

    services.idea_promote(actor=editor, idea=idea, feature=feature)
    services.idea_promote(actor=editor, idea=other_idea, feature=feature)

    feature.refresh_from_db()
    assert feature.demand == Decimal("160000.00")  # Acme 100k once, Beta 50k, Gamma 10k
    assert services.feature_demand_values(feature_ids=[feature.pk]) == {feature.pk: Decimal("160000.00")}


def test_unlinking_an_idea_takes_its_demand_off_the_feature(editor, idea, alice, workflow):
    VoteFactory(idea=idea, contact=alice)
    feature = services.idea_promote(actor=editor, idea=idea).feature

    services.idea_feature_unlink(actor=editor, idea=idea)

    feature.refresh_from_db()
    assert feature.demand == 0


def test_undoing_the_import_of_a_linked_feature_keeps_the_idea_without_the_link(
        editor, product, idea, alice, workflow):
    record = release_services.import_preview(actor=editor, product=product, name="features.csv",
                                             content=b"key,title\nU-1,Imported feature\n")
    record = release_services.import_confirm(actor=editor, record=record)
    feature = Feature.objects.get(external_id="U-1")
    VoteFactory(idea=idea, contact=alice)
    services.idea_promote(actor=editor, idea=idea, feature=feature)
    ShippedNotification.objects.create(workspace=product.workspace, feature=feature, email="alice@acme.test")

    release_services.import_undo(actor=editor, record=record)

    idea.refresh_from_db()
    assert idea.feature is None and idea.status == Idea.Status.PLANNED
    assert idea.votes.count() == 1
    assert idea.events.get(kind=IdeaEvent.Kind.LINKED).feature is None
    assert not ShippedNotification.objects.exists() and not Feature.objects.exists()


# --- feedback notes ---------------------------------------------------------------------------


def test_a_note_takes_its_customer_from_its_contact(editor, product, alice, today):
    note = services.note_create(actor=editor, product=product, text="We need CSV exports for finance.",
                                date=today, contact=alice, highlight="CSV exports")
    assert note.customer == alice.customer


@pytest.mark.parametrize("field, kwargs", [
    ("highlight", {"highlight": "PDF exports"}),
    ("text", {"text": "   "}),
    ("date", {"date": "1800-01-01"}),
    ("contact", {"contact": "bob"}),
])
def test_a_bad_note_is_refused_by_field_and_nothing_is_saved(editor, product, acme_corp, bob, today, field, kwargs):
    values = {"text": "We need CSV exports.", "date": today, "customer": acme_corp, **kwargs}
    if values.get("contact") == "bob":
        values["contact"] = bob  # Bob works for Beta, not Acme
    with pytest.raises(ValidationError) as exc:
        services.note_create(actor=editor, product=product, **values)
    assert field in exc.value.message_dict
    assert not FeedbackNote.objects.exists()


def test_linking_a_note_weighs_its_customer_into_the_ideas_demand(editor, product, idea, beta_ltd, today):
    note = services.note_create(actor=editor, product=product, text="CSV please", date=today, customer=beta_ltd)

    services.note_link(actor=editor, note=note, ideas=[idea])
    idea.refresh_from_db()
    assert idea.demand == Decimal("50000.00")

    services.note_unlink(actor=editor, note=note, ideas=[idea])
    idea.refresh_from_db()
    assert idea.demand == 0


def test_a_note_cannot_link_to_a_merged_idea_or_another_products_idea(editor, product, idea, other_idea, today,
                                                                       workspace):
    from tests.factories import ProductFactory

    services.idea_merge(actor=editor, idea=other_idea, into=idea)
    other_idea.refresh_from_db()
    note = services.note_create(actor=editor, product=product, text="CSV please", date=today)
    for bad in (other_idea, IdeaFactory(product=ProductFactory(workspace=workspace))):
        with pytest.raises(ValidationError) as exc:
            services.note_link(actor=editor, note=note, ideas=[bad])
        assert "ideas" in exc.value.message_dict
    assert not note.ideas.exists()


def test_processing_a_note_records_who_and_when(editor, product, today):
    note = FeedbackNoteFactory(product=product)

    processed = services.note_process(actor=editor, note=note)

    assert (processed.processed, processed.processed_by) == (True, editor)
    assert processed.processed_at is not None
    assert services.note_process(actor=editor, note=note, processed=False).processed_at is None


def test_viewers_cannot_triage(viewer, product):
    with pytest.raises(PermissionDenied):
        services.note_process(actor=viewer, note=FeedbackNoteFactory(product=product))


def test_an_ingested_note_is_stored_once_per_external_id(editor, product, acme_corp):
    first, created = services.note_ingest(actor=editor, product=product, text="Crashes on export",
                                          source="support_ticket", external_id="T-42",
                                          contact_email="New.Person@acme.example", customer=acme_corp)
    again, created_again = services.note_ingest(actor=editor, product=product, text="Crashes on export",
                                                source="support_ticket", external_id="T-42")

    assert (created, created_again, first.pk) == (True, False, again.pk)
    assert first.contact.email == "new.person@acme.example"
    assert first.contact.customer == acme_corp == first.customer


# --- customers --------------------------------------------------------------------------------


def test_customer_names_are_unique_in_any_case(editor, workspace, acme_corp):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=editor, workspace=workspace, name="ACME CORP")
    assert "name" in exc.value.message_dict


def test_revenue_cannot_be_negative(editor, workspace):
    with pytest.raises(ValidationError) as exc:
        services.customer_create(actor=editor, workspace=workspace, name="Neg", annual_revenue=Decimal("-1"))
    assert "annual_revenue" in exc.value.message_dict
    assert not Customer.objects.exists()


def test_contact_emails_are_unique_in_the_workspace(editor, alice, beta_ltd):
    with pytest.raises(ValidationError) as exc:
        services.contact_create(actor=editor, customer=beta_ltd, name="Alice again", email="ALICE@acme.example")
    assert "email" in exc.value.message_dict


def test_moving_a_contact_moves_the_demand_of_their_votes(editor, idea, alice, beta_ltd):
    VoteFactory(idea=idea, contact=alice)

    services.contact_update(actor=editor, contact=alice, customer=beta_ltd)

    idea.refresh_from_db()
    assert idea.demand == Decimal("50000.00")


def test_deleting_a_customer_takes_its_weight_off_the_ideas(editor, idea, alice, bob, acme_corp):
    VoteFactory(idea=idea, contact=alice)
    VoteFactory(idea=idea, contact=bob)

    services.customer_delete(actor=editor, customer=acme_corp)

    idea.refresh_from_db()
    assert (idea.vote_count, idea.demand) == (1, Decimal("50000.00"))


def test_viewers_cannot_change_customers(viewer, workspace, acme_corp):
    with pytest.raises(PermissionDenied):
        services.customer_update(actor=viewer, customer=acme_corp, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.contact_create(actor=viewer, customer=acme_corp, name="Someone")


def test_contacts_of_other_workspaces_are_refused(editor, workspace, other_workspace):
    customer = services.customer_create(actor=editor, workspace=workspace, name="Here")
    stranger = ContactFactory(customer__workspace=other_workspace)
    with pytest.raises(PermissionDenied):
        services.contact_update(actor=editor, contact=stranger, customer=customer)


def test_viewers_cannot_record_an_idea_for_a_contact(viewer, product, alice):
    with pytest.raises(PermissionDenied):
        services.idea_create(actor=viewer, product=product, title="SSO", submitted_by_contact=alice)
