"""The API of customers and their contacts: serializers and viewsets."""

from __future__ import annotations

from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from strategy import selectors as strategy_selectors
from strategy.api.external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from strategy.api.fields import SCOPED_WORKSPACE_HELP, ScopedWorkspace, VisibleIdField
from strategy.api.records import InputSerializer
from strategy.api.tenancy import UserSerializer
from strategy.models import User, Workspace

from .. import selectors, services
from ..models import Contact, Customer
from .records import RecordViewSet, SegmentField


class CustomerSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    segment = SegmentField(read_only=True)
    owner = UserSerializer(read_only=True, allow_null=True)
    contact_count = serializers.IntegerField(read_only=True)
    vote_count = serializers.IntegerField(read_only=True, help_text="Votes of its contacts.")
    note_count = serializers.IntegerField(read_only=True, help_text="Feedback notes from it.")

    class Meta:
        model = Customer
        fields = ["id", "workspace", "name", "domain", "segment", "plan", "annual_revenue", "owner",
                  "contact_count", "vote_count", "note_count",
                  "external_id", "external_url", "version", "created_at", "updated_at"]
        read_only_fields = fields


class CustomerInputSerializer(ExternalIdentityInput, InputSerializer):
    """Field names are the keyword arguments of `customer_create` / `customer_update`."""

    workspace = serializers.SlugRelatedField(
        slug_field="slug", queryset=Workspace.objects.none(), default=ScopedWorkspace(),
        help_text="The workspace's slug. A customer cannot move to another workspace." + SCOPED_WORKSPACE_HELP)
    name = serializers.CharField(max_length=120)
    domain = serializers.CharField(max_length=120, allow_blank=True, required=False)
    segment = SegmentField(required=False)
    plan = serializers.CharField(max_length=60, allow_blank=True, required=False)
    annual_revenue = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal(0),
                                              required=False, help_text="Annual recurring revenue (ARR).")
    owner = VisibleIdField(strategy_selectors.member_users, queryset=User.objects.none(), allow_null=True,
                           required=False, help_text="The id of a member who owns the account.")
    version = serializers.IntegerField(required=False, min_value=0, write_only=True,
                                       help_text="The version you read; a stale update is refused with 409.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["workspace"].queryset = Workspace.objects.visible_to(request.user)


class CustomerFilterSet(django_filters.FilterSet):
    workspace = django_filters.CharFilter(field_name="workspace__slug", label="Workspace (slug)")
    segment = django_filters.ChoiceFilter(choices=Customer.Segment.choices)
    q = django_filters.CharFilter(method="filter_q", label="Name or domain contains")

    class Meta:
        model = Customer
        fields = ["workspace", "segment", "q"]

    def filter_q(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(domain__icontains=value))


class CustomerViewSet(ExternalIdMixin, RecordViewSet):
    """Customers of your workspaces, by name, with their annual revenue (which weighs the
    demand of what they ask for) and how many contacts, votes and notes they have. Editors
    add, change and delete them."""

    serializer_class = CustomerSerializer
    input_serializer_class = CustomerInputSerializer
    create_service = staticmethod(services.customer_create)
    update_service = staticmethod(services.customer_update)
    record_kwarg = "customer"
    fixed_fields = ("workspace",)
    filterset_class = CustomerFilterSet

    def get_queryset(self):
        return selectors.customer_list(user=self.request.user)

    @extend_schema(request=CustomerInputSerializer, responses={201: CustomerSerializer})
    def create(self, request):
        self.refuse_early("workspace", Workspace.objects.visible_to(request.user), lookup="slug")
        customer = services.customer_create(actor=request.user, **self._input())
        return self._show(customer, status.HTTP_201_CREATED)

    @extend_schema(request=CustomerInputSerializer, responses=CustomerSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=CustomerInputSerializer, responses=CustomerSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        customer = self.get_object()
        data = self._input(partial=partial)
        if "workspace" in data and data.pop("workspace").pk != customer.workspace_id:
            raise ValidationError({"workspace": _("A customer cannot move to another workspace.")})
        return self._show(services.customer_update(actor=self.request.user, customer=customer, **data))

    def destroy(self, request, pk=None):
        services.customer_delete(actor=request.user, customer=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class ContactSerializer(serializers.ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    # Not an EmailField: a contact's address may be unknown (""), which no "email" format admits.
    email = serializers.CharField(read_only=True, help_text="Their email address, or empty when unknown.")

    class Meta:
        model = Contact
        fields = ["id", "customer", "customer_name", "name", "email", "created_at", "updated_at"]
        read_only_fields = fields


class ContactInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `contact_create` / `contact_update`."""

    customer = VisibleIdField(selectors.customer_choices, queryset=Customer.objects.none(),
                              help_text="The id of the customer they work for.")
    name = serializers.CharField(max_length=120)
    email = serializers.EmailField(allow_blank=True, required=False)


class ContactFilterSet(django_filters.FilterSet):
    customer = django_filters.NumberFilter(field_name="customer_id", label="Customer id")
    email = django_filters.CharFilter(field_name="email", lookup_expr="iexact")

    class Meta:
        model = Contact
        fields = ["customer", "email"]


class ContactViewSet(RecordViewSet):
    """People at your customers. Editors add, change (also move to another customer) and
    delete them; deleting a contact deletes their votes."""

    serializer_class = ContactSerializer
    input_serializer_class = ContactInputSerializer
    filterset_class = ContactFilterSet

    def get_queryset(self):
        return selectors.contact_list(user=self.request.user)

    @extend_schema(request=ContactInputSerializer, responses={201: ContactSerializer})
    def create(self, request):
        self.refuse_early("customer", selectors.customer_choices(user=request.user))
        return self._show(services.contact_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=ContactInputSerializer, responses=ContactSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=ContactInputSerializer, responses=ContactSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        contact = self.get_object()
        return self._show(services.contact_update(actor=self.request.user, contact=contact,
                                                  **self._input(partial=partial)))

    def destroy(self, request, pk=None):
        services.contact_delete(actor=request.user, contact=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
