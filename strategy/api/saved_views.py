"""The API of saved views: a person's named query strings of a product's backlog, board or
timeline, private or shared with the workspace; serializers and viewset together."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from .. import selectors, services
from ..filters import SavedViewFilterSet
from ..models import SavedView
from ..models.saved_views import SAVED_VIEW_NAME_MAX_LENGTH, SAVED_VIEW_QUERY_MAX_LENGTH
from .fields import product_field
from .records import InputSerializer


class SavedViewSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True, help_text="The page this view opens, with its query string.")
    mine = serializers.SerializerMethodField(help_text="Whether you saved it (and so may rename or share it).")

    class Meta:
        model = SavedView
        fields = ["id", "product", "kind", "name", "query", "shared", "owner", "mine", "url", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_mine(self, view: SavedView) -> bool:
        return view.owner_id == self.context["request"].user.pk


class SavedViewInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `saved_view_create`."""

    product = product_field()
    kind = serializers.ChoiceField(choices=SavedView.Kind.choices)
    name = serializers.CharField(max_length=SAVED_VIEW_NAME_MAX_LENGTH)
    query = serializers.CharField(max_length=SAVED_VIEW_QUERY_MAX_LENGTH, required=False, allow_blank=True,
                                  help_text="The page's query string, such as status=4&release=none.")
    shared = serializers.BooleanField(required=False, default=False)


class SavedViewUpdateSerializer(InputSerializer):
    """Field names are the keyword arguments of `saved_view_update`; a view stays on its page."""

    name = serializers.CharField(max_length=SAVED_VIEW_NAME_MAX_LENGTH, required=False)
    query = serializers.CharField(max_length=SAVED_VIEW_QUERY_MAX_LENGTH, required=False, allow_blank=True)
    shared = serializers.BooleanField(required=False)


class SavedViewViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your saved views and those shared with your workspaces. Any member saves views; only
    a view's owner renames, re-queries or shares it; its owner (or an admin, for a shared
    view) deletes it."""

    serializer_class = SavedViewSerializer
    filterset_class = SavedViewFilterSet

    def get_queryset(self):
        return selectors.saved_view_list(user=self.request.user).order_by("product_id", "kind", "name", "id")

    @extend_schema(request=SavedViewInputSerializer, responses={201: SavedViewSerializer})
    def create(self, request):
        data = SavedViewInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        view = services.saved_view_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=view.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=SavedViewUpdateSerializer, responses=SavedViewSerializer)
    def partial_update(self, request, pk=None):
        data = SavedViewUpdateSerializer(data=request.data, partial=True, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        view = services.saved_view_update(actor=request.user, view=self.get_object(), **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=view.pk)).data)

    def destroy(self, request, pk=None):
        services.saved_view_delete(actor=request.user, view=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
