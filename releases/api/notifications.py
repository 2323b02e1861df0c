"""The API of notifications: my notifications in the workspace of the address (filter
`unread`, `kind`), marking one or all read, and my email choices. Serializers and viewsets
together; every write goes through releases.services."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.fields import SCOPED_WORKSPACE_HELP, ScopedWorkspace, VisibleSlugField
from strategy.api.records import InputSerializer
from strategy.api.tenancy import UserSerializer
from strategy.models import Workspace

from .. import services
from ..models import EmailChoice, Notification, NotificationKind
from .fields import enum_field

KindField = enum_field("NotificationKindEnum", NotificationKind.choices, "What the notification is about.")
EmailChoiceField = enum_field("EmailChoiceEnum", EmailChoice.choices,
                              "How this kind reaches you by email: right away, in the daily digest, or not.")


class NotificationFeatureSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.CharField(help_text="The feature's key, e.g. MOB-12.")
    title = serializers.CharField()
    product = serializers.IntegerField(source="product_id")


class NotificationSerializer(serializers.ModelSerializer):
    kind = KindField(read_only=True)
    actor = UserSerializer(read_only=True, allow_null=True)
    feature = NotificationFeatureSerializer(read_only=True)
    comment = serializers.IntegerField(source="comment_id", read_only=True, allow_null=True)
    detail = serializers.CharField(read_only=True, help_text="“Planned → Shipped”, or the comment's first words.")

    class Meta:
        model = Notification
        fields = ["id", "kind", "actor", "feature", "comment", "detail", "created_at", "read_at"]


class ReadAllInputSerializer(InputSerializer):
    workspace = VisibleSlugField(
        strategy_selectors.workspace_list, slug_field="slug", queryset=Workspace.objects.none(),
        default=ScopedWorkspace(), help_text="The workspace's slug." + SCOPED_WORKSPACE_HELP)
    kind = KindField(required=False, help_text="Only notifications of this kind.")


class ReadAllResultSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many notifications were unread and are now read.")


class NotificationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Your notifications, newest first (someone else's are not found)."""

    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset answers
    filter_backends: list = []

    def get_queryset(self):
        found = (Notification.objects.visible_to(self.request.user).filter(recipient=self.request.user)
                 .select_related("actor", "feature__product").order_by("-created_at", "-id"))
        if self.action == "list":
            unread = self.request.query_params.get("unread")
            if unread in ("true", "1"):
                found = found.filter(read_at__isnull=True)
            elif unread in ("false", "0"):
                found = found.filter(read_at__isnull=False)
            kind = self.request.query_params.get("kind")
            if kind:
                if kind not in NotificationKind.values:
                    raise serializers.ValidationError({"kind": [_("Not a kind of notification.")]})
                found = found.filter(kind=kind)
        return found

    @extend_schema(parameters=[
        OpenApiParameter("unread", bool, description="true: only unread ones; false: only read ones."),
        OpenApiParameter("kind", str, enum=NotificationKind.values, description="Only this kind."),
    ])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark the notification read (already read: no change)."""
        notification = services.notification_mark_read(actor=request.user, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(request=ReadAllInputSerializer, responses=ReadAllResultSerializer)
    @action(detail=False, methods=["post"], url_path="read-all", pagination_class=None)
    def read_all(self, request):
        """Mark all your unread notifications of the workspace read (of one kind, if given)."""
        data = ReadAllInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        marked = services.notifications_mark_all_read(actor=request.user, **data.validated_data)
        return Response(ReadAllResultSerializer({"marked": marked}).data)


class NotificationSettingsSerializer(serializers.Serializer):
    """Field names are the kinds, and the keyword arguments of `notification_settings_update`."""

    mention = EmailChoiceField(required=False)
    assigned = EmailChoiceField(required=False)
    status = EmailChoiceField(required=False)
    comment = EmailChoiceField(required=False)

    def validate(self, attrs):
        if not attrs:
            message = _("Name at least one kind.")
            raise serializers.ValidationError({kind: [message] for kind in NotificationKind.values})
        return attrs


class NotificationSettingsViewSet(viewsets.ViewSet):
    """Your email choices per kind of notification, at one address: GET reads them, PATCH
    changes the ones named. They are yours, in every workspace."""

    def _answer(self, saved) -> Response:
        return Response(NotificationSettingsSerializer(
            {kind: saved.choice_for(kind) for kind in NotificationKind.values}).data)

    @extend_schema(responses=NotificationSettingsSerializer)
    def retrieve(self, request):
        return self._answer(services.notification_settings_of(request.user))

    @extend_schema(request=NotificationSettingsSerializer, responses=NotificationSettingsSerializer)
    def partial_update(self, request):
        data = NotificationSettingsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(services.notification_settings_update(actor=request.user, **data.validated_data))
