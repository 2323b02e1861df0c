"""The API of webhooks: `/api/v1/webhooks/` (admins of a workspace register, change and
remove its webhooks; `ping` sends a test event) and `/api/v1/webhook-deliveries/` (the
delivery log, with every attempt; `redeliver` sends one again). Only a workspace's admins see
its webhooks: for anyone else they do not exist (404). Writes go through `roadmap.services`,
as the settings pages' do."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy.api.records import InputSerializer
from strategy.models import Workspace

from .. import selectors, services
from ..models import Webhook, WebhookAttempt, WebhookDelivery, WebhookEvent


class WebhookSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), read_only=True)
    secret = serializers.CharField(read_only=True, help_text=(
        "Signs each delivery: `Waymark-Signature: v1=<hex HMAC-SHA256 of \"<Waymark-Timestamp>.<body>\">`."))

    class Meta:
        model = Webhook
        fields = ["id", "workspace", "url", "description", "events", "is_active", "secret", "created_at",
                  "updated_at"]
        read_only_fields = fields


class WebhookInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `webhook_create` and `webhook_update`."""

    workspace = serializers.SlugRelatedField(slug_field="slug", queryset=Workspace.objects.none(),
                                             help_text="The slug of a workspace you administer (on create only).")
    url = serializers.URLField(max_length=500, help_text=(
        "http:// or https:// address on a public network (private ranges only if the operator allows them)."))
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices), allow_empty=False)
    is_active = serializers.BooleanField(required=False, default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["workspace"].queryset = Workspace.objects.visible_to(request.user)


class WebhookAttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "duration_ms", "error", "response_excerpt", "redelivery"]
        read_only_fields = fields


class WebhookDeliverySerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="uid", read_only=True, help_text="The `Waymark-Delivery` header.")
    attempts = WebhookAttemptSerializer(many=True, read_only=True, help_text="Newest first.")

    class Meta:
        model = WebhookDelivery
        fields = ["id", "webhook", "event", "state", "attempt_count", "last_status_code", "next_attempt_at",
                  "created_at", "completed_at", "payload", "attempts"]
        read_only_fields = fields


class WebhookViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin,
                     viewsets.GenericViewSet):
    """Webhooks of the workspaces you administer."""

    serializer_class = WebhookSerializer
    filterset_fields = {"workspace__slug": ["exact"], "is_active": ["exact"]}

    def get_queryset(self):
        return selectors.webhook_list(user=self.request.user).order_by("created_at", "id")

    def _input(self, partial: bool) -> dict:
        data = WebhookInputSerializer(data=self.request.data, partial=partial, context={"request": self.request})
        data.is_valid(raise_exception=True)
        return dict(data.validated_data)

    @extend_schema(request=WebhookInputSerializer, responses={201: WebhookSerializer})
    def create(self, request):
        webhook = services.webhook_create(actor=request.user, **self._input(partial=False))
        return Response(self.get_serializer(webhook).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookInputSerializer, responses=WebhookSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=WebhookInputSerializer, responses=WebhookSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, partial: bool) -> Response:
        webhook = self.get_object()
        data = self._input(partial=partial)
        workspace = data.pop("workspace", None)
        if workspace is not None and workspace != webhook.workspace:
            raise serializers.ValidationError({"workspace": ["A webhook cannot move to another workspace."]})
        webhook = services.webhook_update(actor=self.request.user, webhook=webhook, **data)
        return Response(self.get_serializer(webhook).data)

    def perform_destroy(self, instance):
        services.webhook_delete(actor=self.request.user, webhook=instance)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def ping(self, request, pk=None):
        """Queue a `ping` delivery, to try the receiver and its signature check."""
        delivery = services.webhook_ping(actor=request.user, webhook=self.get_object())
        return Response(WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses=WebhookSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """A new signing secret; deliveries from now on are signed with it."""
        webhook = services.webhook_secret_rotate(actor=request.user, webhook=self.get_object())
        return Response(self.get_serializer(webhook).data)


class WebhookDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log of the webhooks you administer, newest first, each with its attempts."""

    serializer_class = WebhookDeliverySerializer
    filterset_fields = {"webhook": ["exact"], "event": ["exact"], "state": ["exact"]}

    def get_queryset(self):
        return selectors.delivery_list(user=self.request.user)

    @extend_schema(request=None, responses={202: WebhookDeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send the delivery again (same body and id, signed anew), by the worker."""
        delivery = services.webhook_redeliver(actor=request.user, delivery=self.get_object())
        return Response(self.get_serializer(delivery).data, status=status.HTTP_202_ACCEPTED)
