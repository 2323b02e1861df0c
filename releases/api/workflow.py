"""The API of workflow statuses: serializers and viewset."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.fields import SCOPED_WORKSPACE_HELP, ScopedWorkspace, VisibleIdField, VisibleSlugField
from strategy.api.records import InputSerializer, unmoved
from strategy.models import Workspace

from .. import selectors, services
from ..models import StatusCategory, WorkflowStatus
from .fields import enum_field
from .filters import WorkflowStatusFilterSet
from .records import RecordViewSet

StatusCategoryField = enum_field("StatusCategoryEnum", StatusCategory.choices,
                                 "What a workflow status means for progress.")



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
        default=ScopedWorkspace(),
        help_text="The workspace's slug. A status cannot move to another workspace." + SCOPED_WORKSPACE_HELP,
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
