"""The API of a product's positioning: its vision, personas, competitors and the comparison,
serializers and viewsets together; the contract they keep is in `strategy.api`."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from .. import selectors, services
from ..filters import (
    CompetitorFilterSet,
    CriterionFilterSet,
    PersonaFilterSet,
)
from ..limits import RATINGS_MAX_COUNT
from ..models import (
    ComparisonCriterion,
    Competitor,
    Persona,
    Vision,
)
from .external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from .fields import (
    UrlOrEmptyField,
    VisibleIdField,
    colour_field,
    optional_text,
    product_field,
)
from .records import EditGuardMixin, InputSerializer, StrategyRecordViewSet, VersionedInput, unmoved
from .tenancy import UserSerializer

PRODUCT_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The product's id.")


# --- vision -------------------------------------------------------------------


class VisionSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="Empty while the product has no vision yet.")

    class Meta:
        model = Vision
        fields = ["product", *Vision.CONTENT_FIELDS, "version", "updated_at"]
        read_only_fields = fields


class VisionInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `vision_save`. Fields left out keep their text."""

    statement = optional_text()
    target_market = optional_text()
    customer_needs = optional_text()
    value_proposition = optional_text()
    differentiators = optional_text()
    business_model = optional_text()
    version = serializers.IntegerField(
        required=False, min_value=0,
        help_text="The version you read. If someone saved a newer one since, the save is refused with 409.",
    )


class StaleVisionSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who saved the newer version, and when.")
    current = VisionSerializer(help_text="The vision as it is now: merge your changes into it and save again.")


class VisionVersionSerializer(serializers.ModelSerializer):
    history_user = UserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Vision.history.model
        fields = ["history_id", "history_date", "history_user", "version", *Vision.CONTENT_FIELDS]
        read_only_fields = fields


class VisionRestoreInputSerializer(InputSerializer):
    history_id = serializers.IntegerField(help_text="The `history_id` of one of the vision's versions.")


# --- personas and competitors ---------------------------------------------------


class PersonaSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    class Meta:
        model = Persona
        fields = [
            "id", "product", "name", "role", "description", "goals", "pains", "quote", "colour", "importance",
            "external_id", "external_url", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class PersonaInputSerializer(ExternalIdentityInput, VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `persona_create` / `persona_update`."""

    product = product_field()
    name = serializers.CharField(max_length=100)
    role = optional_text(120)
    description = optional_text()
    goals = optional_text(help_text="What this persona wants to achieve.")
    pains = optional_text()
    quote = optional_text(300)
    colour = colour_field()
    importance = serializers.ChoiceField(choices=Persona.Importance.choices, required=False)


class CompetitorSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    website = UrlOrEmptyField(read_only=True)

    class Meta:
        model = Competitor
        fields = [
            "id", "product", "name", "website", "positioning", "strengths", "weaknesses", "pricing_notes", "threat",
            "external_id", "external_url", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class CompetitorInputSerializer(ExternalIdentityInput, VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `competitor_create` / `competitor_update`."""

    product = product_field()
    name = serializers.CharField(max_length=120)
    website = UrlOrEmptyField(required=False)
    positioning = optional_text()
    strengths = optional_text()
    weaknesses = optional_text()
    pricing_notes = optional_text()
    threat = serializers.ChoiceField(choices=Competitor.Threat.choices, required=False)


# --- the comparison -------------------------------------------------------------


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ComparisonCriterion
        fields = ["id", "product", "name", "position", "created_at"]
        read_only_fields = fields


class CriterionInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `criterion_create`."""

    product = product_field()
    name = serializers.CharField(max_length=120)


class CriterionUpdateInputSerializer(serializers.Serializer):
    """Field names are the keyword arguments of `criterion_update`."""

    name = serializers.CharField(max_length=120, required=False)
    move = serializers.ChoiceField(choices=["up", "down"], required=False, source="direction",
                                   help_text="Move the criterion one row up or down.")


class ComparisonColumnSerializer(serializers.Serializer):
    competitor = serializers.IntegerField(
        source="competitor.pk", allow_null=True, read_only=True,
        help_text="The competitor's id; empty for the product itself.",
    )
    name = serializers.CharField(read_only=True)
    scores = serializers.ListField(
        child=serializers.IntegerField(allow_null=True), read_only=True,
        help_text="One score (0–5, or empty when not rated) per criterion, in the order of `criteria`.",
    )
    average = serializers.FloatField(allow_null=True, read_only=True)


class ComparisonSerializer(serializers.Serializer):
    criteria = CriterionSerializer(many=True, read_only=True)
    columns = ComparisonColumnSerializer(
        many=True, read_only=True, help_text="The product first, then its competitors, the most threatening first.")


class RatingInputSerializer(serializers.Serializer):
    criterion = VisibleIdField(
        selectors.criterion_list, by=("product",), queryset=ComparisonCriterion.objects.none(),
        help_text="A criterion of this product.")
    competitor = VisibleIdField(
        selectors.competitor_list, by=("product",), queryset=Competitor.objects.none(), allow_null=True, default=None,
        help_text="A competitor of this product; empty (or left out) rates the product itself.",
    )
    score = serializers.IntegerField(
        min_value=0, max_value=5, allow_null=True, help_text="0 (absent) to 5 (best in class); empty clears the cell.")


class ComparisonInputSerializer(InputSerializer):
    """`ratings` is the keyword argument of `comparison_rate`: every cell is written, or none."""

    ratings = RatingInputSerializer(many=True, max_length=RATINGS_MAX_COUNT)


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


class PersonaViewSet(ExternalIdMixin, StrategyRecordViewSet):
    """Personas of the products of your workspaces. A persona stays with its product."""

    serializer_class = PersonaSerializer
    input_serializer_class = PersonaInputSerializer
    create_service = staticmethod(services.persona_create)
    update_service = staticmethod(services.persona_update)
    record_kwarg = "persona"
    fixed_fields = ("product",)
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


class CompetitorViewSet(ExternalIdMixin, StrategyRecordViewSet):
    """Competitors of the products of your workspaces, the most threatening first."""

    serializer_class = CompetitorSerializer
    input_serializer_class = CompetitorInputSerializer
    create_service = staticmethod(services.competitor_create)
    update_service = staticmethod(services.competitor_update)
    record_kwarg = "competitor"
    fixed_fields = ("product",)
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


class CriterionViewSet(StrategyRecordViewSet):
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
