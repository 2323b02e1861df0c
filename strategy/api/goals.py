"""The API of goals with their key results and check-ins, and of a product's initiatives,
serializers and viewsets together; the contract they keep is in `strategy.api`."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import metrics, selectors, services
from ..filters import (
    GoalFilterSet,
    InitiativeFilterSet,
    KeyResultFilterSet,
)
from ..limits import NOTE_MAX_LENGTH
from ..models import (
    CheckIn,
    Goal,
    Initiative,
    KeyResult,
    User,
    Workspace,
)
from .external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from .fields import (
    SCOPED_WORKSPACE_HELP,
    DateField,
    ScopedWorkspace,
    VisibleIdField,
    VisibleIdsField,
    VisibleSlugField,
    colour_field,
    optional_text,
    product_field,
)
from .records import InputSerializer, StrategyRecordViewSet, VersionedInput, unmoved
from .tenancy import UserSerializer

# --- goals, key results and check-ins ---------------------------------------------


class KeyResultProgressField(serializers.DecimalField):
    """The key result's progress from start towards target, in percent (0–100)."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=4, decimal_places=1, source="*", read_only=True, **kwargs)

    def to_representation(self, key_result):
        return super().to_representation(metrics.key_result_progress(
            start=key_result.start_value, target=key_result.target_value, current=key_result.current_value))


class KeyResultSerializer(serializers.ModelSerializer):
    progress = KeyResultProgressField(help_text="Progress from start towards target, in percent (0–100).")

    class Meta:
        model = KeyResult
        fields = [
            "id", "goal", "name", "unit", "direction", "start_value", "target_value", "current_value", "progress",
            "position", "version", "updated_at",
        ]
        read_only_fields = fields


class GoalSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    """A goal with its health. The viewset sets `health` (a `metrics.GoalHealth`) from the
    selectors' GoalView before serialising."""

    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = UserSerializer(read_only=True, allow_null=True)
    progress = serializers.DecimalField(
        source="health.progress", max_digits=4, decimal_places=1, read_only=True, allow_null=True,
        help_text="Mean progress of the key results, in percent; empty without key results.",
    )
    expected = serializers.DecimalField(
        source="health.expected", max_digits=4, decimal_places=1, read_only=True,
        help_text="Share of the time frame that has passed, in percent.",
    )
    status = serializers.CharField(
        source="health.status", read_only=True,
        help_text="One of: " + ", ".join(metrics.STATUS_LABELS) + " (rules in docs/strategy.md).",
    )
    status_label = serializers.CharField(source="health.status_label", read_only=True)
    key_results = KeyResultSerializer(many=True, read_only=True)

    class Meta:
        model = Goal
        fields = [
            "id", "workspace", "product", "name", "description", "owner", "start_date", "end_date",
            "progress", "expected", "status", "status_label", "key_results",
            "external_id", "external_url", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class GoalInputSerializer(ExternalIdentityInput, VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `goal_create` / `goal_update`."""

    clean_model = Goal
    clean_fields = ("start_date", "end_date")

    workspace = VisibleSlugField(
        selectors.workspace_list, slug_field="slug", queryset=Workspace.objects.none(),
        default=ScopedWorkspace(),
        help_text="The workspace's slug. A goal cannot move to another workspace." + SCOPED_WORKSPACE_HELP,
    )
    product = product_field(allow_null=True, required=False)
    name = serializers.CharField(max_length=200)
    description = optional_text()
    owner = VisibleIdField(
        selectors.member_users, queryset=User.objects.none(), allow_null=True, required=False,
        help_text="The id of a member of the goal's workspace.",
    )
    start_date = DateField()
    end_date = DateField(help_text="On or after the start date.")


class KeyResultInputSerializer(VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `key_result_create` / `key_result_update`."""

    clean_model = KeyResult
    clean_fields = ("direction", "start_value", "target_value")

    goal = VisibleIdField(
        selectors.goal_choices, queryset=Goal.objects.none(),
        help_text="The goal's id. A key result cannot move to another goal.",
    )
    name = serializers.CharField(max_length=200)
    unit = optional_text(20, help_text="For example %, €, users, ms.")
    direction = serializers.ChoiceField(
        choices=KeyResult.Direction.choices, required=False,
        help_text="Left out when creating, it follows from the start and target values.",
    )
    start_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="Differs from the start value.")
    current_value = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False,
        help_text="Only when creating (the start value if left out); afterwards, record check-ins.",
    )


class CheckInSerializer(serializers.ModelSerializer):
    author = UserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = CheckIn
        fields = ["id", "key_result", "value", "note", "author", "created_at"]
        read_only_fields = fields


class CheckInInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `key_result_check_in`."""

    value = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="The key result's current value.")
    note = optional_text(NOTE_MAX_LENGTH, help_text="Why it moved, or where the number comes from.")


# --- initiatives ----------------------------------------------------------------


class InitiativeSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the goals it serves.")

    class Meta:
        model = Initiative
        fields = [
            "id", "product", "name", "description", "status", "start_date", "end_date", "colour", "goals",
            "external_id", "external_url", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class InitiativeInputSerializer(ExternalIdentityInput, VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `initiative_create` / `initiative_update`."""

    clean_model = Initiative
    clean_fields = ("start_date", "end_date")

    product = product_field()
    name = serializers.CharField(max_length=150)
    description = optional_text()
    status = serializers.ChoiceField(choices=Initiative.Status.choices, required=False)
    start_date = DateField(allow_null=True, required=False)
    end_date = DateField(allow_null=True, required=False, help_text="On or after the start date.")
    colour = colour_field()
    goals = VisibleIdsField(
        child_relation=VisibleIdField(selectors.goal_choices, queryset=Goal.objects.none()), required=False,
        help_text="Ids of the goals it serves, of the same workspace. Left out, they stay as they are.",
    )


# --- goals, key results and check-ins ------------------------------------------------


class GoalViewSet(ExternalIdMixin, StrategyRecordViewSet):
    """Goals of your workspaces, company-wide or of a product, each with its key results,
    progress, expected progress and status (rules in docs/strategy.md)."""

    serializer_class = GoalSerializer
    input_serializer_class = GoalInputSerializer
    create_service = staticmethod(services.goal_create)
    update_service = staticmethod(services.goal_update)
    record_kwarg = "goal"
    fixed_fields = ("workspace",)
    filterset_class = GoalFilterSet

    def get_queryset(self):
        return selectors.goal_queryset(user=self.request.user)

    def list(self, request, *args, **kwargs):
        """Status is computed, not stored: asked for, it is computed for every goal the other
        filters keep (two queries however many), and the page is cut from those that match."""
        queryset = self.filter_queryset(self.get_queryset())
        filterset = GoalFilterSet(request.query_params, queryset=queryset)
        if not filterset.wanted_status:
            return super().list(request, *args, **kwargs)
        views = filterset.keep_status(selectors.goals_with_health(queryset))
        page = self.paginate_queryset([view.goal for view in views])
        return self.get_paginated_response(self._serialize(page, many=True, views=views))

    def _serialize(self, records, *, views=None, **kwargs):
        goals = list(records) if kwargs.get("many") else [records]
        health = {view.goal.pk: view.health for view in views or selectors.goals_with_health(goals)}
        for goal in goals:
            goal.health = health[goal.pk]
        return self.get_serializer(goals if kwargs.get("many") else goals[0], **kwargs).data

    @extend_schema(request=GoalInputSerializer, responses={201: GoalSerializer})
    def create(self, request):
        self.refuse_early("workspace", selectors.workspace_list(user=request.user), lookup="slug")
        goal = services.goal_create(actor=request.user, **self._input())
        return self._show(goal, status.HTTP_201_CREATED)

    @extend_schema(request=GoalInputSerializer, responses=GoalSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=GoalInputSerializer, responses=GoalSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        goal = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "workspace", goal.workspace_id, _("A goal cannot move to another workspace."))
        return self._show(services.goal_update(actor=self.request.user, goal=goal, **data))

    def destroy(self, request, pk=None):
        """Delete the goal with its key results and check-ins; initiatives stop serving it."""
        services.goal_delete(actor=request.user, goal=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class KeyResultViewSet(StrategyRecordViewSet):
    """Key results of the goals of your workspaces. The current value changes only by
    check-ins: POST one to `check-ins`, read their history (oldest first) with GET."""

    serializer_class = KeyResultSerializer
    input_serializer_class = KeyResultInputSerializer
    filterset_class = KeyResultFilterSet

    def get_queryset(self):
        return selectors.key_result_list(user=self.request.user)

    @extend_schema(request=KeyResultInputSerializer, responses={201: KeyResultSerializer})
    def create(self, request):
        self.refuse_early("goal", selectors.goal_choices(user=request.user))
        key_result = services.key_result_create(actor=request.user, **self._input())
        return self._show(key_result, status.HTTP_201_CREATED)

    @extend_schema(request=KeyResultInputSerializer, responses=KeyResultSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=KeyResultInputSerializer, responses=KeyResultSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        key_result = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "goal", key_result.goal_id, _("A key result cannot move to another goal."))
        return self._show(services.key_result_update(actor=self.request.user, key_result=key_result, **data))

    def destroy(self, request, pk=None):
        services.key_result_delete(actor=request.user, key_result=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses=CheckInSerializer(many=True))
    @extend_schema(methods=["POST"], request=CheckInInputSerializer, responses={201: CheckInSerializer})
    @action(detail=True, methods=["get", "post"], url_path="check-ins", url_name="check-ins", filter_backends=[])
    def check_ins(self, request, pk=None):
        """GET: the key result's check-ins, oldest first. POST: record its current value with a note."""
        key_result = self.get_object()
        if request.method == "GET":
            check_ins = key_result.check_ins.select_related("author").order_by("created_at", "id")
            page = self.paginate_queryset(check_ins)
            return self.get_paginated_response(CheckInSerializer(page, many=True).data)
        data = CheckInInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check_in = services.key_result_check_in(actor=request.user, key_result=key_result, **data.validated_data)
        return Response(CheckInSerializer(check_in).data, status=status.HTTP_201_CREATED)


# --- initiatives ---------------------------------------------------------------------


class InitiativeViewSet(ExternalIdMixin, StrategyRecordViewSet):
    """Initiatives of the products of your workspaces, with the ids of the goals they serve."""

    serializer_class = InitiativeSerializer
    input_serializer_class = InitiativeInputSerializer
    create_service = staticmethod(services.initiative_create)
    update_service = staticmethod(services.initiative_update)
    record_kwarg = "initiative"
    fixed_fields = ("product",)
    filterset_class = InitiativeFilterSet

    def get_queryset(self):
        return selectors.initiative_list(user=self.request.user)

    @extend_schema(request=InitiativeInputSerializer, responses={201: InitiativeSerializer})
    def create(self, request):
        self.refuse_early("product", self._products())
        initiative = services.initiative_create(actor=request.user, **self._input())
        return self._show(initiative, status.HTTP_201_CREATED)

    @extend_schema(request=InitiativeInputSerializer, responses=InitiativeSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=InitiativeInputSerializer, responses=InitiativeSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        initiative = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", initiative.product_id, _("An initiative cannot move to another product."))
        return self._show(services.initiative_update(actor=self.request.user, initiative=initiative, **data))

    def destroy(self, request, pk=None):
        services.initiative_delete(actor=request.user, initiative=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
