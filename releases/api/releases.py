"""The API of releases and milestones: serializers and viewsets, the burn-up included."""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from strategy.api.fields import DateField, VisibleIdField, optional_text
from strategy.api.records import InputSerializer, unmoved
from strategy.models import Product

from .. import selectors, services
from ..models import Milestone, Release
from .fields import enum_field, version_field
from .filters import MilestoneFilterSet, ReleaseFilterSet
from .records import RecordViewSet

ReleaseStatusField = enum_field("ReleaseStatusEnum", Release.Status.choices, "Where a release stands.")



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


class ReleaseSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
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
            "external_id", "external_url", "version", "created_at", "updated_at",
        ]
        read_only_fields = fields


class ReleaseInputSerializer(ExternalIdentityInput, InputSerializer):
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
    version = version_field("release")


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


class ReleaseViewSet(ExternalIdMixin, RecordViewSet):
    """Releases of the products of your workspaces, by release date, with the counts and
    estimates of their features, their milestones and how many conflicts they have."""

    serializer_class = ReleaseSerializer
    input_serializer_class = ReleaseInputSerializer
    create_service = staticmethod(services.release_create)
    update_service = staticmethod(services.release_update)
    record_kwarg = "release"
    fixed_fields = ("product",)
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
        return selectors.milestone_list(user=self.request.user)

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
