"""Notifications: who hears of what (each kind, never of one's own action, members only),
following, bulk changes in one batch, email choices, immediate emails, the daily digest
(idempotent) and one-click unsubscribing."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from releases import selectors, services
from releases.models import EmailChoice, FeatureFollow, Notification, NotificationKind, NotificationSettings
from strategy.models import Role

from ..conftest import count_queries
from ..factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(workspace):
    return MembershipFactory(workspace=workspace, user=UserFactory(email="owner@acme.test", full_name="Olive Owner"),
                             role=Role.EDITOR).user


@pytest.fixture
def feature(editor, product, workflow):
    return services.feature_create(actor=editor, product=product, title="Dark mode", status=workflow["Planned"])


def kinds(user) -> list[tuple[str, str]]:
    return [(n.kind, n.feature.title) for n in Notification.objects.filter(recipient=user).order_by("id")]


# --- producing -------------------------------------------------------------------------------


def test_assigning_a_feature_tells_the_new_assignee_and_makes_them_follow(editor, viewer, feature):
    services.feature_update(actor=editor, feature=feature, assignee=viewer)

    assert kinds(viewer) == [("assigned", "Dark mode")]
    assert FeatureFollow.objects.filter(feature=feature, user=viewer, is_following=True).exists()
    notification = Notification.objects.get(recipient=viewer)
    assert notification.actor == editor and notification.workspace_id == feature.workspace_id


def test_creating_a_feature_for_someone_tells_them(editor, viewer, product, workflow):
    services.feature_create(actor=editor, product=product, title="Search", assignee=viewer)

    assert kinds(viewer) == [("assigned", "Search")]


def test_nobody_is_told_of_their_own_action(editor, feature, workflow):
    services.feature_update(actor=editor, feature=feature, assignee=editor)
    services.feature_update(actor=editor, feature=feature, status=workflow["In development"])
    services.comment_create(actor=editor, feature=feature, body="Note to self, @editor")

    assert not Notification.objects.exists()


def test_a_status_change_tells_the_followers_with_the_step(editor, admin, viewer, feature, workflow):
    services.feature_follow_set(actor=viewer, feature=feature, following=True)

    services.feature_update(actor=admin, feature=feature, status=workflow["In development"])

    # The creator follows automatically; the viewer by hand; the admin made the change.
    assert kinds(editor) == [("status", "Dark mode")]
    assert kinds(viewer) == [("status", "Dark mode")]
    assert kinds(admin) == []
    assert Notification.objects.get(recipient=viewer).detail == "Planned → In development"


def test_someone_who_unfollowed_hears_nothing_and_stays_unfollowed_when_commenting(editor, admin, viewer, feature,
                                                                                  workflow):
    services.feature_follow_set(actor=editor, feature=feature, following=False)
    services.comment_create(actor=editor, feature=feature, body="Still here")

    services.feature_update(actor=admin, feature=feature, status=workflow["In development"])

    assert kinds(editor) == []
    assert not selectors.is_following(user=editor, feature=feature)


def test_commenting_makes_the_author_follow(editor, admin, viewer, feature, workflow):
    services.comment_create(actor=viewer, feature=feature, body="Looks good")

    services.feature_update(actor=admin, feature=feature, status=workflow["In development"])

    assert ("status", "Dark mode") in kinds(viewer)


def test_a_comment_tells_the_owner_and_a_mention_the_member_named(editor, admin, viewer, owner, feature):
    services.feature_update(actor=editor, feature=feature, assignee=owner)
    Notification.objects.all().delete()

    services.comment_create(actor=viewer, feature=feature, body="What do you think, @admin?")

    assert kinds(owner) == [("comment", "Dark mode")]
    assert kinds(admin) == [("mention", "Dark mode")]
    assert Notification.objects.get(recipient=owner).detail == "What do you think, @admin?"


def test_the_creator_owns_a_feature_nobody_is_assigned_to(editor, viewer, feature):
    services.comment_create(actor=viewer, feature=feature, body="Question")

    assert kinds(editor) == [("comment", "Dark mode")]


def test_an_owner_who_is_mentioned_is_told_once(editor, viewer, feature):
    services.comment_create(actor=viewer, feature=feature, body="@editor please look")

    assert kinds(editor) == [("mention", "Dark mode")]


def test_a_former_member_is_not_told(editor, admin, viewer, feature, workflow, workspace):
    services.feature_follow_set(actor=viewer, feature=feature, following=True)
    viewer.memberships.filter(workspace=workspace).delete()

    services.feature_update(actor=admin, feature=feature, status=workflow["In development"])

    assert kinds(viewer) == []


def test_a_change_that_rolls_back_leaves_no_notification(editor, viewer, feature):
    with pytest.raises(ValidationError):
        # The assignee is valid, the release of another product is not: nothing is written.
        services.feature_update(actor=editor, feature=feature, assignee=viewer, estimate=-1)

    assert not Notification.objects.exists()


def test_a_bulk_status_change_notifies_every_follower_of_every_feature(editor, admin, viewer, product, workflow):
    features = [services.feature_create(actor=editor, product=product, title=f"F{i}", status=workflow["Planned"])
                for i in range(3)]
    services.feature_follow_set(actor=viewer, feature=features[0], following=True)

    services.feature_bulk_update(actor=admin, features=features, status=workflow["In development"])

    assert kinds(editor) == [("status", "F0"), ("status", "F1"), ("status", "F2")]
    assert kinds(viewer) == [("status", "F0")]


def test_notifying_a_bulk_change_costs_the_same_queries_for_2_or_12_features(editor, admin, viewer, product,
                                                                              workflow):
    def notify(count: int) -> int:
        features = [services.feature_create(actor=editor, product=product, title=f"F{i}", status=workflow["Planned"],
                                            assignee=viewer) for i in range(count)]
        for feature in features:
            services.feature_follow_set(actor=admin, feature=feature, following=True)
            feature.status = workflow["Shipped"]
        changes = [services.FeatureChange(f, workflow["Planned"].pk, viewer.pk) for f in features]
        return count_queries(lambda: services.notify_feature_changes(actor=viewer, changes=changes))

    few = notify(2)
    assert notify(12) == few
    # Creator, admin (the viewer made the change): two per feature.
    assert Notification.objects.filter(kind="status").count() == 2 * 14


def test_a_bulk_upsert_tells_the_new_assignees(editor, viewer, product, workflow):
    first = services.feature_create(actor=editor, product=product, title="One")
    services.feature_bulk_upsert(actor=editor, items=[(first, {"assignee": viewer}),
                                                      (None, {"product": product, "title": "Two",
                                                              "assignee": viewer})])

    assert sorted(kinds(viewer)) == [("assigned", "One"), ("assigned", "Two")]


# --- following -------------------------------------------------------------------------------


def test_following_by_hand_and_unfollowing(viewer, feature):
    services.feature_follow_set(actor=viewer, feature=feature, following=True)
    assert selectors.is_following(user=viewer, feature=feature)

    services.feature_follow_set(actor=viewer, feature=feature, following=False)
    assert not selectors.is_following(user=viewer, feature=feature)


def test_a_non_member_may_not_follow(feature, other_workspace):
    stranger = other_workspace.memberships.first().user
    with pytest.raises(PermissionDenied):
        services.feature_follow_set(actor=stranger, feature=feature, following=True)


# --- reading ---------------------------------------------------------------------------------


def test_marking_read_one_and_all_updates_the_unread_count(editor, viewer, product, workspace):
    for title in ("A", "B", "C"):
        services.feature_create(actor=editor, product=product, title=title, assignee=viewer)
    assert selectors.unread_count(user=viewer, workspace=workspace) == 3

    first = Notification.objects.filter(recipient=viewer).first()
    services.notification_mark_read(actor=viewer, notification=first)
    assert selectors.unread_count(user=viewer, workspace=workspace) == 2

    assert services.notifications_mark_all_read(actor=viewer, workspace=workspace) == 2
    assert selectors.unread_count(user=viewer, workspace=workspace) == 0


def test_the_unread_count_is_remembered_between_pages(editor, viewer, product, workspace):
    services.feature_create(actor=editor, product=product, title="A", assignee=viewer)
    assert selectors.unread_count(user=viewer, workspace=workspace) == 1

    assert count_queries(lambda: selectors.unread_count(user=viewer, workspace=workspace)) == 0


def test_nobody_marks_someone_elses_notification_read(editor, viewer, product):
    services.feature_create(actor=editor, product=product, title="A", assignee=viewer)
    with pytest.raises(PermissionDenied):
        services.notification_mark_read(actor=editor, notification=Notification.objects.get())


# --- email -----------------------------------------------------------------------------------


def test_an_assignment_is_emailed_right_away_with_a_one_click_unsubscribe(editor, viewer, feature,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.feature_update(actor=editor, feature=feature, assignee=viewer)

    [message] = mail.outbox
    assert message.to == [viewer.email]
    assert message.subject == f"{editor.display_name} assigned you MOB-1 Dark mode"
    assert "http://testserver/w/acme/products/MOB/features/1/" in message.body
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Notification.objects.get(recipient=viewer).emailed_at is not None


def test_a_kind_switched_off_or_to_the_digest_is_not_emailed_right_away(editor, viewer, feature,
                                                                        django_capture_on_commit_callbacks):
    services.notification_settings_update(actor=viewer, assigned=EmailChoice.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        services.feature_update(actor=editor, feature=feature, assignee=viewer)

    assert mail.outbox == []
    assert Notification.objects.get(recipient=viewer).emailed_at is None


def test_mention_emails_obey_the_choice_and_carry_the_unsubscribe_headers(editor, admin, viewer, feature,
                                                                          django_capture_on_commit_callbacks):
    services.notification_settings_update(actor=admin, mention=EmailChoice.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        services.comment_create(actor=viewer, feature=feature, body="@admin and @editor, look")

    assert [m.to for m in mail.outbox] == [[editor.email]]
    assert mail.outbox[0].extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Told by the mention email: no digest lists it again.
    assert Notification.objects.get(recipient=editor, kind="mention").emailed_at is not None
    assert services.mention_emails_sweep(now=timezone.now() + timedelta(minutes=10)) == 0


def test_settings_refuse_unknown_choices_by_field(viewer):
    with pytest.raises(ValidationError) as caught:
        services.notification_settings_update(actor=viewer, status="hourly")
    assert "status" in caught.value.error_dict
    assert not NotificationSettings.objects.exists()


def test_the_daily_digest_sends_one_email_and_never_twice_for_the_same_notifications(
        editor, admin, viewer, product, workflow, django_capture_on_commit_callbacks):
    services.notification_settings_update(actor=viewer, assigned=EmailChoice.DAILY, status=EmailChoice.DAILY)
    features = [services.feature_create(actor=editor, product=product, title=t, assignee=viewer,
                                        status=workflow["Planned"]) for t in ("Alpha", "Beta")]
    services.feature_update(actor=admin, feature=features[0], status=workflow["In development"])

    with django_capture_on_commit_callbacks(execute=True):
        # The viewer, and the editor (following what they created; status changes come daily by default).
        assert services.notification_digests_queue() == 2
    [digest] = [m for m in mail.outbox if m.to == [viewer.email]]
    assert "3 notification(s)" in digest.subject
    assert "assigned you MOB-1 Alpha" in digest.body and "moved MOB-1 Alpha" in digest.body
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.notification_digests_queue()
    assert services.notification_digest_send(user_id=viewer.pk) == 0
    assert mail.outbox == []

    # Something new arrives: the next digest lists only that.
    services.feature_update(actor=admin, feature=features[1], status=workflow["In development"])
    assert services.notification_digest_send(user_id=viewer.pk) == 1
    assert "moved MOB-2 Beta" in mail.outbox[0].body and "Alpha" not in mail.outbox[0].body


def test_the_digest_leaves_out_what_was_read(editor, viewer, product, workspace):
    services.notification_settings_update(actor=viewer, assigned=EmailChoice.DAILY)
    services.feature_create(actor=editor, product=product, title="A", assignee=viewer)
    services.notifications_mark_all_read(actor=viewer, workspace=workspace)

    assert services.notification_digest_send(user_id=viewer.pk) == 0
    assert mail.outbox == []


# --- unsubscribing ---------------------------------------------------------------------------


def test_an_unsubscribe_token_switches_its_kind_off(viewer):
    token = services.unsubscribe_token(user_id=viewer.pk, kind="status")

    services.notifications_unsubscribe(token=token)
    services.notifications_unsubscribe(token=token)  # again: no change

    settings_row = NotificationSettings.objects.get(user=viewer)
    assert (settings_row.status, settings_row.mention) == ("off", "immediate")


def test_the_digest_token_switches_everything_off(viewer):
    services.notifications_unsubscribe(token=services.unsubscribe_token(user_id=viewer.pk, kind="all"))

    settings_row = NotificationSettings.objects.get(user=viewer)
    assert {settings_row.choice_for(kind) for kind in NotificationKind.values} == {"off"}


def test_a_forged_token_is_refused(viewer):
    token = services.unsubscribe_token(user_id=viewer.pk, kind="status")
    with pytest.raises(ValidationError):
        services.notifications_unsubscribe(token=token[:-2] + "xx")
