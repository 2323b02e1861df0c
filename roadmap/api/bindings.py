"""The API of key results bound to a metric: `/api/v1/key-result-bindings/{key result id}/`.

A binding is addressed by its key result's id: GET reads it (404 when the key result follows
no metric), PUT binds or rebinds, DELETE unbinds. A viewer's PUT or DELETE is refused (403)
before its input is looked at; writes go through `roadmap.services` like the page's."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from releases import selectors as release_selectors
from releases.models import Release
from strategy import access
from strategy import selectors as strategy_selectors
from strategy.api.fields import VisibleIdField, product_field
from strategy.api.records import InputSerializer

from .. import selectors, services
from ..models import KeyResultBinding, Metric

KEY_RESULT_PARAMETER = OpenApiParameter("key_result", int, OpenApiParameter.PATH,
                                        description="The id of the key result the metric feeds.")


class KeyResultBindingSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(read_only=True, help_text="The metric's unit: % for shares, empty for counts.")
    value = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, allow_null=True,
        help_text="The last value the key result took from the metric; empty until the metric is computed.")
    as_of = serializers.DateField(read_only=True, allow_null=True, help_text="The day that value describes.")
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                            help_text="When the metric's source computed that value.")

    class Meta:
        model = KeyResultBinding
        fields = ["key_result", "metric", "product", "release", "feature_key", "unit", "value", "as_of",
                  "computed_at", "created_at"]
        read_only_fields = fields


class KeyResultBindingInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `key_result_bind`."""

    metric = serializers.ChoiceField(choices=Metric.choices)
    product = product_field()
    release = VisibleIdField(
        release_selectors.release_choices, queryset=Release.objects.none(), required=False, allow_null=True,
        help_text="For release_progress and on_time_probability: the id of a release of the product.")
    feature_key = serializers.CharField(
        max_length=50, required=False, allow_blank=True,
        help_text="For feature_adoption and feature_users: the feature key usage events carry.")


@extend_schema(parameters=[KEY_RESULT_PARAMETER])
class KeyResultBindingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = KeyResultBindingSerializer
    lookup_field = "key_result"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.binding_list(user=self.request.user)

    def _key_result(self, key_result):
        found = get_object_or_404(strategy_selectors.key_result_list(user=self.request.user), pk=key_result)
        access.ensure_can(self.request.user, "strategy.edit", found)
        return found

    @extend_schema(request=KeyResultBindingInputSerializer, responses=KeyResultBindingSerializer)
    def update(self, request, key_result=None):
        """Bind the key result to a metric, replacing the metric it followed."""
        found = self._key_result(key_result)
        data = KeyResultBindingInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.key_result_bind(actor=request.user, key_result=found, **data.validated_data)
        return Response(self.get_serializer(self.get_object()).data)

    def destroy(self, request, key_result=None):
        """The key result stops following its metric; its check-ins stay."""
        services.key_result_unbind(actor=request.user, key_result=self._key_result(key_result))
        return Response(status=status.HTTP_204_NO_CONTENT)
