"""The API of workspaces, their members and invitations, and products: serializers and
viewsets together."""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .. import access, selectors, services
from ..filters import ProductFilterSet
from ..limits import TEXT_MAX_LENGTH
from ..models import Invitation, Membership, Product, Role, User, Workspace, product_key_validator
from .external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from .fields import SCOPED_WORKSPACE_HELP, ScopedWorkspace
from .records import EditGuardMixin


def _request_user(serializer):
    """Choices are scoped to the requesting user; without a request (schema generation) to nobody."""
    request = serializer.context.get("request")
    return request.user if request is not None else AnonymousUser()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email", "full_name"]


class WorkspaceSerializer(serializers.ModelSerializer):
    role = serializers.CharField(read_only=True, help_text="Your role in this workspace.")

    class Meta:
        model = Workspace
        fields = ["id", "name", "slug", "role", "created_at"]


class MembershipSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True)
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "workspace", "user", "role", "created_at"]


class MembershipInputSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    invited_by = UserSerializer(read_only=True)

    class Meta:
        model = Invitation
        fields = ["id", "workspace", "email", "role", "invited_by", "created_at", "expires_at"]


class InvitationInputSerializer(serializers.Serializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", queryset=Workspace.objects.none(),
                                             default=ScopedWorkspace(), help_text="The workspace's slug."
                                             + SCOPED_WORKSPACE_HELP)
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = Workspace.objects.visible_to(_request_user(self))


class ProductSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = UserSerializer(read_only=True, allow_null=True, help_text="Empty while nobody owns the product.")
    archived = serializers.BooleanField(source="is_archived", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "workspace", "key", "name", "kind", "parent", "stage", "description", "owner",
            "archived", "archived_at", "external_id", "external_url", "version", "created_at", "updated_at",
        ]


class ProductInputSerializer(ExternalIdentityInput, serializers.Serializer):
    """Field names are the keyword arguments of `product_create` / `product_update`."""

    workspace = serializers.SlugRelatedField(slug_field="slug", queryset=Workspace.objects.none(),
                                             default=ScopedWorkspace(), help_text="The workspace's slug."
                                             + SCOPED_WORKSPACE_HELP)
    name = serializers.CharField(max_length=120)
    key = serializers.CharField(max_length=10)
    kind = serializers.ChoiceField(choices=Product.Kind.choices, default=Product.Kind.PRODUCT)
    parent = serializers.PrimaryKeyRelatedField(queryset=Product.objects.none(), allow_null=True, required=False)
    description = serializers.CharField(max_length=TEXT_MAX_LENGTH, allow_blank=True, required=False, default="")
    stage = serializers.ChoiceField(choices=Product.Stage.choices, default=Product.Stage.DEVELOPMENT)
    owner = serializers.PrimaryKeyRelatedField(queryset=User.objects.none(), allow_null=True, required=False)
    version = serializers.IntegerField(
        required=False, write_only=True,
        help_text="The version you read. If the product changed since, the update is refused with 409.",
    )

    def validate_key(self, value: str) -> str:
        key = value.strip().upper()
        product_key_validator(key)
        return key

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        workspaces = Workspace.objects.visible_to(_request_user(self))
        self.fields["workspace"].queryset = workspaces
        self.fields["parent"].queryset = Product.objects.filter(workspace__in=workspaces)
        self.fields["owner"].queryset = User.objects.filter(memberships__workspace__in=workspaces).distinct()


class WorkspaceViewSet(viewsets.ReadOnlyModelViewSet):
    """Workspaces you are a member of, with your role in each."""

    serializer_class = WorkspaceSerializer
    lookup_field = "slug"
    workspace_scoped = False  # how a client finds the slugs of the workspace-scoped addresses

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


class ProductViewSet(ExternalIdMixin, EditGuardMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                     viewsets.GenericViewSet):
    """Products and product lines. DELETE archives (nothing is lost); `restore` brings one back.
    Lists show active products unless `archived=true`."""

    serializer_class = ProductSerializer
    input_serializer_class = ProductInputSerializer
    create_service = staticmethod(services.product_create)
    update_service = staticmethod(services.product_update)
    record_kwarg = "product"
    fixed_fields = ("workspace",)
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
