"""API viewsets of a product's strategy: vision, personas, competitors and the comparison,
goals with key results and check-ins, and initiatives.

Every queryset starts from the records of the user's workspaces, so another workspace's
record is a 404. A role that may not edit is refused (403) before its input is looked at,
as the product endpoints do; every write then goes through the service of the same name,
whose ValidationError becomes a 400 naming the fields (roadmap/api.py)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import selectors, services
from ..filters import (
    CompetitorFilterSet,
    CriterionFilterSet,
    GoalFilterSet,
    InitiativeFilterSet,
    KeyResultFilterSet,
    PersonaFilterSet,
)
from ..models import Vision
from .records import EditGuardMixin, unmoved
from .records import RecordViewSet as BaseRecordViewSet
from .strategy_serializers import (
    CheckInInputSerializer,
    CheckInSerializer,
    ComparisonInputSerializer,
    ComparisonSerializer,
    CompetitorInputSerializer,
    CompetitorSerializer,
    CriterionInputSerializer,
    CriterionSerializer,
    CriterionUpdateInputSerializer,
    GoalInputSerializer,
    GoalSerializer,
    InitiativeInputSerializer,
    InitiativeSerializer,
    KeyResultInputSerializer,
    KeyResultSerializer,
    PersonaInputSerializer,
    PersonaSerializer,
    StaleVisionSerializer,
    VisionInputSerializer,
    VisionRestoreInputSerializer,
    VisionSerializer,
    VisionVersionSerializer,
)

PRODUCT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The product's id.")


class RecordViewSet(BaseRecordViewSet):
    edit_action = "strategy.edit"

    def _products(self) -> QuerySet:
        return selectors.product_list(user=self.request.user, include_archived=True)


# --- vision -----------------------------------------------------------------------


@extend_schema(parameters=[PRODUCT_ID])
class VisionViewSet(EditGuardMixin, viewsets.GenericViewSet):
    """A product's vision, addressed by the product's id. A product without a vision reads
    as an empty one at version 0; the first PUT creates it. Every saved edit is kept as a
    version that can be listed and restored."""

    serializer_class = VisionSerializer
    edit_action = "strategy.edit"
    pagination_class = None  # one vision, and at most 50 versions

    def get_queryset(self):
        return selectors.product_list(user=self.request.user, include_archived=True)

    def _current(self, product) -> Vision:
        return selectors.vision_get(user=self.request.user, product=product) or Vision(product=product, version=0)

    def version_of(self, product) -> int:
        return self._current(product).version

    def retrieve(self, request, pk=None):
        return Response(self.get_serializer(self._current(self.get_object())).data)

    @extend_schema(request=VisionInputSerializer, responses={200: VisionSerializer, 409: StaleVisionSerializer})
    def update(self, request, pk=None):
        product = self.get_object()
        data = VisionInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        try:
            vision = services.vision_save(actor=request.user, product=product,
                                          **self.with_if_match(dict(data.validated_data)))
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                current = self.get_serializer(self._current(product)).data
                return Response({"detail": exc.messages[0], "current": current}, status=status.HTTP_409_CONFLICT)
            raise
        return Response(self.get_serializer(vision).data)

    @extend_schema(responses=VisionVersionSerializer(many=True))
    def versions(self, request, pk=None):
        """The vision's 50 most recent versions, newest first, with their authors."""
        versions = selectors.vision_versions(user=request.user, product=self.get_object())
        return Response(VisionVersionSerializer(versions, many=True).data)

    @extend_schema(request=VisionRestoreInputSerializer, responses=VisionSerializer)
    def restore(self, request, pk=None):
        """Make an earlier version the current vision again, as a new version: nothing is lost."""
        product = self.get_object()
        data = VisionRestoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            vision = services.vision_restore(actor=request.user, product=product, **data.validated_data)
        except Vision.DoesNotExist:
            raise ValidationError({"history_id": _("This product has no vision to restore yet.")}) from None
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"history_id": exc.messages}) from exc
        return Response(self.get_serializer(vision).data)


# --- personas and competitors ---------------------------------------------------------


class PersonaViewSet(RecordViewSet):
    """Personas of the products of your workspaces. A persona stays with its product."""

    serializer_class = PersonaSerializer
    input_serializer_class = PersonaInputSerializer
    filterset_class = PersonaFilterSet

    def get_queryset(self):
        return selectors.persona_list(user=self.request.user)

    @extend_schema(request=PersonaInputSerializer, responses={201: PersonaSerializer})
    def create(self, request):
        self.refuse_early("product", self._products())
        persona = services.persona_create(actor=request.user, **self._input())
        return self._show(persona, status.HTTP_201_CREATED)

    @extend_schema(request=PersonaInputSerializer, responses=PersonaSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=PersonaInputSerializer, responses=PersonaSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        persona = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", persona.product_id, _("A persona cannot move to another product."))
        return self._show(services.persona_update(actor=self.request.user, persona=persona, **data))

    def destroy(self, request, pk=None):
        services.persona_delete(actor=request.user, persona=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class CompetitorViewSet(RecordViewSet):
    """Competitors of the products of your workspaces, the most threatening first."""

    serializer_class = CompetitorSerializer
    input_serializer_class = CompetitorInputSerializer
    filterset_class = CompetitorFilterSet

    def get_queryset(self):
        return selectors.competitor_list(user=self.request.user)

    @extend_schema(request=CompetitorInputSerializer, responses={201: CompetitorSerializer})
    def create(self, request):
        self.refuse_early("product", self._products())
        competitor = services.competitor_create(actor=request.user, **self._input())
        return self._show(competitor, status.HTTP_201_CREATED)

    @extend_schema(request=CompetitorInputSerializer, responses=CompetitorSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=CompetitorInputSerializer, responses=CompetitorSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        competitor = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", competitor.product_id, _("A competitor cannot move to another product."))
        return self._show(services.competitor_update(actor=self.request.user, competitor=competitor, **data))

    def destroy(self, request, pk=None):
        services.competitor_delete(actor=request.user, competitor=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the comparison -----------------------------------------------------------------


class CriterionViewSet(RecordViewSet):
    """Rows of the products' competitor comparisons. Deleting one deletes its ratings."""

    serializer_class = CriterionSerializer
    input_serializer_class = CriterionInputSerializer
    filterset_class = CriterionFilterSet

    def get_queryset(self):
        return selectors.criterion_list(user=self.request.user)

    @extend_schema(request=CriterionInputSerializer, responses={201: CriterionSerializer})
    def create(self, request):
        self.refuse_early("product", self._products())
        criterion = services.criterion_create(actor=request.user, **self._input())
        return self._show(criterion, status.HTTP_201_CREATED)

    @extend_schema(request=CriterionUpdateInputSerializer, responses=CriterionSerializer)
    def partial_update(self, request, pk=None):
        criterion = self.get_object()
        data = CriterionUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._show(services.criterion_update(actor=request.user, criterion=criterion, **data.validated_data))

    def destroy(self, request, pk=None):
        services.criterion_delete(actor=request.user, criterion=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(parameters=[PRODUCT_ID])
class ComparisonViewSet(EditGuardMixin, viewsets.GenericViewSet):
    """A product's competitor comparison, addressed by the product's id: criteria as rows,
    the product and its competitors as columns. PUT writes the cells it is given, all or none."""

    serializer_class = ComparisonSerializer
    edit_action = "strategy.edit"
    pagination_class = None

    def get_queryset(self):
        return selectors.product_list(user=self.request.user, include_archived=True)

    def retrieve(self, request, pk=None):
        comparison = selectors.comparison_get(user=request.user, product=self.get_object())
        return Response(self.get_serializer(comparison).data)

    @extend_schema(request=ComparisonInputSerializer, responses=ComparisonSerializer)
    def update(self, request, pk=None):
        product = self.get_object()
        context = {**self.get_serializer_context(), "product": product}
        data = ComparisonInputSerializer(data=request.data, context=context)
        data.is_valid(raise_exception=True)
        ratings = [(cell["criterion"], cell["competitor"], cell["score"]) for cell in data.validated_data["ratings"]]
        services.comparison_rate(actor=request.user, product=product, ratings=ratings)
        return self.retrieve(request, pk=pk)


# --- goals, key results and check-ins ------------------------------------------------


class GoalViewSet(RecordViewSet):
    """Goals of your workspaces, company-wide or of a product, each with its key results,
    progress, expected progress and status (rules in docs/strategy.md)."""

    serializer_class = GoalSerializer
    input_serializer_class = GoalInputSerializer
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


class KeyResultViewSet(RecordViewSet):
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


class InitiativeViewSet(RecordViewSet):
    """Initiatives of the products of your workspaces, with the ids of the goals they serve."""

    serializer_class = InitiativeSerializer
    input_serializer_class = InitiativeInputSerializer
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
