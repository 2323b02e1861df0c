"""The API of feedback notes: CRUD, linking them to ideas and features, triage, and the
ingestion endpoint other tools (support desk, CRM) post to with a personal token."""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from releases import selectors as release_selectors
from releases.models import Feature
from strategy.api.fields import DateField, VisibleIdField, VisibleIdsField, optional_text, product_field
from strategy.api.records import InputSerializer, unmoved
from strategy.api.tenancy import UserSerializer
from strategy.limits import TEXT_MAX_LENGTH
from strategy.models import Product

from .. import selectors, services
from ..models import Contact, Customer, FeedbackNote, Idea
from .records import NoteSourceField, RecordViewSet


class FeedbackNoteSerializer(serializers.ModelSerializer):
    source = NoteSourceField(read_only=True)
    customer_name = serializers.SerializerMethodField()
    ideas = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of the linked ideas.")
    features = serializers.PrimaryKeyRelatedField(many=True, read_only=True,
                                                  help_text="Ids of the linked features.")
    created_by = UserSerializer(read_only=True, allow_null=True)
    processed_by = UserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = FeedbackNote
        fields = ["id", "product", "customer", "customer_name", "contact", "source", "date", "text", "highlight",
                  "external_id", "processed", "processed_at", "processed_by", "ideas", "features", "created_by",
                  "version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_customer_name(self, note) -> str | None:
        return note.customer.name if note.customer_id else None


def _ideas_field(**kwargs):
    return VisibleIdsField(child_relation=VisibleIdField(selectors.idea_queryset, queryset=Idea.objects.none()),
                           required=False, **kwargs)


def _features_field(**kwargs):
    return VisibleIdsField(
        child_relation=VisibleIdField(release_selectors.feature_queryset, queryset=Feature.objects.none()),
        required=False, **kwargs)


class FeedbackNoteInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `note_create` / `note_update`."""

    product = product_field()
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="What the customer said, word for word.")
    date = DateField(help_text="When they said it.")
    source = NoteSourceField(required=False)
    customer = VisibleIdField(selectors.customer_choices, queryset=Customer.objects.none(), allow_null=True,
                              required=False)
    contact = VisibleIdField(selectors.contact_choices, queryset=Contact.objects.none(), allow_null=True,
                             required=False, help_text="Without a customer, the contact's customer is taken.")
    highlight = optional_text(help_text="The passage that matters; it must appear in the text.")
    ideas = _ideas_field(help_text="When creating: ids of ideas of the same product to link.")
    features = _features_field(help_text="When creating: ids of features of the same product to link.")
    version = serializers.IntegerField(required=False, min_value=0, write_only=True,
                                       help_text="The version you read; a stale update is refused with 409.")


class NoteLinksInputSerializer(serializers.Serializer):
    """The keyword arguments of `note_link` / `note_unlink`."""

    ideas = _ideas_field(help_text="Ids of ideas of the note's product.")
    features = _features_field(help_text="Ids of features of the note's product.")

    def validate(self, attrs):
        if not attrs.get("ideas") and not attrs.get("features"):
            raise serializers.ValidationError(_("Name ideas or features."))
        return attrs


class NoteProcessInputSerializer(serializers.Serializer):
    processed = serializers.BooleanField(default=True, help_text="false puts it back in the triage inbox.")


class NoteIngestInputSerializer(serializers.Serializer):
    """The keyword arguments of `note_ingest`: what a support desk or CRM sends."""

    product = product_field()
    text = serializers.CharField(max_length=TEXT_MAX_LENGTH, help_text="What the customer said, word for word.")
    source = NoteSourceField(required=False, help_text="support_ticket by default.")
    external_id = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                        help_text="The ticket or record id in your tool: sending it again "
                                                  "returns the note already stored (200).")
    date = DateField(required=False, help_text="Today when left out.")
    customer = VisibleIdField(selectors.customer_choices, queryset=Customer.objects.none(), allow_null=True,
                              required=False)
    contact_email = serializers.EmailField(required=False, allow_blank=True,
                                           help_text="The person who said it: a known contact, or a new contact "
                                                     "of `customer`.")
    contact_name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    highlight = optional_text()


class FeedbackNoteFilterSet(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", label="Product id")
    customer = django_filters.NumberFilter(field_name="customer_id", label="Customer id")
    source = django_filters.ChoiceFilter(choices=FeedbackNote.Source.choices)
    processed = django_filters.BooleanFilter(help_text="false: the triage inbox.")
    idea = django_filters.NumberFilter(field_name="ideas", label="Linked idea id")

    class Meta:
        model = FeedbackNote
        fields = ["product", "customer", "source", "processed", "idea"]


class FeedbackNoteViewSet(RecordViewSet):
    """Feedback notes of the products of your workspaces, newest first: what customers said,
    where, linked to ideas and features. Editors triage them. `ingest` takes notes from
    other tools, authenticated by a personal token, once per `external_id`."""

    serializer_class = FeedbackNoteSerializer
    input_serializer_class = FeedbackNoteInputSerializer
    filterset_class = FeedbackNoteFilterSet

    def get_queryset(self):
        return selectors.note_queryset(user=self.request.user)

    @extend_schema(request=FeedbackNoteInputSerializer, responses={201: FeedbackNoteSerializer})
    def create(self, request):
        self.refuse_early("product", Product.objects.visible_to(request.user))
        return self._show(services.note_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=FeedbackNoteInputSerializer, responses=FeedbackNoteSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=FeedbackNoteInputSerializer, responses=FeedbackNoteSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        note = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", note.product_id, _("A note cannot move to another product."))
        ideas, features = data.pop("ideas", None), data.pop("features", None)
        if ideas or features:
            raise ValidationError({"ideas" if ideas else "features": _("Use link and unlink to change links.")})
        return self._show(services.note_update(actor=self.request.user, note=note, **data))

    def destroy(self, request, pk=None):
        services.note_delete(actor=request.user, note=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=NoteLinksInputSerializer, responses=FeedbackNoteSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def link(self, request, pk=None):
        """Link the note to more ideas and features; their demand is recounted."""
        note = self.get_object()
        services.note_link(actor=request.user, note=note, **self._input(NoteLinksInputSerializer))
        return self._show(note)

    @extend_schema(request=NoteLinksInputSerializer, responses=FeedbackNoteSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def unlink(self, request, pk=None):
        """Take the note off these ideas and features."""
        note = self.get_object()
        services.note_unlink(actor=request.user, note=note, **self._input(NoteLinksInputSerializer))
        return self._show(note)

    @extend_schema(request=NoteProcessInputSerializer, responses=FeedbackNoteSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def process(self, request, pk=None):
        """Mark the note triaged (or, with processed=false, back to the inbox)."""
        note = self.get_object()
        return self._show(services.note_process(actor=request.user, note=note,
                                                **self._input(NoteProcessInputSerializer)))

    @extend_schema(request=NoteIngestInputSerializer,
                   responses={201: FeedbackNoteSerializer, 200: FeedbackNoteSerializer})
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def ingest(self, request):
        """Post a note from another tool (support desk, CRM) with a personal token of an
        editor: 201 with the new note, or 200 with the one already stored for the same
        `source` and `external_id`."""
        self.refuse_early("product", Product.objects.visible_to(request.user))
        note, created = services.note_ingest(actor=request.user, **self._input(NoteIngestInputSerializer))
        return self._show(note, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
