"""factory_boy factories, one per model. They write rows directly, without the services'
permission checks, but fill in what the services would (workspace from the product, a
feature's number and rank, a key result's first check-in), so the rows look like real ones."""

from datetime import date, timedelta
from decimal import Decimal

import factory
from django.contrib.auth.hashers import make_password
from django.db.models import Max
from django.utils import timezone
from factory.django import DjangoModelFactory

from releases import metrics, ranking
from releases.models import (
    Comment,
    Dependency,
    Feature,
    Milestone,
    ProductDeliverySnapshot,
    Release,
    ReleaseDeliverySnapshot,
    Requirement,
    StatusCategory,
    WorkflowStatus,
)
from releases.services import workflow_defaults_create
from roadmap.models import IngestKey, ShareLink, UsageDaily, WorkerHeartbeat
from roadmap.services import PREFIX_LENGTH, digest, ingest_keys, new_token
from strategy.history import record_author
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


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password("correct-horse-battery")


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.VIEWER


class ProductFactory(DjangoModelFactory):
    class Meta:
        model = Product

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    key = factory.Sequence(lambda n: f"P{n}")
    kind = Product.Kind.PRODUCT


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    role = Role.EDITOR


# --- strategy ---------------------------------------------------------------------------------
# Strategy records take their workspace from their product (or goal, criterion) as the services
# do, and name `created_by` as the author of their first history row.


class StrategyRecordFactory(DjangoModelFactory):
    class Meta:
        abstract = True

    created_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance = model_class(*args, **kwargs)
        record_author(instance, instance.created_by)
        instance.save()
        return instance


class VisionFactory(StrategyRecordFactory):
    class Meta:
        model = Vision

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    statement = "Be the easiest way for independent shops to sell online."


class PersonaFactory(StrategyRecordFactory):
    class Meta:
        model = Persona

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    name = factory.Sequence(lambda n: f"Persona {n}")


class CompetitorFactory(StrategyRecordFactory):
    class Meta:
        model = Competitor

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    name = factory.Sequence(lambda n: f"Competitor {n}")


class ComparisonCriterionFactory(StrategyRecordFactory):
    class Meta:
        model = ComparisonCriterion

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    name = factory.Sequence(lambda n: f"Criterion {n}")
    position = factory.Sequence(int)


class CompetitorRatingFactory(StrategyRecordFactory):
    """A rating of `competitor` on `criterion`; without a competitor, the product's own."""

    class Meta:
        model = CompetitorRating

    criterion = factory.SubFactory(ComparisonCriterionFactory)
    workspace = factory.SelfAttribute("criterion.workspace")
    competitor = None
    score = 3


class GoalFactory(StrategyRecordFactory):
    """A company-wide goal for the first half of 2026, unless given a product and dates."""

    class Meta:
        model = Goal

    workspace = factory.SubFactory(WorkspaceFactory)
    product = None
    name = factory.Sequence(lambda n: f"Goal {n}")
    start_date = date(2026, 1, 1)
    end_date = date(2026, 6, 30)


class KeyResultFactory(StrategyRecordFactory):
    """A key result from 0 to 100, at the end of its goal's list, with its first check-in at
    the current value (the start value unless given), as `key_result_create` writes it."""

    class Meta:
        model = KeyResult
        skip_postgeneration_save = True

    goal = factory.SubFactory(GoalFactory)
    workspace = factory.SelfAttribute("goal.workspace")
    name = factory.Sequence(lambda n: f"Metric {n}")
    start_value = Decimal(0)
    target_value = Decimal(100)
    current_value = factory.SelfAttribute("start_value")
    direction = factory.LazyAttribute(
        lambda o: KeyResult.Direction.DOWN if o.target_value < o.start_value else KeyResult.Direction.UP)
    position = factory.LazyAttribute(
        lambda o: (o.goal.key_results.aggregate(Max("position"))["position__max"] or 0) + 1)
    first_check_in = factory.RelatedFactory(
        "tests.factories.CheckInFactory", factory_related_name="key_result",
        value=factory.SelfAttribute("..current_value"), author=factory.SelfAttribute("..created_by"),
        note="Starting value",
    )


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    key_result = factory.SubFactory(KeyResultFactory, first_check_in=None)
    value = Decimal(50)
    author = None


class InitiativeFactory(StrategyRecordFactory):
    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    name = factory.Sequence(lambda n: f"Initiative {n}")

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        if create and extracted:
            self.goals.set(extracted)


# --- releases ---------------------------------------------------------------------------------


def _default_workflow(workspace) -> list[WorkflowStatus]:
    """The workspace's open statuses; the default workflow first if it has none, as the
    workspace_created signal gives every workspace made through the service."""
    workflow_defaults_create(workspace=workspace)
    return list(WorkflowStatus.objects.filter(workspace=workspace, retired_at__isnull=True))


class WorkflowStatusFactory(DjangoModelFactory):
    """A status of the workspace's workflow, which has the default statuses already: a default
    name (Backlog, In development…) gives that status back; a new name is added at the end."""

    class Meta:
        model = WorkflowStatus

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Status {n}")
    category = StatusCategory.IN_PROGRESS

    @classmethod
    def _create(cls, model_class, *args, workspace, name, **kwargs):
        statuses = _default_workflow(workspace)
        existing = next((s for s in statuses if s.name.lower() == name.lower()), None)
        if existing is not None:
            return existing
        kwargs.setdefault("position", max((s.position for s in statuses), default=0) + 1)
        return super()._create(model_class, *args, workspace=workspace, name=name, **kwargs)


class ReleaseFactory(DjangoModelFactory):
    """A planned release in progress: started 30 days before today, shipping 34 days after."""

    class Meta:
        model = Release

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    name = factory.Sequence(lambda n: f"Release {n}")
    start_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    release_date = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=34))
    created_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        release = model_class(*args, **kwargs)
        record_author(release, release.created_by)
        release.save()
        return release


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    release = factory.SubFactory(ReleaseFactory)
    name = factory.Sequence(lambda n: f"Milestone {n}")
    date = factory.SelfAttribute("release.release_date")


class FeatureFactory(DjangoModelFactory):
    """A feature at the bottom of its product's backlog with the product's next number, as
    `feature_create` makes it: the workflow's first status unless given one, the RICE score
    computed, `created_by` the author of its first version."""

    class Meta:
        model = Feature
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    title = factory.Sequence(lambda n: f"Feature {n}")
    status = factory.LazyAttribute(lambda o: _default_workflow(o.workspace)[0])
    created_by = None
    updated_by = factory.SelfAttribute("created_by")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        feature = model_class(*args, **kwargs)
        last = Feature.objects.filter(product=feature.product).aggregate(number=Max("number"), rank=Max("rank"))
        last_ever = Feature.history.filter(product_id=feature.product_id).aggregate(number=Max("number"))["number"]
        if feature.number is None:
            feature.number = max(last["number"] or 0, last_ever or 0) + 1
        if not feature.rank:
            feature.rank = ranking.rank_between(last["rank"], None)
        feature.rice_score = metrics.rice_score(reach=feature.reach, impact=feature.impact,
                                                confidence=feature.confidence, effort=feature.effort)
        record_author(feature, feature.created_by)
        feature.save()
        return feature

    @factory.post_generation
    def goals(self, create, extracted, **kwargs):
        if create and extracted:
            self.goals.set(extracted)


class RequirementFactory(DjangoModelFactory):
    class Meta:
        model = Requirement

    feature = factory.SubFactory(FeatureFactory)
    text = factory.Sequence(lambda n: f"Requirement {n}")
    position = factory.Sequence(int)


class DependencyFactory(DjangoModelFactory):
    """`feature` waits for `depends_on`, both features of one product."""

    class Meta:
        model = Dependency

    feature = factory.SubFactory(FeatureFactory)
    depends_on = factory.SubFactory(FeatureFactory, product=factory.SelfAttribute("..feature.product"))


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    feature = factory.SubFactory(FeatureFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")


# --- roadmap ----------------------------------------------------------------------------------


class ShareLinkFactory(DjangoModelFactory):
    """A timeline share link. Only the digest of `token` is stored, as `share_link_create`
    does: pass your own `token` (and `password`) to open the link in a test."""

    class Meta:
        model = ShareLink

    class Params:
        token = factory.LazyFunction(new_token)
        password = ""

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    view = ShareLink.View.TIMELINE
    token_digest = factory.LazyAttribute(lambda o: digest(o.token))
    token_prefix = factory.LazyAttribute(lambda o: o.token[:PREFIX_LENGTH])
    password_hash = factory.LazyAttribute(lambda o: make_password(o.password) if o.password else "")


class WorkerHeartbeatFactory(DjangoModelFactory):
    class Meta:
        model = WorkerHeartbeat
        django_get_or_create = ["hostname"]

    hostname = factory.Sequence(lambda n: f"worker{n}@test")
    beat_at = factory.LazyFunction(timezone.now)


# --- releases: delivery metrics -----------------------------------------------------------


class ReleaseDeliverySnapshotFactory(DjangoModelFactory):
    """Today's delivery snapshot of a release, computed a minute ago, with nothing forecast."""

    class Meta:
        model = ReleaseDeliverySnapshot

    release = factory.SubFactory(ReleaseFactory)
    day = factory.LazyFunction(timezone.localdate)
    computed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))


class ProductDeliverySnapshotFactory(DjangoModelFactory):
    """Today's delivery snapshot of a product, computed a minute ago, without history."""

    class Meta:
        model = ProductDeliverySnapshot

    product = factory.SubFactory(ProductFactory)
    day = factory.LazyFunction(timezone.localdate)
    computed_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=1))


# --- roadmap: key results bound to a metric (metricsweb) ------------------------------------------------------


class KeyResultBindingFactory(DjangoModelFactory):
    """A key result following the daily active users of a product of its workspace."""

    class Meta:
        model = "roadmap.KeyResultBinding"

    key_result = factory.SubFactory(KeyResultFactory)
    workspace = factory.SelfAttribute("key_result.workspace")
    metric = "dau"
    product = factory.SubFactory(ProductFactory, workspace=factory.SelfAttribute("..workspace"))


# --- roadmap: usage metrics ----------------------------------------------------------------------


class IngestKeyFactory(DjangoModelFactory):
    """An ingest key of a product. Only the digest of `key` is stored, as `ingest_key_create`
    does: pass your own `key` to send events with it in a test."""

    class Meta:
        model = IngestKey

    class Params:
        key = factory.LazyFunction(ingest_keys.new_key)

    product = factory.SubFactory(ProductFactory)
    name = "Web app"
    key_digest = factory.LazyAttribute(lambda o: ingest_keys.key_digest(o.key))
    key_prefix = factory.LazyAttribute(lambda o: o.key[:ingest_keys.PREFIX_LENGTH])


class UsageDailyFactory(DjangoModelFactory):
    """A rolled-up day of a product, for pages and selectors (the rollups write the real ones)."""

    class Meta:
        model = UsageDaily

    product = factory.SubFactory(ProductFactory)
    day = factory.LazyFunction(timezone.localdate)
    dau = 10
    wau = 40
    mau = 120
    sessions = 20
    bounced_sessions = 8
    events = 100
    computed_at = factory.LazyFunction(timezone.now)
# --- feedback ---------------------------------------------------------------------------------
# Votes and note links made by factories recount the idea's stored counters (as the services
# do), so `vote_count` and `demand` are right whichever way a test builds its data.

from feedback.models import (  # noqa: E402 - the feedback block stays apart from the others
    Contact,
    Customer,
    FeedbackNote,
    Idea,
    IdeaComment,
    PortalSettings,
    PortalUser,
    Vote,
    voter_key,
)
from feedback.services import ideas_recount  # noqa: E402


class CustomerFactory(DjangoModelFactory):
    class Meta:
        model = Customer

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    domain = factory.Sequence(lambda n: f"customer{n}.example.com")
    segment = Customer.Segment.MID_MARKET
    annual_revenue = Decimal("10000.00")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    workspace = factory.SelfAttribute("customer.workspace")
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.example.com")


class PortalSettingsFactory(DjangoModelFactory):
    class Meta:
        model = PortalSettings
        django_get_or_create = ["product"]

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    enabled = True


class PortalUserFactory(DjangoModelFactory):
    class Meta:
        model = PortalUser

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    email = factory.Sequence(lambda n: f"fan{n}@outside.example.com")
    name = factory.Faker("name")


class IdeaFactory(DjangoModelFactory):
    class Meta:
        model = Idea

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    title = factory.Sequence(lambda n: f"Idea {n}")
    description = ""
    visibility = Idea.Visibility.INTERNAL


class VoteFactory(DjangoModelFactory):
    """A vote of a member (`user`), a contact or a portal user (a new member when none given)."""

    class Meta:
        model = Vote

    idea = factory.SubFactory(IdeaFactory)

    @classmethod
    def _create(cls, model_class, *args, user=None, contact=None, portal_user=None, **kwargs):
        if user is None and contact is None and portal_user is None:
            user = UserFactory()
        vote = model_class(*args, user=user, contact=contact, portal_user=portal_user,
                           voter_key=voter_key(user=user, contact=contact, portal_user=portal_user), **kwargs)
        vote.save()
        ideas_recount(idea_ids=[vote.idea_id])
        return vote


class FeedbackNoteFactory(DjangoModelFactory):
    class Meta:
        model = FeedbackNote
        skip_postgeneration_save = True

    product = factory.SubFactory(ProductFactory)
    workspace = factory.SelfAttribute("product.workspace")
    customer = None
    contact = None
    source = FeedbackNote.Source.CALL
    date = factory.LazyFunction(timezone.localdate)
    text = factory.Sequence(lambda n: f"Customer feedback number {n}.")

    @factory.post_generation
    def ideas(self, create, extracted, **kwargs):
        if create and extracted:
            self.ideas.set(extracted)
            ideas_recount(idea_ids=[idea.pk for idea in extracted])

    @factory.post_generation
    def features(self, create, extracted, **kwargs):
        if create and extracted:
            self.features.set(extracted)


class IdeaCommentFactory(DjangoModelFactory):
    class Meta:
        model = IdeaComment

    idea = factory.SubFactory(IdeaFactory)
    body = factory.Sequence(lambda n: f"Comment {n}")
    visibility = IdeaComment.Visibility.INTERNAL
