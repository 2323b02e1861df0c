"""API viewsets of delivery: workflow statuses, releases with milestones and burn-up,
features (with the backlog's rank moves, bulk changes and comments), requirements and
dependencies.

Every queryset starts from the records of the user's workspaces, so another workspace's
record is a 404. A role that may not make a change is refused (403) before its input is
looked at; every write then goes through the service of the same name, whose
ValidationError becomes a 400 naming the fields (roadmap/api.py), or a 409 with the record
as it is now when the client sent a stale `version`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.records import RecordViewSet as BaseRecordViewSet
from strategy.api.records import unmoved
from strategy.models import Workspace

from .. import selectors, services
from ..models import (
    Comment,
    Dependency,
    Feature,
    Milestone,
    Release,
    Requirement,
)
from .filters import (
    DependencyFilterSet,
    FeatureApiFilterSet,
    MilestoneFilterSet,
    ReleaseFilterSet,
    RequirementFilterSet,
    WorkflowStatusFilterSet,
)
from .serializers import (
    BurnUpSerializer,
    CommentInputSerializer,
    CommentSerializer,
    DependencyInputSerializer,
    DependencySerializer,
    FeatureBulkInputSerializer,
    FeatureBulkResultSerializer,
    FeatureInputSerializer,
    FeatureMoveInputSerializer,
    FeatureSerializer,
    MilestoneInputSerializer,
    MilestoneSerializer,
    ReleaseInputSerializer,
    ReleaseSerializer,
    RequirementInputSerializer,
    RequirementSerializer,
    StaleFeatureSerializer,
    StaleReleaseSerializer,
    WorkflowStatusInputSerializer,
    WorkflowStatusMoveInputSerializer,
    WorkflowStatusRetiredSerializer,
    WorkflowStatusRetireInputSerializer,
    WorkflowStatusSerializer,
)


class RecordViewSet(BaseRecordViewSet):
    edit_action = "releases.edit"


# --- workflow statuses ----------------------------------------------------------


class WorkflowStatusViewSet(RecordViewSet):
    """The workflow statuses of your workspaces, in workflow order. Lists leave retired
    statuses out unless `include_retired=true`. Admins add, rename, reorder and retire them."""

    serializer_class = WorkflowStatusSerializer
    input_serializer_class = WorkflowStatusInputSerializer
    filterset_class = WorkflowStatusFilterSet
    edit_action = "workspace.manage"

    def get_queryset(self):
        return selectors.status_list(user=self.request.user, include_retired=True)

    @extend_schema(request=WorkflowStatusInputSerializer, responses={201: WorkflowStatusSerializer})
    def create(self, request):
        self.refuse_early("workspace", Workspace.objects.visible_to(request.user), lookup="slug")
        return self._show(services.workflow_status_create(actor=request.user, **self._input()),
                          status.HTTP_201_CREATED)

    @extend_schema(request=WorkflowStatusInputSerializer, responses=WorkflowStatusSerializer)
    def partial_update(self, request, pk=None):
        workflow_status = self.get_object()
        data = self._input(partial=True)
        unmoved(data, "workspace", workflow_status.workspace_id, _("A status cannot move to another workspace."))
        return self._show(services.workflow_status_update(actor=request.user, status=workflow_status, **data))

    @extend_schema(request=WorkflowStatusMoveInputSerializer, responses=WorkflowStatusSerializer(many=True))
    @action(detail=True, methods=["post"], filter_backends=[], pagination_class=None)
    def move(self, request, pk=None):
        """Put the status at `position` (1-based); answers the workflow in its new order, retired statuses too."""
        workflow_status = self.get_object()
        services.workflow_status_move(actor=request.user, status=workflow_status,
                                      **self._input(WorkflowStatusMoveInputSerializer))
        workflow = self.get_queryset().filter(workspace_id=workflow_status.workspace_id)
        return Response(self._serialize(workflow, many=True))

    @extend_schema(request=WorkflowStatusRetireInputSerializer, responses=WorkflowStatusRetiredSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def retire(self, request, pk=None):
        """Stop offering the status. Its features keep it, or move to `move_to`."""
        workflow_status = self.get_object()
        moved = services.workflow_status_retire(actor=request.user, status=workflow_status,
                                                **self._input(WorkflowStatusRetireInputSerializer))
        fresh = self.get_queryset().get(pk=workflow_status.pk)
        return Response(WorkflowStatusRetiredSerializer({"status": fresh, "moved": moved}).data)


# --- releases and milestones ----------------------------------------------------


class ReleaseViewSet(RecordViewSet):
    """Releases of the products of your workspaces, by release date, with the counts and
    estimates of their features, their milestones and how many conflicts they have."""

    serializer_class = ReleaseSerializer
    input_serializer_class = ReleaseInputSerializer
    filterset_class = ReleaseFilterSet

    def get_queryset(self):
        return selectors.release_list(user=self.request.user)

    def _serialize(self, records, **kwargs):
        many = kwargs.get("many", False)
        releases = list(records) if many else [records]
        plans = selectors.plan_for(product_ids=[release.product_id for release in releases])
        for release in releases:
            release.conflict_count = len(plans.of_release(release.pk))
        return self.get_serializer(releases if many else releases[0], **kwargs).data

    @extend_schema(request=ReleaseInputSerializer, responses={201: ReleaseSerializer})
    def create(self, request):
        self.refuse_early("product", strategy_selectors.product_list(user=request.user, include_archived=True))
        return self._show(services.release_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=ReleaseInputSerializer, responses={200: ReleaseSerializer, 409: StaleReleaseSerializer})
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=ReleaseInputSerializer, responses={200: ReleaseSerializer, 409: StaleReleaseSerializer})
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        release = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", release.product_id, _("A release cannot move to another product."))
        return self._show(services.release_update(actor=self.request.user, release=release, **data))

    def destroy(self, request, pk=None):
        """Delete the release; its features stay, unscheduled."""
        services.release_delete(actor=request.user, release=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses=BurnUpSerializer)
    @action(detail=True, methods=["get"], url_path="burn-up", url_name="burn-up", filter_backends=[],
            pagination_class=None)
    def burn_up(self, request, pk=None):
        """Done and scope estimate per day, from the release's start (or its first day with
        history) to today (or its release date), from the history of its features' statuses
        and estimates."""
        release = self.get_object()
        overview = selectors.release_overview(user=request.user, product=release.product, pk=release.pk)
        points = [{"day": day, "done": done, "scope": scope} for day, done, scope in overview.burn_up]
        return Response(BurnUpSerializer({
            "release": release.pk, "start_date": release.start_date, "release_date": release.release_date,
            "points": points,
        }).data)


class MilestoneViewSet(RecordViewSet):
    """Milestones of the releases of your workspaces, by date."""

    serializer_class = MilestoneSerializer
    input_serializer_class = MilestoneInputSerializer
    filterset_class = MilestoneFilterSet

    def edit_target(self, milestone):
        return milestone.release

    def get_queryset(self):
        return (Milestone.objects.filter(release__workspace__in=Workspace.objects.visible_to(self.request.user))
                .select_related("release").order_by("date", "id"))

    @extend_schema(request=MilestoneInputSerializer, responses={201: MilestoneSerializer})
    def create(self, request):
        self.refuse_early("release", Release.objects.visible_to(request.user))
        return self._show(services.milestone_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=MilestoneInputSerializer, responses=MilestoneSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=MilestoneInputSerializer, responses=MilestoneSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        milestone = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "release", milestone.release_id, _("A milestone cannot move to another release."))
        return self._show(services.milestone_update(actor=self.request.user, milestone=milestone, **data))

    def destroy(self, request, pk=None):
        services.milestone_delete(actor=request.user, milestone=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- features -------------------------------------------------------------------


class FeatureViewSet(RecordViewSet):
    """Features of the products of your workspaces, in backlog order (or `ordering`), with
    their status, release, initiative, goals, RICE score and conflicts. Filters are the
    backlog's. `move` places one in the backlog, `bulk` changes many at once (all or none),
    `comments` reads and adds comments (viewers may comment)."""

    serializer_class = FeatureSerializer
    input_serializer_class = FeatureInputSerializer
    filterset_class = FeatureApiFilterSet

    def get_queryset(self):
        return selectors.features_with_counts(user=self.request.user)

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


# --- requirements and dependencies -------------------------------------------------


class RequirementViewSet(RecordViewSet):
    """Requirements (the checklist) of the features of your workspaces, in order."""

    serializer_class = RequirementSerializer
    input_serializer_class = RequirementInputSerializer
    filterset_class = RequirementFilterSet

    def edit_target(self, requirement):
        return requirement.feature

    def get_queryset(self):
        return (Requirement.objects.filter(feature__workspace__in=Workspace.objects.visible_to(self.request.user))
                .select_related("feature").order_by("feature_id", "position", "id"))

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
        return (Dependency.objects.filter(feature__workspace__in=Workspace.objects.visible_to(self.request.user))
                .select_related("feature__product", "depends_on__product").order_by("feature_id", "id"))

    @extend_schema(request=DependencyInputSerializer, responses={201: DependencySerializer})
    def create(self, request):
        self.refuse_early("feature", Feature.objects.visible_to(request.user))
        return self._show(services.dependency_add(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.dependency_remove(actor=request.user, dependency=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
