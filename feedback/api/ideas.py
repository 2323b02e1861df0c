"""The API of ideas (with their status, comments, merging, promoting and who is behind
their demand) and of votes: serializers and viewsets."""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from releases import selectors as release_selectors
from releases.models import Feature
from strategy import access
from strategy.api.external import ExternalIdentityInput, ExternalIdentityOutput, ExternalIdMixin
from strategy.api.fields import VisibleIdField, optional_text, product_field
from strategy.api.records import InputSerializer, unmoved
from strategy.api.tenancy import UserSerializer
from strategy.limits import COMMENT_MAX_LENGTH, NOTE_MAX_LENGTH
from strategy.models import Product

from .. import selectors, services
from ..models import Contact, Customer, Idea, IdeaComment, Vote
from .records import CommentVisibilityField, IdeaStatusField, IdeaVisibilityField, RecordViewSet, SegmentField


class IdeaFeatureSerializer(serializers.ModelSerializer):
    key = serializers.CharField(read_only=True)

    class Meta:
        model = Feature
        fields = ["id", "key", "title"]
        read_only_fields = fields


class IdeaSerializer(ExternalIdentityOutput, serializers.ModelSerializer):
    """An idea as lists show it, with its stored vote count and weighted demand."""

    status = IdeaStatusField(read_only=True)
    visibility = IdeaVisibilityField(read_only=True)
    feature = IdeaFeatureSerializer(read_only=True, allow_null=True)
    submitted_by_user = UserSerializer(read_only=True, allow_null=True)
    demand = serializers.DecimalField(
        max_digits=16, decimal_places=2, read_only=True,
        help_text="Weighted demand: the annual revenue of the distinct customers behind its votes and notes.")

    class Meta:
        model = Idea
        fields = ["id", "product", "title", "description", "category", "status", "status_note",
                  "status_changed_at", "visibility", "submitted_by_user", "submitted_by_contact",
                  "submitted_by_portal_user", "merged_into", "feature", "vote_count", "demand",
                  "external_id", "external_url", "version",
                  "created_at", "updated_at"]
        read_only_fields = fields


class IdeaInputSerializer(ExternalIdentityInput, InputSerializer):
    """Field names are the keyword arguments of `idea_create` / `idea_update`."""

    product = product_field()
    title = serializers.CharField(max_length=200)
    description = optional_text(help_text="Markdown.")
    category = serializers.CharField(max_length=60, allow_blank=True, required=False)
    visibility = IdeaVisibilityField(required=False, help_text="Only editors may make an idea public.")
    submitted_by_contact = VisibleIdField(
        selectors.contact_choices, queryset=Contact.objects.none(), allow_null=True, required=False,
        help_text="When creating: the contact who asked for it (editors record ideas for customers).")
    version = serializers.IntegerField(required=False, min_value=0, write_only=True,
                                       help_text="The version you read; a stale update is refused with 409.")


class IdeaStatusInputSerializer(serializers.Serializer):
    """The keyword arguments of `idea_status_set`."""

    status = IdeaStatusField()
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, allow_blank=True, required=False,
                                 help_text="The public note: why. Left out, the note stays as it is.")


class IdeaMergeInputSerializer(serializers.Serializer):
    into = VisibleIdField(selectors.idea_queryset, queryset=Idea.objects.none(),
                          help_text="The idea this one duplicates: it gets the votes, notes and comments.")


class IdeaPromoteInputSerializer(serializers.Serializer):
    feature = VisibleIdField(
        release_selectors.feature_queryset, queryset=Feature.objects.none(), required=False, allow_null=True,
        help_text="An existing feature of the same product to link; left out, a new feature is created.")
    title = serializers.CharField(max_length=200, required=False,
                                  help_text="The new feature's title; the idea's by default.")


class IdeaCommentSerializer(serializers.ModelSerializer):
    author = UserSerializer(read_only=True, allow_null=True)
    visibility = CommentVisibilityField(read_only=True)
    portal_user_name = serializers.SerializerMethodField()

    class Meta:
        model = IdeaComment
        fields = ["id", "idea", "author", "portal_user_name", "body", "visibility", "created_at"]
        read_only_fields = fields

    def get_portal_user_name(self, comment) -> str | None:
        return comment.portal_user.display_name if comment.portal_user_id else None


class IdeaCommentInputSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=COMMENT_MAX_LENGTH)
    visibility = CommentVisibilityField(required=False, help_text="public also shows it on the portal.")


class DemandRowSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    name = serializers.CharField()
    segment = SegmentField()
    annual_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    votes = serializers.IntegerField(help_text="Votes of the customer's contacts and portal users.")
    notes = serializers.IntegerField(help_text="The customer's feedback notes linked to the idea.")


class IdeaFilterSet(django_filters.FilterSet):
    product = django_filters.NumberFilter(field_name="product_id", label="Product id")
    status = django_filters.MultipleChoiceFilter(choices=Idea.Status.choices)
    category = django_filters.CharFilter(field_name="category", lookup_expr="iexact")
    visibility = django_filters.ChoiceFilter(choices=Idea.Visibility.choices)
    feature = django_filters.NumberFilter(field_name="feature_id", label="Feature id")
    include_merged = django_filters.BooleanFilter(method="filter_include_merged",
                                                  help_text="true: merged ideas (redirects) too.")

    class Meta:
        model = Idea
        fields = ["product", "status", "category", "visibility", "feature", "include_merged"]

    def filter_include_merged(self, queryset, name, value):
        return queryset

    @property
    def qs(self):
        queryset = super().qs
        if not self.form.cleaned_data.get("include_merged"):
            queryset = queryset.filter(merged_into__isnull=True)
        return queryset


LIST_PARAMETERS = [
    OpenApiParameter("sort", str, enum=list(selectors.SORTS), description="votes (default), demand, recent or "
                     "trend (votes of the last 30 days)."),
    OpenApiParameter("q", str, description="Full-text search in the ideas and their linked feedback notes."),
    OpenApiParameter("segment", str, enum=list(Customer.Segment.values),
                     description="Ideas some customer of this segment voted for or spoke about."),
]


class IdeaViewSet(ExternalIdMixin, RecordViewSet):
    """Ideas of the products of your workspaces: by votes (or `sort`), searched with `q`.
    Every member submits ideas and comments; editors change them, set their status with a
    public note, merge duplicates and promote ideas to features."""

    serializer_class = IdeaSerializer
    input_serializer_class = IdeaInputSerializer
    create_service = staticmethod(services.idea_create)
    update_service = staticmethod(services.idea_update)
    record_kwarg = "idea"
    fixed_fields = ("product", "submitted_by_contact")
    filterset_class = IdeaFilterSet

    def get_queryset(self):
        return selectors.idea_queryset(user=self.request.user).order_by("-vote_count", "-id")

    def get_object(self):
        if self.action == "comments":
            # Every member may comment; the service checks it.
            return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        return super().get_object()

    @extend_schema(parameters=LIST_PARAMETERS)
    def list(self, request, *args, **kwargs):
        sort, q, segment = (request.query_params.get(name, "") for name in ("sort", "q", "segment"))
        errors = {}
        if sort and sort not in selectors.SORTS:
            errors["sort"] = _("Choose votes, demand, recent or trend.")
        if segment and segment not in Customer.Segment.values:
            errors["segment"] = _("Choose one of the segments.")
        if errors:
            raise ValidationError(errors)
        ideas = selectors.idea_list(user=request.user, product=None, sort=sort or "votes", segment=segment or None,
                                    q=q, include_merged=True)
        page = self.paginate_queryset(self.filter_queryset(ideas))
        return self.get_paginated_response(self._serialize(page, many=True))

    @extend_schema(request=IdeaInputSerializer, responses={201: IdeaSerializer})
    def create(self, request):
        products = Product.objects.visible_to(request.user)
        value = request.data.get("product") if hasattr(request.data, "get") else None
        if not access.workspace_ids_where(request.user, "feedback.vote"):
            raise PermissionDenied(_("Your role does not allow this in any of your workspaces."))
        if str(value).isdigit() and int(value) < 2**63:
            product = products.filter(pk=int(value)).first()
            if product is not None:
                access.ensure_can(request.user, "feedback.vote", product)
        return self._show(services.idea_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=IdeaInputSerializer, responses=IdeaSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=IdeaInputSerializer, responses=IdeaSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        idea = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "product", idea.product_id, _("An idea cannot move to another product."))
        if data.pop("submitted_by_contact", None) is not None:
            raise ValidationError({"submitted_by_contact": _("Who submitted an idea does not change.")})
        return self._show(services.idea_update(actor=self.request.user, idea=idea, **data))

    def destroy(self, request, pk=None):
        services.idea_delete(actor=request.user, idea=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=IdeaStatusInputSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], filter_backends=[], url_path="status")
    def set_status(self, request, pk=None):
        """Move the idea to a status, with an optional public note. Shipping it emails the
        people behind it (once each)."""
        idea = self.get_object()
        return self._show(services.idea_status_set(actor=request.user, idea=idea,
                                                   **self._input(IdeaStatusInputSerializer)))

    @extend_schema(request=IdeaMergeInputSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def merge(self, request, pk=None):
        """Merge this idea (a duplicate) into `into`, of the same product: votes (one per
        person), feedback notes and comments move; this idea stays as a redirect. Answers
        with the idea merged into, recounted."""
        idea = self.get_object()
        target = services.idea_merge(actor=request.user, idea=idea, **self._input(IdeaMergeInputSerializer))
        return self._show(target)

    @extend_schema(request=IdeaPromoteInputSerializer, responses=IdeaSerializer)
    @action(detail=True, methods=["post"], filter_backends=[])
    def promote(self, request, pk=None):
        """Promote the idea: link it to `feature`, or create a feature from it. A new or
        under-review idea becomes planned; the feature's demand is recounted."""
        idea = self.get_object()
        data = self._input(IdeaPromoteInputSerializer)
        if data.get("feature") is None:
            data.pop("feature", None)
        return self._show(services.idea_promote(actor=request.user, idea=idea, **data))

    @extend_schema(responses=DemandRowSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def demand(self, request, pk=None):
        """The customers behind the idea's weighted demand, highest revenue first."""
        rows = selectors.idea_demand_breakdown(idea=self.get_object())
        return Response(DemandRowSerializer(rows, many=True).data)

    @extend_schema(methods=["GET"], request=None, responses=IdeaCommentSerializer(many=True))
    @extend_schema(methods=["POST"], request=IdeaCommentInputSerializer, responses={201: IdeaCommentSerializer})
    @action(detail=True, methods=["get", "post"], filter_backends=[])
    def comments(self, request, pk=None):
        """GET: the idea's comments, oldest first. POST: comment (every member may)."""
        idea = self.get_object()
        if request.method == "GET":
            comments = IdeaComment.objects.filter(idea=idea).select_related("author", "portal_user")
            page = self.paginate_queryset(comments.order_by("created_at", "id"))
            return self.get_paginated_response(IdeaCommentSerializer(page, many=True).data)
        comment = services.idea_comment_create(actor=request.user, idea=idea,
                                               **self._input(IdeaCommentInputSerializer))
        return Response(IdeaCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class VoteSerializer(serializers.ModelSerializer):
    user = UserSerializer(read_only=True, allow_null=True)
    recorded_by = UserSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Vote
        fields = ["id", "idea", "user", "contact", "portal_user", "recorded_by", "created_at"]
        read_only_fields = fields


class VoteInputSerializer(serializers.Serializer):
    """The keyword arguments of `vote_add`."""

    idea = VisibleIdField(selectors.idea_queryset, queryset=Idea.objects.none(), help_text="The idea's id.")
    contact = VisibleIdField(selectors.contact_choices, queryset=Contact.objects.none(), required=False,
                             allow_null=True, help_text="Vote on behalf of this contact (editors); "
                             "left out, you vote yourself.")


class VoteFilterSet(django_filters.FilterSet):
    idea = django_filters.NumberFilter(field_name="idea_id", label="Idea id")
    contact = django_filters.NumberFilter(field_name="contact_id", label="Contact id")
    mine = django_filters.BooleanFilter(method="filter_mine", help_text="true: only your own votes.")

    class Meta:
        model = Vote
        fields = ["idea", "contact", "mine"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(user=self.request.user) if value else queryset


class VoteViewSet(RecordViewSet):
    """Votes for the ideas of your workspaces, newest first. Every member votes once per
    idea (POST again: 200 with the vote already there); editors also vote on behalf of a
    contact. DELETE takes a vote back: your own, or (editors) a contact's."""

    serializer_class = VoteSerializer
    filterset_class = VoteFilterSet
    edit_action = "feedback.vote"

    def edit_target(self, vote):
        return vote.idea

    def get_queryset(self):
        return (Vote.objects.filter(idea__in=selectors.idea_queryset(user=self.request.user))
                .select_related("idea", "user", "recorded_by", "contact").order_by("-created_at", "-id"))

    @extend_schema(request=VoteInputSerializer, responses={201: VoteSerializer, 200: VoteSerializer})
    def create(self, request):
        if not access.workspace_ids_where(request.user, "feedback.vote"):
            raise PermissionDenied(_("Your role does not allow this in any of your workspaces."))
        data = self._input(VoteInputSerializer)
        idea, contact = data["idea"], data.get("contact")
        created = services.vote_add(actor=request.user, idea=idea, contact=contact)
        key = {"contact": contact} if contact is not None else {"user": request.user}
        vote = self.get_queryset().get(idea=idea, **key)
        return Response(VoteSerializer(vote).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def destroy(self, request, pk=None):
        vote = self.get_object()
        if vote.contact_id is not None:
            services.vote_remove(actor=request.user, idea=vote.idea, contact=vote.contact)
        elif vote.user_id == request.user.pk:
            services.vote_remove(actor=request.user, idea=vote.idea)
        else:
            raise PermissionDenied(_("Only the person who voted takes their vote back."))
        return Response(status=status.HTTP_204_NO_CONTENT)
