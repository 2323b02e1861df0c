from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import access, selectors, services
from ..filters import ProductFilterSet
from ..models import Invitation, Membership, Workspace
from .records import EditGuardMixin
from .serializers import (
    InvitationInputSerializer,
    InvitationSerializer,
    MembershipInputSerializer,
    MembershipSerializer,
    ProductInputSerializer,
    ProductSerializer,
    WorkspaceSerializer,
)


class WorkspaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Workspaces you are a member of, with your role in each."""

    serializer_class = WorkspaceSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.workspace_list(user=self.request.user)


class MembershipViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Members of your workspaces. Admins change roles (PATCH) and remove members (DELETE);
    anyone may remove their own membership to leave a workspace."""

    serializer_class = MembershipSerializer
    filterset_fields = {"workspace__slug": ["exact"], "role": ["exact"]}

    def get_queryset(self):
        return Membership.objects.visible_to(self.request.user).select_related("workspace", "user").order_by(
            "workspace__name", "user__email")

    @extend_schema(request=MembershipInputSerializer, responses=MembershipSerializer)
    def partial_update(self, request, pk=None):
        membership = self.get_object()
        access.ensure_can(request.user, "workspace.manage", membership.workspace)
        data = MembershipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_change_role(
            actor=request.user, membership=membership, **data.validated_data)
        return Response(self.get_serializer(membership).data)

    def destroy(self, request, pk=None):
        services.membership_remove(actor=request.user, membership=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationViewSet(EditGuardMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Pending invitations of the workspaces you administer. POST invites (and emails) an
    address; DELETE withdraws an invitation."""

    serializer_class = InvitationSerializer
    filterset_fields = {"workspace__slug": ["exact"]}
    edit_action = "workspace.manage"

    def get_queryset(self):
        invitations = Invitation.objects.filter(
            workspace__in=Workspace.objects.visible_to(self.request.user)
        ).pending().select_related("workspace", "invited_by")
        if self.action == "list":
            return invitations.filter(
                workspace_id__in=access.workspace_ids_where(self.request.user, "workspace.manage"))
        return invitations

    @extend_schema(request=InvitationInputSerializer, responses={201: InvitationSerializer})
    def create(self, request):
        self.refuse_early("workspace", Workspace.objects.visible_to(request.user), lookup="slug")
        data = InvitationInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(actor=request.user, **data.validated_data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        services.invitation_revoke(actor=request.user, invitation=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProductViewSet(EditGuardMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Products and product lines. DELETE archives (nothing is lost); `restore` brings one back.
    Lists show active products unless `archived=true`."""

    serializer_class = ProductSerializer
    filterset_class = ProductFilterSet
    edit_action = "products.edit"

    def get_queryset(self):
        return selectors.product_list(user=self.request.user, include_archived=True)

    def _input(self, partial: bool) -> dict:
        data = ProductInputSerializer(
            data=self.request.data, context={"request": self.request}, partial=partial)
        data.is_valid(raise_exception=True)
        return self.with_if_match(dict(data.validated_data))

    @extend_schema(request=ProductInputSerializer, responses={201: ProductSerializer})
    def create(self, request):
        self.refuse_early("workspace", Workspace.objects.visible_to(request.user), lookup="slug")
        data = self._input(partial=False)
        data.pop("version", None)
        product = services.product_create(actor=request.user, **data)
        return Response(self.get_serializer(product).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProductInputSerializer, responses={200: ProductSerializer, 409: None})
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=ProductInputSerializer, responses={200: ProductSerializer, 409: None})
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, partial: bool):
        product = self.get_object()
        data = self._input(partial=partial)
        if "workspace" in data and data.pop("workspace") != product.workspace:
            raise ValidationError({"workspace": "A product cannot move to another workspace."})
        try:
            product = services.product_update(actor=self.request.user, product=product, **data)
        except ValidationError as exc:
            if getattr(exc, "code", None) == "stale":
                current = self.get_serializer(self.get_object()).data
                return Response({"detail": exc.messages[0], "current": current}, status=status.HTTP_409_CONFLICT)
            raise
        return Response(self.get_serializer(product).data)

    def destroy(self, request, pk=None):
        services.product_archive(actor=request.user, product=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses=ProductSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        product = services.product_unarchive(actor=request.user, product=self.get_object())
        return Response(self.get_serializer(product).data)

