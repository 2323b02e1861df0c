from django.contrib.auth.models import AnonymousUser
from rest_framework import serializers

from ..limits import TEXT_MAX_LENGTH
from ..models import Invitation, Membership, Product, Role, User, Workspace, product_key_validator


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
    workspace = serializers.SlugRelatedField(slug_field="slug", queryset=Workspace.objects.none())
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Role.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["workspace"].queryset = Workspace.objects.visible_to(_request_user(self))


class ProductSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    owner = UserSerializer(read_only=True, allow_null=True, help_text="Empty while nobody owns the product.")
    archived = serializers.BooleanField(source="is_archived", read_only=True)

    class Meta:
        model = Product
        fields = [
            "id", "workspace", "key", "name", "kind", "parent", "stage", "description", "owner",
            "archived", "archived_at", "version", "created_at", "updated_at",
        ]


class ProductInputSerializer(serializers.Serializer):
    """Field names are the keyword arguments of `product_create` / `product_update`."""

    workspace = serializers.SlugRelatedField(slug_field="slug", queryset=Workspace.objects.none())
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
