"""The API of features (with the backlog's rank moves, bulk changes and comments),
requirements and dependencies: serializers and viewsets."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.external import (
    BulkInputSerializer,
    BulkOutcome,
    ExternalIdentityInput,
    ExternalIdentityOutput,
    ExternalIdMixin,
    differs,
)
from strategy.api.fields import DateField, VisibleIdField, VisibleIdsField, optional_text
from strategy.api.records import InputSerializer, unmoved
from strategy.api.tenancy import UserSerializer
from strategy.limits import BULK_IMPORT_MAX_COUNT, BULK_MAX_COUNT, COMMENT_MAX_LENGTH, TAG_MAX_LENGTH, TAGS_MAX_COUNT
from strategy.models import EXTERNAL_ID_MAX_LENGTH, Goal, Initiative, Product, User

from .. import selectors, services
from ..models import (
    USAGE_KEY_MAX_LENGTH,
    Comment,
    Dependency,
    Feature,
    Release,
    Requirement,
    WorkflowStatus,
    usage_key_validator,
)
from .fields import version_field
from .filters import DependencyFilterSet, FeatureApiFilterSet, RequirementFilterSet
from .records import RecordViewSet
from .releases import ReleaseViewSet
from .workflow import StatusCategoryField

IMPACTS = [Decimal(str(value)) for value, _label in Feature.IMPACT_CHOICES]




class ConflictSerializer(serializers.Serializer):
    rule = serializers.CharField(
        read_only=True,
        help_text="ends_after_release, ends_before_dependency, over_capacity or unfinished_in_released.",
    )
    message = serializers.CharField(read_only=True)


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


class FeatureSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
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
            "usage_key", "reach", "impact", "confidence", "effort", "rice_score", "rank",
            "external_id", "external_url", "version", "requirement_count", "conflicts",
            "customer_description", "in_release_notes", "created_at", "updated_at",
        ]
        read_only_fields = fields


class FeatureInputSerializer(ExternalIdentityInput, InputSerializer):
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
    usage_key = serializers.CharField(
        max_length=USAGE_KEY_MAX_LENGTH, allow_blank=True, required=False, validators=[usage_key_validator],
        help_text="The feature key usage events carry (e.g. csv-export): lower-case letters and digits joined by "
                  "single hyphens, dots or underscores; unique per product; empty for none.")
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
    customer_description = optional_text(
        help_text="What customers read about the feature in the release notes. Markdown.")
    in_release_notes = serializers.BooleanField(
        required=False, help_text="Whether release notes drafted from the release include this feature once shipped.")
    version = version_field("feature")

    def validate_impact(self, value: Decimal | None) -> Decimal | None:
        if value is not None and value not in IMPACTS:
            raise serializers.ValidationError(_("Choose one of 0.25, 0.5, 1, 2 or 3."))
        return value


class FeatureImportItemSerializer(FeatureInputSerializer):
    """A feature of a bulk write: as a create takes it, or naming its release by external id."""

    release_external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX_LENGTH, required=False, allow_blank=True,
        help_text="Instead of `release`: the external id of a release of the workspace (those of this request's "
                  "`releases` included).")


class FeatureBulkUpsertInputSerializer(BulkInputSerializer):
    items = serializers.ListField(
        child=serializers.DictField(), allow_empty=False, max_length=BULK_IMPORT_MAX_COUNT,
        help_text=f"Up to {BULK_IMPORT_MAX_COUNT} features, each as a create takes it (or naming its release by "
                  "`release_external_id`). One with an `external_id` updates the feature that has it (or creates "
                  "it); one without is created.")
    releases = serializers.ListField(
        child=serializers.DictField(), required=False, max_length=BULK_IMPORT_MAX_COUNT,
        help_text="Releases to create or update first, as the releases' bulk-upsert takes them, so that the features "
                  "can name them by `release_external_id` in the same request.")


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


class FeatureViewSet(ExternalIdMixin, RecordViewSet):
    """Features of the products of your workspaces, in backlog order (or `ordering`), with
    their status, release, initiative, goals, RICE score and conflicts. Filters are the
    backlog's. `move` places one in the backlog, `bulk` changes many at once (all or none),
    `comments` reads and adds comments (viewers may comment)."""

    serializer_class = FeatureSerializer
    input_serializer_class = FeatureInputSerializer
    create_service = staticmethod(services.feature_create)
    update_service = staticmethod(services.feature_update)
    record_kwarg = "feature"
    fixed_fields = ("product",)
    filterset_class = FeatureApiFilterSet

    bulk_input_serializer_class = FeatureBulkUpsertInputSerializer

    def get_queryset(self):
        return selectors.features_with_counts(user=self.request.user)

    def bulk_write(self, workspace_id: int, body: dict, outcome: BulkOutcome) -> None:
        """The request's releases one by one (few), then its features in batches
        (`feature_bulk_upsert`): a few queries per request rather than per feature."""
        if body.get("releases"):
            releases = ReleaseViewSet(request=self.request, format_kwarg=None, kwargs={}, action=self.action)
            self.write_items(releases, workspace_id, body["releases"], outcome, "releases")
        items = body["items"]
        ids = self.external_ids(items, outcome)
        existing = {feature.external_id: feature for feature in Feature.objects.select_for_update(of=("self",))
                    .select_related("product", "release", "status", "initiative")
                    .filter(workspace_id=workspace_id, external_id__in=[i for i in ids if i])}
        references = {str(item.get("release_external_id") or "").strip() for item in items} - {""}
        releases_by_id = {release.external_id: release for release in Release.objects.filter(
            workspace_id=workspace_id, external_id__in=references)}
        validator = self.bulk_validator(FeatureImportItemSerializer)
        rows, positions = [], []
        for index, item in enumerate(items):
            external_id = ids[index]
            if external_id is None:
                continue
            try:
                data = dict(validator.run_validation(item))
            except exceptions.ValidationError as exc:
                outcome.refuse(index, exc.detail, external_id)
                continue
            data.pop("version", None)
            reference = data.pop("release_external_id", "").strip()
            if reference:
                if reference not in releases_by_id:
                    message = _("No release of this workspace has the external id %(id)s.") % {"id": reference}
                    outcome.refuse(index, {"release_external_id": [message]}, external_id)
                    continue
                data["release"] = releases_by_id[reference]
            record = existing.get(external_id) if external_id else None
            if record is not None:
                product = data.pop("product", None)
                if product is not None and product.pk != record.product_id:
                    outcome.refuse(index, {"product": [_("A feature cannot move to another product.")]}, external_id)
                    continue
                data = {name: value for name, value in data.items() if differs(record, name, value)}
                if not data:
                    outcome.done(index, record, "unchanged")
                    continue
            rows.append((record, data))
            positions.append((index, external_id))
        if outcome.atomic and outcome.errors:
            return
        for (index, external_id), answer in zip(positions, services.feature_bulk_upsert(
                actor=self.request.user, items=rows), strict=True):
            if isinstance(answer, ValidationError):
                outcome.refuse(index, answer, external_id)
            else:
                outcome.done(index, *answer)

    def get_object(self):
        if self.action == "comments":
            # Every member may comment; the service checks it.
            return get_object_or_404(Feature.objects.visible_to(self.request.user), pk=self.kwargs["pk"])
        return super().get_object()

    def _serialize(self, records, **kwargs):
        many = kwargs.get("many", False)
        features = list(records) if many else [records]
        plans = selectors.plan_for(product_ids=[feature.product_id for feature in features])
        for feature in features:
            feature.conflicts = plans.of_feature(feature.pk)
        return self.get_serializer(features if many else features[0], **kwargs).data

    @extend_schema(request=FeatureInputSerializer, responses={201: FeatureSerializer})
    def create(self, request):
        self.refuse_early("product", strategy_selectors.product_list(user=request.user, include_archived=True))
        feature = services.feature_create(actor=request.user, **self._input())
        return self._show(feature, status.HTTP_201_CREATED)

    @extend_schema(request=FeatureInputSerializer, responses={200: FeatureSerializer, 409: StaleFeatureSerializer})
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=FeatureInputSerializer, responses={200: FeatureSerializer, 409: StaleFeatureSerializer})
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        feature = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", feature.product_id, _("A feature cannot move to another product."))
        return self._show(services.feature_update(actor=self.request.user, feature=feature, **data))

    def destroy(self, request, pk=None):
        services.feature_delete(actor=request.user, feature=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=FeatureMoveInputSerializer, responses=FeatureSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def move(self, request, pk=None):
        """Place the feature between `after` (above it) and `before` (below it) in its product's
        backlog; one of them may be empty for the top or the bottom. Rewrites only its rank."""
        feature = self.get_object()
        services.feature_move(actor=request.user, feature=feature, **self._input(FeatureMoveInputSerializer))
        return self._show(feature)

    @extend_schema(request=FeatureBulkInputSerializer, responses=FeatureBulkResultSerializer)
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def bulk(self, request):
        """Apply one change to many features, all or nothing: a feature that refuses it (a
        release of another product, say) is named, and no feature is changed."""
        self.refuse_early("features", Feature.objects.visible_to(request.user))
        data = self._input(FeatureBulkInputSerializer)
        try:
            changed = services.feature_bulk_update(actor=request.user, **data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"features": exc.messages}) from exc
        return Response(FeatureBulkResultSerializer({"changed": changed}).data)

    @extend_schema(methods=["GET"], request=None, responses=CommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=CommentInputSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """GET: the feature's comments, oldest first. POST: comment; members @mentioned are emailed."""
        feature = self.get_object()
        if request.method == "GET":
            comments = (Comment.objects.filter(feature=feature).select_related("author")
                        .prefetch_related("mentions").order_by("created_at", "id"))
            page = self.paginate_queryset(comments)
            return self.get_paginated_response(CommentSerializer(page, many=True).data)
        comment = services.comment_create(actor=request.user, feature=feature, **self._input(CommentInputSerializer))
        comment = Comment.objects.select_related("author").prefetch_related("mentions").get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class RequirementViewSet(RecordViewSet):
    """Requirements (the checklist) of the features of your workspaces, in order."""

    serializer_class = RequirementSerializer
    input_serializer_class = RequirementInputSerializer
    filterset_class = RequirementFilterSet

    def edit_target(self, requirement):
        return requirement.feature

    def get_queryset(self):
        return selectors.requirement_list(user=self.request.user)

    @extend_schema(request=RequirementInputSerializer, responses={201: RequirementSerializer})
    def create(self, request):
        self.refuse_early("feature", Feature.objects.visible_to(request.user))
        data = self._input()
        if data.pop("done", False):
            raise ValidationError({"done": _("A new requirement starts open; tick it off once it exists.")})
        return self._show(services.requirement_create(actor=request.user, **data), status.HTTP_201_CREATED)

    @extend_schema(request=RequirementInputSerializer, responses=RequirementSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=RequirementInputSerializer, responses=RequirementSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        requirement = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "feature", requirement.feature_id, _("A requirement cannot move to another feature."))
        return self._show(services.requirement_update(actor=self.request.user, requirement=requirement, **data))

    def destroy(self, request, pk=None):
        services.requirement_delete(actor=request.user, requirement=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class DependencyViewSet(RecordViewSet):
    """Dependencies between the features of your workspaces: `feature` cannot finish before
    `depends_on` does. Adding one that would close a cycle is refused, naming the cycle."""

    serializer_class = DependencySerializer
    input_serializer_class = DependencyInputSerializer
    filterset_class = DependencyFilterSet

    def edit_target(self, dependency):
        return dependency.feature

    def get_queryset(self):
        return selectors.dependency_list(user=self.request.user)

    @extend_schema(request=DependencyInputSerializer, responses={201: DependencySerializer})
    def create(self, request):
        self.refuse_early("feature", Feature.objects.visible_to(request.user))
        return self._show(services.dependency_add(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.dependency_remove(actor=request.user, dependency=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
