"""Serializers of the strategy API: vision, personas, competitors and the comparison,
goals with key results and check-ins, and initiatives.

Output serializers read only what the viewsets' querysets loaded. Input serializers are
named after the services' keyword arguments; the ids they take are looked up only among
rows the requesting user may see, so another workspace's id is refused exactly like an
id that does not exist."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Model, QuerySet
from rest_framework import serializers
from rest_framework.fields import SkipField

from .. import metrics, selectors
from ..limits import NOTE_MAX_LENGTH, RATINGS_MAX_COUNT
from ..models import (
    CheckIn,
    ComparisonCriterion,
    Competitor,
    Goal,
    Initiative,
    KeyResult,
    Persona,
    Product,
    User,
    Vision,
    Workspace,
    colour_validator,
)
from .fields import DateField, UrlOrEmptyField, VisibleIdsField, optional_text
from .serializers import UserSerializer

# --- shared pieces ------------------------------------------------------------


def _user(field_or_serializer):
    """The requesting user; without a request (schema generation) nobody, who sees nothing."""
    request = field_or_serializer.context.get("request")
    return request.user if request is not None else AnonymousUser()


class _Scoped:
    """A related field whose choices come from a selector, called with the requesting user
    (and the serializer context's values named in `by`): rows the user may see, read the
    way the pages read them."""

    def __init__(self, selector: Callable[..., QuerySet], *, by: tuple[str, ...] = (), **kwargs):
        self.selector = selector
        self.by = by
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(user=_user(self), **{name: self.context[name] for name in self.by})


class VisibleIdField(_Scoped, serializers.PrimaryKeyRelatedField):
    pass


class VisibleSlugField(_Scoped, serializers.SlugRelatedField):
    pass


def _product_field(**kwargs) -> VisibleIdField:
    return VisibleIdField(partial(selectors.product_list, include_archived=True), queryset=Product.objects.none(),
                          help_text="The product's id.", **kwargs)


def _colour() -> serializers.CharField:
    return serializers.CharField(
        max_length=7, required=False, validators=[colour_validator], help_text="A hex colour such as #4f46e5.")


class VersionedInput(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, write_only=True,
        help_text="On updates: the version you read. If the record changed since, the update is refused with 409.",
    )


class InputSerializer(serializers.Serializer):
    """Reports every problem of a request at once: each bad field, and the model's own
    single-row rules (its `clean()`: "ends before it starts", "target equals start") over
    the fields that were valid, so that a client can fix everything in one round trip.
    The services check the same rules again against the stored record."""

    clean_model: type[Model] | None = None
    clean_fields: tuple[str, ...] = ()

    def to_internal_value(self, data):
        try:
            attrs = super().to_internal_value(data)
            errors = {}
        except serializers.ValidationError as exc:
            if not isinstance(data, Mapping) or not isinstance(exc.detail, dict):
                raise
            errors = dict(exc.detail)
            attrs = self._valid_values(data, skip=errors)
        for name, messages in self._model_errors(attrs).items():
            errors.setdefault(name, messages)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def _valid_values(self, data, skip) -> dict:
        values = {}
        for name in self.clean_fields:
            field = self.fields.get(name)
            if field is None or field.read_only or name in skip:
                continue
            try:
                values[name] = field.run_validation(field.get_value(data))
            except (serializers.ValidationError, DjangoValidationError, SkipField):
                continue
        return values

    def _model_errors(self, attrs) -> dict:
        if self.clean_model is None:
            return {}
        values = {name: attrs[name] for name in self.clean_fields if name in attrs}
        try:
            self.clean_model(**values).clean()
        except DjangoValidationError as exc:
            # A rule about a field the request left out is checked by the service, against the record.
            return {name: messages for name, messages in exc.message_dict.items() if name in values}
        return {}


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


class PersonaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Persona
        fields = [
            "id", "product", "name", "role", "description", "goals", "pains", "quote", "colour", "importance",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class PersonaInputSerializer(VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `persona_create` / `persona_update`."""

    product = _product_field()
    name = serializers.CharField(max_length=100)
    role = optional_text(120)
    description = optional_text()
    goals = optional_text(help_text="What this persona wants to achieve.")
    pains = optional_text()
    quote = optional_text(300)
    colour = _colour()
    importance = serializers.ChoiceField(choices=Persona.Importance.choices, required=False)


class CompetitorSerializer(serializers.ModelSerializer):
    website = UrlOrEmptyField(read_only=True)

    class Meta:
        model = Competitor
        fields = [
            "id", "product", "name", "website", "positioning", "strengths", "weaknesses", "pricing_notes", "threat",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class CompetitorInputSerializer(VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `competitor_create` / `competitor_update`."""

    product = _product_field()
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

    product = _product_field()
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


class GoalSerializer(serializers.ModelSerializer):
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
            "progress", "expected", "status", "status_label", "key_results", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class GoalInputSerializer(VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `goal_create` / `goal_update`."""

    clean_model = Goal
    clean_fields = ("start_date", "end_date")

    workspace = VisibleSlugField(
        selectors.workspace_list, slug_field="slug", queryset=Workspace.objects.none(),
        help_text="The workspace's slug. A goal cannot move to another workspace.",
    )
    product = _product_field(allow_null=True, required=False)
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


class InitiativeSerializer(serializers.ModelSerializer):
    goals = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the goals it serves.")

    class Meta:
        model = Initiative
        fields = [
            "id", "product", "name", "description", "status", "start_date", "end_date", "colour", "goals",
            "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class InitiativeInputSerializer(VersionedInput, InputSerializer):
    """Field names are the keyword arguments of `initiative_create` / `initiative_update`."""

    clean_model = Initiative
    clean_fields = ("start_date", "end_date")

    product = _product_field()
    name = serializers.CharField(max_length=150)
    description = optional_text()
    status = serializers.ChoiceField(choices=Initiative.Status.choices, required=False)
    start_date = DateField(allow_null=True, required=False)
    end_date = DateField(allow_null=True, required=False, help_text="On or after the start date.")
    colour = _colour()
    goals = VisibleIdsField(
        child_relation=VisibleIdField(selectors.goal_choices, queryset=Goal.objects.none()), required=False,
        help_text="Ids of the goals it serves, of the same workspace. Left out, they stay as they are.",
    )
