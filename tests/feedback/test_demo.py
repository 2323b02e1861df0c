"""The demo's feedback: enough customers, ideas, votes and notes, with revenue spread over a
long tail, for demand to rank ideas differently from votes; seeded once."""

from decimal import Decimal
from statistics import median

import pytest
from django.core.management import call_command

from feedback.models import Contact, Customer, FeedbackNote, Idea, IdeaEvent, PortalSettings, Vote
from releases.models import Feature
from strategy import demo
from strategy.models import Workspace

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for this module's tests (it takes a while)."""
    with django_db_blocker.unblock():
        call_command("seed_demo")
        yield Workspace.objects.get(name=demo.WORKSPACE_NAME)
        call_command("flush", "--no-input")


def test_the_demo_has_the_promised_amounts(seeded):
    assert Customer.objects.filter(workspace=seeded).count() == 40
    assert Contact.objects.filter(workspace=seeded).count() >= 60
    assert Idea.objects.filter(workspace=seeded).count() == 120
    # 1,500 cast; merging duplicates drops the second vote of people who voted for both.
    assert 1_450 <= Vote.objects.filter(idea__workspace=seeded).count() < 1_500
    assert FeedbackNote.objects.filter(workspace=seeded).count() == 200
    assert Idea.objects.filter(workspace=seeded, merged_into__isnull=False).count() == 7
    assert IdeaEvent.objects.filter(kind__in=["promoted", "linked"]).count() == 14
    assert PortalSettings.objects.filter(workspace=seeded, enabled=True).count() == 2


def test_revenue_has_a_long_tail_and_demand_ranks_differently_from_votes(seeded):
    revenues = sorted(Customer.objects.filter(workspace=seeded).values_list("annual_revenue", flat=True))
    assert revenues[-1] > 10 * median(revenues)
    ideas = Idea.objects.filter(workspace=seeded, merged_into__isnull=True)
    by_votes = list(ideas.order_by("-vote_count", "-id").values_list("pk", flat=True)[:10])
    by_demand = list(ideas.order_by("-demand", "-id").values_list("pk", flat=True)[:10])
    assert by_votes != by_demand
    assert ideas.filter(demand__gt=0).count() > 60


def test_promoted_ideas_give_their_features_demand(seeded):
    features = Feature.objects.filter(workspace=seeded, ideas__isnull=False).distinct()
    assert features.count() == 14
    assert features.filter(demand__gt=Decimal(0)).count() >= 12


def test_the_inbox_has_notes_to_triage_and_votes_are_spread_over_months(seeded):
    inbox = FeedbackNote.objects.filter(workspace=seeded, processed=False).count()
    assert 20 <= inbox <= 120
    dates = Vote.objects.filter(idea__workspace=seeded).dates("created_at", "month")
    assert len(dates) >= 5


def test_seeding_again_changes_nothing(seeded):
    before = (Customer.objects.count(), Idea.objects.count(), Vote.objects.count(), FeedbackNote.objects.count())
    call_command("seed_demo")
    assert (Customer.objects.count(), Idea.objects.count(), Vote.objects.count(),
            FeedbackNote.objects.count()) == before
