"""Feedback: the customers behind it, the ideas people ask for, their votes, the notes of
what customers said, and the public ideas portal of a product.

Two numbers on an idea are stored rather than counted on every read, so a list sorted by
them is an index read: `vote_count` and `demand` (weighted demand: the annual revenue of the
distinct customers behind the idea's votes and notes). Only `feedback.services` writes them,
recomputing both in one statement whenever votes or notes change."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from strategy.limits import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH, BoundedDateField, LongTextField
from strategy.models import (
    ExternalIdentity,
    Product,
    TimeStampedModel,
    Workspace,
    WorkspaceScopedQuerySet,
    external_id_unique,
)

# The text search configuration of every search column and query of this app.
SEARCH_CONFIG = "english"


class Customer(ExternalIdentity, TimeStampedModel):
    """An organisation that uses (or might buy) the workspace's products. Its annual revenue
    (ARR) weighs the demand of everything its people ask for."""

    class Segment(models.TextChoices):
        SMB = "smb", _("Small business")
        MID_MARKET = "mid_market", _("Mid-market")
        ENTERPRISE = "enterprise", _("Enterprise")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    domain = models.CharField(_("domain"), max_length=120, blank=True, help_text=_("For example acme.com."))
    segment = models.CharField(_("segment"), max_length=12, choices=Segment.choices, default=Segment.SMB)
    plan = models.CharField(_("plan"), max_length=60, blank=True, help_text=_("The plan they pay for."))
    annual_revenue = models.DecimalField(
        _("annual revenue"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)],
        help_text=_("Annual recurring revenue (ARR) from this customer."),
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+", verbose_name=_("account owner"))
    # Bumped on every save; an edit made from an older version is refused.
    version = models.PositiveIntegerField(default=1)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            external_id_unique("feedback_customer_external_id_unique"),
            models.UniqueConstraint(Lower("name"), "workspace", name="feedback_customer_name_unique_in_workspace"),
            models.CheckConstraint(condition=models.Q(annual_revenue__gte=0),
                                   name="feedback_customer_revenue_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(TimeStampedModel):
    """A person at a customer: who said something, or on whose behalf a member voted."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts",
                                 verbose_name=_("customer"))
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("email"), blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "workspace", condition=~models.Q(email=""),
                                    name="feedback_contact_email_unique_in_workspace"),
        ]

    def __str__(self) -> str:
        return self.name


class PortalSettings(TimeStampedModel):
    """Whether a product's public ideas portal is open, and what it says; set by admins."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.OneToOneField(Product, on_delete=models.CASCADE, related_name="portal_settings")
    enabled = models.BooleanField(_("portal open"), default=False)
    title = models.CharField(_("title"), max_length=120, blank=True,
                             help_text=_("Shown at the top of the portal; the product name when empty."))
    welcome = LongTextField(_("welcome text"), max_length=NOTE_MAX_LENGTH, blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = _("portal settings")

    def __str__(self) -> str:
        return f"Portal of {self.product_id}"


class PortalUser(TimeStampedModel):
    """Someone outside the workspace who signed in to a product's public portal with a
    magic link: they submit ideas, vote and comment there. `contact` ties them to a customer
    (matched by email), so their votes weigh in that customer's revenue."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="portal_users")
    email = models.EmailField(_("email"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL, related_name="portal_users")
    unsubscribed = models.BooleanField(_("unsubscribed"), default=False,
                                       help_text=_("No more emails about ideas they follow."))
    last_signed_in_at = models.DateTimeField(_("last signed in"), null=True, blank=True)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), "product", name="feedback_portal_user_email_unique_in_product"),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class Idea(ExternalIdentity, TimeStampedModel):
    """Something people ask a product to do, before anyone decided to build it. Votes and
    feedback notes show how many want it and who; an idea is promoted to a feature (or linked
    to an existing one) once it is planned, and shipped when that feature is done. A
    duplicate is merged into another idea and stays as a redirect (`merged_into`)."""

    class Status(models.TextChoices):
        NEW = "new", _("New")
        UNDER_REVIEW = "under_review", _("Under review")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        SHIPPED = "shipped", _("Shipped")
        DECLINED = "declined", _("Declined")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public: on the portal")
        INTERNAL = "internal", _("Internal: members only")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="ideas")
    title = models.CharField(_("title"), max_length=200)
    description = LongTextField(_("description"), blank=True, help_text=_("Markdown."))
    category = models.CharField(_("category"), max_length=60, blank=True,
                                help_text=_("For example Integrations or Reporting."))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    status_note = LongTextField(_("public note"), max_length=NOTE_MAX_LENGTH, blank=True,
                                help_text=_("Why the status is what it is; shown on the portal."))
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)
    # Who submitted it: a member, a contact (entered by a member) or a portal user; at most one.
    submitted_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    submitted_by_contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                             related_name="submitted_ideas")
    submitted_by_portal_user = models.ForeignKey(PortalUser, null=True, blank=True, on_delete=models.SET_NULL,
                                                 related_name="submitted_ideas")
    merged_into = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="merged_ideas", verbose_name=_("merged into"))
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    feature = models.ForeignKey("releases.Feature", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="ideas", verbose_name=_("feature"))
    # Stored counters (see the module docstring): written only by feedback.services.
    vote_count = models.PositiveIntegerField(_("votes"), default=0, editable=False)
    demand = models.DecimalField(_("demand"), max_digits=16, decimal_places=2, default=0, editable=False)
    search = models.GeneratedField(
        expression=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("description", weight="B", config=SEARCH_CONFIG),
        output_field=SearchVectorField(), db_persist=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = WorkspaceScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            external_id_unique("feedback_idea_external_id_unique"),
            models.CheckConstraint(
                condition=(models.Q(submitted_by_user__isnull=True) | models.Q(submitted_by_contact__isnull=True))
                & (models.Q(submitted_by_user__isnull=True) | models.Q(submitted_by_portal_user__isnull=True))
                & (models.Q(submitted_by_contact__isnull=True) | models.Q(submitted_by_portal_user__isnull=True)),
                name="feedback_idea_one_submitter",
            ),
            models.CheckConstraint(condition=~models.Q(merged_into=models.F("id")),
                                   name="feedback_idea_not_merged_into_itself"),
        ]
        indexes = [
            models.Index(fields=["product", "-vote_count", "-id"], name="feedback_idea_votes"),
            models.Index(fields=["product", "-demand", "-id"], name="feedback_idea_demand"),
            models.Index(fields=["product", "-created_at", "-id"], name="feedback_idea_recent"),
            models.Index(fields=["product", "status"], name="feedback_idea_status"),
            GinIndex(fields=["search"], name="feedback_idea_search"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def submitter(self):
        """The member, contact or portal user who submitted the idea, or None."""
        return self.submitted_by_user or self.submitted_by_contact or self.submitted_by_portal_user


def voter_key(*, user=None, contact=None, portal_user=None) -> str:
    """The one text that names a voter ("user:5", "contact:7", "portal:3"): the unique
    constraint of a vote is on it, so a person votes once per idea even when two requests race."""
    if user is not None:
        return f"user:{user.pk}"
    if contact is not None:
        return f"contact:{contact.pk}"
    return f"portal:{portal_user.pk}"


class Vote(models.Model):
    """One person's vote for an idea: a member, a contact (a member voting on their behalf,
    `recorded_by`) or a portal user; exactly one of them, and once per idea (`voter_key`)."""

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="+")
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.CASCADE, related_name="votes")
    portal_user = models.ForeignKey(PortalUser, null=True, blank=True, on_delete=models.CASCADE,
                                    related_name="votes")
    voter_key = models.CharField(max_length=40)
    # The member who recorded a contact's vote on their behalf (from a call, an email…).
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("voted"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["idea", "voter_key"], name="feedback_vote_one_per_person"),
            models.CheckConstraint(
                condition=models.Q(user__isnull=False, contact__isnull=True, portal_user__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=False, portal_user__isnull=True)
                | models.Q(user__isnull=True, contact__isnull=True, portal_user__isnull=False),
                name="feedback_vote_exactly_one_voter",
            ),
        ]
        indexes = [
            models.Index(fields=["idea", "created_at"], name="feedback_vote_idea_recent"),
            models.Index(fields=["contact"], name="feedback_vote_contact"),
        ]

    def __str__(self) -> str:
        return f"{self.voter_key} for idea {self.idea_id}"


class FeedbackNoteQuerySet(WorkspaceScopedQuerySet):
    def unprocessed(self) -> FeedbackNoteQuerySet:
        return self.filter(processed=False)


class FeedbackNote(TimeStampedModel):
    """What a customer said, where and when (a call, an email, a support ticket…), kept
    verbatim with the passage that matters highlighted, and linked to the ideas and features
    it asks for. A note is processed once someone has triaged it."""

    class Source(models.TextChoices):
        CALL = "call", _("Call")
        EMAIL = "email", _("Email")
        SUPPORT_TICKET = "support_ticket", _("Support ticket")
        SALES = "sales", _("Sales")
        PORTAL = "portal", _("Portal")
        SURVEY = "survey", _("Survey")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="feedback_notes")
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="notes", verbose_name=_("customer"))
    contact = models.ForeignKey(Contact, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="notes", verbose_name=_("contact"))
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.CALL)
    date = BoundedDateField(_("date"))
    text = LongTextField(_("what they said"))
    highlight = LongTextField(_("highlight"), blank=True,
                              help_text=_("The passage that matters; it must appear in the text."))
    # Where it came from in another tool (a ticket number): posting it again changes nothing.
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    processed = models.BooleanField(_("processed"), default=False)
    processed_at = models.DateTimeField(_("processed"), null=True, blank=True)
    processed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    ideas = models.ManyToManyField(Idea, blank=True, related_name="notes", verbose_name=_("ideas"))
    features = models.ManyToManyField("releases.Feature", blank=True, related_name="feedback_notes",
                                      verbose_name=_("features"))
    search = models.GeneratedField(
        expression=SearchVector("text", config=SEARCH_CONFIG),
        output_field=SearchVectorField(), db_persist=True,
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    version = models.PositiveIntegerField(default=1)

    objects = FeedbackNoteQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "source", "external_id"], condition=~models.Q(external_id=""),
                                    name="feedback_note_external_id_unique"),
        ]
        indexes = [
            models.Index(fields=["product", "processed", "-date"], name="feedback_note_triage"),
            GinIndex(fields=["search"], name="feedback_note_search"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class IdeaComment(models.Model):
    """A remark on an idea, by a member or a portal user. Internal comments are for members
    only; public ones also show on the portal."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        INTERNAL = "internal", _("Internal")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    portal_user = models.ForeignKey(PortalUser, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="comments")
    body = LongTextField(_("comment"), max_length=COMMENT_MAX_LENGTH)
    visibility = models.CharField(_("visibility"), max_length=10, choices=Visibility.choices,
                                  default=Visibility.INTERNAL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(author__isnull=True) | models.Q(portal_user__isnull=True),
                                   name="feedback_comment_one_author"),
        ]

    def __str__(self) -> str:
        return self.body[:40]


class IdeaEvent(models.Model):
    """A line of an idea's history: its status changed, it was merged (into another, or
    another into it), promoted or linked to a feature, or shipped with its feature."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS_CHANGED = "status_changed", _("Status changed")
        MERGED_INTO = "merged_into", _("Merged into another idea")
        MERGED_FROM = "merged_from", _("Another idea merged into it")
        PROMOTED = "promoted", _("Promoted to a feature")
        LINKED = "linked", _("Linked to a feature")
        SHIPPED = "shipped", _("Shipped with its feature")

    idea = models.ForeignKey(Idea, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    from_status = models.CharField(max_length=12, choices=Idea.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Idea.Status.choices, blank=True)
    other_idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    feature = models.ForeignKey("releases.Feature", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+")
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on idea {self.idea_id}"


class ShippedNotification(models.Model):
    """That one person was told an idea (or a feature, for all its linked ideas) shipped:
    one row per recipient, so a retried or repeated close-the-loop run emails nobody twice."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    idea = models.ForeignKey(Idea, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    feature = models.ForeignKey("releases.Feature", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="+")
    email = models.EmailField()
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feature", "email"], condition=models.Q(feature__isnull=False),
                                    name="feedback_shipped_once_per_feature"),
            models.UniqueConstraint(fields=["idea", "email"], condition=models.Q(feature__isnull=True),
                                    name="feedback_shipped_once_per_idea"),
            models.CheckConstraint(condition=models.Q(idea__isnull=False) | models.Q(feature__isnull=False),
                                   name="feedback_shipped_about_something"),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.feature_id or self.idea_id}"


class EmailOptOut(models.Model):
    """An address that asked (through the unsubscribe link) for no more feedback emails
    from this workspace: shipped notices skip it, whoever it belongs to."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), "workspace", name="feedback_opt_out_once_per_email"),
        ]

    def __str__(self) -> str:
        return self.email
