"""Serializers of the releases API: workflow statuses, releases with milestones, features
with requirements, dependencies and comments.

Output serializers read only what the viewsets' querysets loaded (annotated counts,
`select_related` rows, prefetched goals and milestones, conflicts the viewset attached).
Input serializers are named after the services' keyword arguments; the ids they take are
looked up only among rows the requesting user may see, so another workspace's id is
refused (400 on that field) exactly like an id that does not exist."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from strategy import selectors as strategy_selectors
from strategy.api.fields import DateField, VisibleIdField, VisibleIdsField, VisibleSlugField, optional_text
from strategy.api.records import InputSerializer
from strategy.api.tenancy import UserSerializer
from strategy.limits import BULK_MAX_COUNT, COMMENT_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_MAX_COUNT
from strategy.models import Goal, Initiative, Product, User, Workspace

from .. import selectors
from ..models import Comment, Dependency, Feature, Milestone, Release, Requirement, StatusCategory, WorkflowStatus

# --- shared pieces ------------------------------------------------------------

IMPACTS = [Decimal(str(value)) for value, _label in Feature.IMPACT_CHOICES]


def _enum(name: str, choices, description: str):
    """A choice field documented as its own named enum component, so that two `status` fields
    with different choices (a release's, an initiative's) do not collide in the schema."""

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in choices],
         "description": description + " " + "; ".join(f"`{value}`: {label}" for value, label in choices)},
        component_name=name,
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    EnumField.__name__ = name
    return EnumField


ReleaseStatusField = _enum("ReleaseStatusEnum", Release.Status.choices, "Where a release stands.")
StatusCategoryField = _enum("StatusCategoryEnum", StatusCategory.choices,
                            "What a workflow status means for progress.")


def _version_field(what: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=0, write_only=True,
        help_text=f"The version of the {what} you read. If someone saved it since, the update is refused with 409.",
    )


class ConflictSerializer(serializers.Serializer):
    rule = serializers.CharField(
        read_only=True,
        help_text="ends_after_release, ends_before_dependency, over_capacity or unfinished_in_released.",
    )
    message = serializers.CharField(read_only=True)


# --- workflow statuses --------------------------------------------------------


class WorkflowStatusSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    category = StatusCategoryField(read_only=True)
    retired = serializers.SerializerMethodField(help_text="Retired statuses keep their features but are not offered.")

    class Meta:
        model = WorkflowStatus
        fields = ["id", "workspace", "name", "category", "position", "retired", "retired_at", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_retired(self, status: WorkflowStatus) -> bool:
        return status.retired_at is not None


class WorkflowStatusInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `workflow_status_create` / `workflow_status_update`."""

    workspace = VisibleSlugField(
        strategy_selectors.workspace_list, slug_field="slug", queryset=Workspace.objects.none(),
        help_text="The workspace's slug. A status cannot move to another workspace.",
    )
    name = serializers.CharField(max_length=40)
    category = StatusCategoryField()


class WorkflowStatusMoveInputSerializer(serializers.Serializer):
    """The keyword argument of `workflow_status_move`."""

    position = serializers.IntegerField(min_value=1, help_text="1-based place in the workflow; the others close up.")


class WorkflowStatusRetireInputSerializer(serializers.Serializer):
    """The keyword argument of `workflow_status_retire`."""

    move_to = VisibleIdField(
        selectors.status_list, queryset=WorkflowStatus.objects.none(), allow_null=True, required=False, default=None,
        help_text="Another active status of the workflow to move the features to; empty: they keep this one.",
    )


class WorkflowStatusRetiredSerializer(serializers.Serializer):
    status = WorkflowStatusSerializer(read_only=True)
    moved = serializers.IntegerField(read_only=True, help_text="How many features moved to `move_to`.")


# --- releases and milestones ------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "release", "name", "date", "description", "created_at", "updated_at"]
        read_only_fields = fields


class ReleaseMilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "name", "date", "description"]
        read_only_fields = fields


class ReleaseSerializer(serializers.ModelSerializer):
    """A release with the counts and estimates of its features (won't-do ones left out).
    The viewset attaches `conflict_count` before serialising."""

    status = ReleaseStatusField(read_only=True)
    feature_count = serializers.IntegerField(read_only=True, help_text="Features planned in it, won't do left out.")
    done_count = serializers.IntegerField(read_only=True)
    planned_estimate = serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True)
    done_estimate = serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True)
    milestones = ReleaseMilestoneSerializer(many=True, read_only=True)
    conflict_count = serializers.IntegerField(
        read_only=True, help_text="Conflicts of the release and of its features (over capacity, late features…).")

    class Meta:
        model = Release
        fields = [
            "id", "product", "name", "version_label", "theme", "start_date", "release_date", "status", "capacity",
            "feature_count", "done_count", "planned_estimate", "done_estimate", "milestones", "conflict_count",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ReleaseInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `release_create` / `release_update`."""

    clean_model = Release
    clean_fields = ("start_date", "release_date")

    product = VisibleIdField(
        partial(strategy_selectors.product_list, include_archived=True), queryset=Product.objects.none(),
        help_text="The product's id. A release cannot move to another product.",
    )
    name = serializers.CharField(max_length=120)
    version_label = optional_text(30, help_text="For example 2.4.")
    theme = optional_text()
    start_date = DateField()
    release_date = DateField(help_text="On or after the start date.")
    status = ReleaseStatusField(required=False)
    capacity = serializers.DecimalField(
        max_digits=8, decimal_places=1, min_value=Decimal(0), allow_null=True, required=False,
        help_text="How many estimate points the team can deliver.",
    )
    version = _version_field("release")


class StaleReleaseSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who changed what since the version you sent.")
    current = ReleaseSerializer(help_text="The release as it is now: merge your changes and send them again.")


class BurnUpPointSerializer(serializers.Serializer):
    day = serializers.DateField(read_only=True)
    done = serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True,
                                    help_text="Estimate of the features done by the end of the day.")
    scope = serializers.DecimalField(max_digits=12, decimal_places=1, read_only=True,
                                     help_text="Estimate of the features in the release that day (won't do left out).")


class BurnUpSerializer(serializers.Serializer):
    release = serializers.IntegerField(read_only=True)
    start_date = serializers.DateField(read_only=True)
    release_date = serializers.DateField(read_only=True)
    points = BurnUpPointSerializer(many=True, read_only=True, help_text=(
        "One per day from the start (or the first day with history, if later) to today (or the release date, "
        "if earlier); none before any history."))


class MilestoneInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `milestone_create` / `milestone_update`."""

    release = VisibleIdField(
        selectors.release_choices, queryset=Release.objects.none(),
        help_text="The release's id. A milestone cannot move to another release.",
    )
    name = serializers.CharField(max_length=120)
    date = DateField()
    description = optional_text()


# --- features ---------------------------------------------------------------


class FeatureStatusSerializer(serializers.ModelSerializer):
    category = StatusCategoryField(read_only=True)

    class Meta:
        model = WorkflowStatus
        fields = ["id", "name", "category"]
        read_only_fields = fields


class FeatureReleaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Release
        fields = ["id", "name", "version_label", "start_date", "release_date"]
        read_only_fields = fields


class FeatureInitiativeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Initiative
        fields = ["id", "name", "colour"]
        read_only_fields = fields


class FeatureSerializer(serializers.ModelSerializer):
    """A feature as lists show it. The viewset attaches `conflicts` before serialising."""

    key = serializers.CharField(read_only=True, help_text="The product's key and the feature's number: MOB-42.")
    status = FeatureStatusSerializer(read_only=True)
    release = FeatureReleaseSerializer(read_only=True, allow_null=True)
    initiative = FeatureInitiativeSerializer(read_only=True, allow_null=True)
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the goals it serves.")
    assignee = UserSerializer(read_only=True, allow_null=True)
    effective_start = serializers.DateField(
        read_only=True, allow_null=True, help_text="Its own start date, or its release's.")
    effective_end = serializers.DateField(
        read_only=True, allow_null=True, help_text="Its own end date, or its release's release date.")
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)
    impact = serializers.DecimalField(max_digits=4, decimal_places=2, read_only=True, allow_null=True)
    rice_score = serializers.DecimalField(
        max_digits=14, decimal_places=1, read_only=True, allow_null=True,
        help_text="Reach × impact × confidence ÷ effort; empty while a part is missing.")
    rank = serializers.CharField(read_only=True, help_text="The backlog order: features sort by it (byte order).")
    requirement_count = serializers.IntegerField(read_only=True)
    conflicts = ConflictSerializer(many=True, read_only=True)

    class Meta:
        model = Feature
        fields = [
            "id", "key", "product", "number", "title", "description", "status", "release", "initiative", "goals",
            "estimate", "start_date", "end_date", "effective_start", "effective_end", "assignee", "tags",
            "reach", "impact", "confidence", "effort", "rice_score", "rank", "version", "requirement_count",
            "conflicts", "created_at", "updated_at",
        ]
        read_only_fields = fields


class FeatureInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `feature_create` / `feature_update`."""

    clean_model = Feature
    clean_fields = ("start_date", "end_date")

    product = VisibleIdField(
        partial(strategy_selectors.product_list, include_archived=True), queryset=Product.objects.none(),
        help_text="The product's id. A feature cannot move to another product.",
    )
    title = serializers.CharField(max_length=200)
    description = optional_text(help_text="Markdown.")
    status = VisibleIdField(
        selectors.status_list, queryset=WorkflowStatus.objects.none(), required=False,
        help_text="A workflow status of the product's workspace; left out when creating, the first one.",
    )
    release = VisibleIdField(
        selectors.release_choices, queryset=Release.objects.none(), allow_null=True, required=False,
        help_text="A release of the same product; empty for none.",
    )
    initiative = VisibleIdField(
        strategy_selectors.initiative_choices, queryset=Initiative.objects.none(), allow_null=True, required=False,
        help_text="An initiative of the same workspace; empty for none.",
    )
    goals = VisibleIdsField(
        child_relation=VisibleIdField(strategy_selectors.goal_choices, queryset=Goal.objects.none()), required=False,
        help_text="Ids of the goals it serves, of the same workspace. Left out, they stay as they are.",
    )
    estimate = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal(0), allow_null=True, required=False, help_text="In points.")
    start_date = DateField(allow_null=True, required=False, help_text="Empty: follow the release.")
    end_date = DateField(
        allow_null=True, required=False, help_text="On or after the start date. Empty: follow the release.")
    assignee = VisibleIdField(
        strategy_selectors.member_users, queryset=User.objects.none(), allow_null=True, required=False,
        help_text="The id of a member of the feature's workspace.",
    )
    tags = serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH), max_length=TAGS_MAX_COUNT, required=False,
        help_text="Stored lower case, without repeats.")
    reach = serializers.IntegerField(
        min_value=0, allow_null=True, required=False, help_text="People or events per quarter.")
    impact = serializers.DecimalField(
        max_digits=4, decimal_places=2, allow_null=True, required=False,
        help_text="One of 0.25 (minimal), 0.5 (low), 1 (medium), 2 (high), 3 (massive).",
    )
    confidence = serializers.IntegerField(
        min_value=0, max_value=100, allow_null=True, required=False, help_text="0–100 %.")
    effort = serializers.DecimalField(
        max_digits=6, decimal_places=1, min_value=Decimal("0.1"), allow_null=True, required=False,
        help_text="Person-months.",
    )
    version = _version_field("feature")

    def validate_impact(self, value: Decimal | None) -> Decimal | None:
        if value is not None and value not in IMPACTS:
            raise serializers.ValidationError(_("Choose one of 0.25, 0.5, 1, 2 or 3."))
        return value


class StaleFeatureSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who changed what since the version you sent.")
    current = FeatureSerializer(help_text="The feature as it is now: merge your changes and send them again.")


class FeatureMoveInputSerializer(serializers.Serializer):
    """The keyword arguments of `feature_move`."""

    after = VisibleIdField(
        selectors.feature_queryset, queryset=Feature.objects.none(), allow_null=True, required=False, default=None,
        help_text="The feature to place it below (same product); empty for the top.",
    )
    before = VisibleIdField(
        selectors.feature_queryset, queryset=Feature.objects.none(), allow_null=True, required=False, default=None,
        help_text="The feature to place it above (same product); empty for the bottom.",
    )


class FeatureBulkInputSerializer(serializers.Serializer):
    """The keyword arguments of `feature_bulk_update`: fields left out are left alone; an
    empty `release` or `initiative` takes the features out of theirs."""

    features = VisibleIdsField(
        child_relation=VisibleIdField(selectors.feature_queryset, queryset=Feature.objects.none()), allow_empty=False,
        max_count=BULK_MAX_COUNT,
        help_text="Ids of the features to change.",
    )
    release = VisibleIdField(selectors.release_choices, queryset=Release.objects.none(), allow_null=True,
                             required=False)
    status = VisibleIdField(selectors.status_list, queryset=WorkflowStatus.objects.none(), required=False)
    initiative = VisibleIdField(
        strategy_selectors.initiative_choices, queryset=Initiative.objects.none(), allow_null=True, required=False)
    add_tag = serializers.CharField(
        max_length=TAG_MAX_LENGTH, required=False, help_text="A tag to add to every feature.")

    def validate_features(self, features: list[Feature]) -> list[Feature]:
        return list(dict.fromkeys(features))  # a feature named twice changes once

    def validate(self, attrs):
        if not {"release", "status", "initiative", "add_tag"} & set(attrs):
            raise serializers.ValidationError(_("Choose a change to apply: release, status, initiative or add_tag."))
        return attrs


class FeatureBulkResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(read_only=True, help_text="How many features changed (all of them).")


# --- requirements, dependencies and comments --------------------------------


class RequirementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Requirement
        fields = ["id", "feature", "text", "done", "position", "created_at", "updated_at"]
        read_only_fields = fields


class RequirementInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `requirement_create` / `requirement_update`."""

    feature = VisibleIdField(
        selectors.feature_queryset, queryset=Feature.objects.none(),
        help_text="The feature's id. A requirement cannot move to another feature.",
    )
    text = serializers.CharField(max_length=300)
    done = serializers.BooleanField(required=False, help_text="Only when changing a requirement.")


class DependencySerializer(serializers.ModelSerializer):
    feature_key = serializers.CharField(source="feature.key", read_only=True)
    depends_on_key = serializers.CharField(source="depends_on.key", read_only=True)

    class Meta:
        model = Dependency
        fields = ["id", "feature", "feature_key", "depends_on", "depends_on_key", "created_at"]
        read_only_fields = fields


class DependencyInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `dependency_add`."""

    feature = VisibleIdField(selectors.feature_queryset, queryset=Feature.objects.none(),
                             help_text="The feature that cannot finish first.")
    depends_on = VisibleIdField(selectors.feature_queryset, queryset=Feature.objects.none(),
                                help_text="The feature it waits for, of the same workspace.")


class CommentSerializer(serializers.ModelSerializer):
    author = UserSerializer(read_only=True, allow_null=True)
    mentions = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the members @mentioned (they were emailed).")

    class Meta:
        model = Comment
        fields = ["id", "feature", "author", "body", "mentions", "created_at"]
        read_only_fields = fields


class CommentInputSerializer(serializers.Serializer):
    """The keyword argument of `comment_create`."""

    body = serializers.CharField(
        max_length=COMMENT_MAX_LENGTH, help_text="Markdown; @email or @name-before-the-@ mentions a member.")
