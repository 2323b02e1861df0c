"""The API of going to market: phase types, release phases, launch to-dos, launch templates
(applied to a release as an action), release messaging and release notes (published as an
action). Serializers and viewsets together; every write goes through releases.services."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from strategy import access
from strategy import selectors as strategy_selectors
from strategy.api.fields import (
    DateField,
    VisibleIdField,
    VisibleIdsField,
    VisibleSlugField,
    colour_field,
    optional_text,
)
from strategy.api.records import InputSerializer, unmoved
from strategy.api.tenancy import UserSerializer
from strategy.limits import LAUNCH_TEAM_MAX_LENGTH, OFFSET_DAYS_LIMIT, TEMPLATE_ITEMS_MAX_COUNT
from strategy.markdown import render_markdown
from strategy.models import Competitor, Persona, User, Workspace

from .. import selectors, services
from ..models import (
    LaunchTemplate,
    LaunchTemplateItem,
    LaunchTodo,
    PhaseType,
    Release,
    ReleaseMessaging,
    ReleaseNote,
    ReleasePhase,
)
from .fields import enum_field
from .records import RecordViewSet

TodoStateField = enum_field("LaunchTodoStateEnum", LaunchTodo.State.choices, "Where a launch to-do stands.")


def _offset_days(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=-OFFSET_DAYS_LIMIT, max_value=OFFSET_DAYS_LIMIT, **kwargs)


def _phase_types(*, user):
    return PhaseType.objects.visible_to(user)


def _workspaces(*, user):
    return strategy_selectors.workspace_list(user=user)


# --- phase types ----------------------------------------------------------------------------


class PhaseTypeSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = PhaseType
        fields = ["id", "workspace", "name", "colour", "position", "created_at", "updated_at"]
        read_only_fields = fields


class PhaseTypeInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `phase_type_create` / `phase_type_update`;
    `position` moves it (`phase_type_move`)."""

    workspace = VisibleSlugField(_workspaces, slug_field="slug", queryset=Workspace.objects.none(),
                                 help_text="The workspace's slug. A phase type cannot move to another workspace.")
    name = serializers.CharField(max_length=40)
    colour = colour_field()
    position = serializers.IntegerField(min_value=1, required=False, help_text="1 puts it first.")


class PhaseTypeViewSet(RecordViewSet):
    """The phases releases go through (Plan, Build, Beta, Launch…), per workspace, in order.
    Admins create, change, reorder and delete them."""

    serializer_class = PhaseTypeSerializer
    input_serializer_class = PhaseTypeInputSerializer
    edit_action = "workspace.manage"

    def get_queryset(self):
        return PhaseType.objects.visible_to(self.request.user).select_related("workspace").order_by(
            "workspace_id", "position", "id")

    @extend_schema(request=PhaseTypeInputSerializer, responses={201: PhaseTypeSerializer})
    def create(self, request):
        self.refuse_early("workspace", strategy_selectors.workspace_list(user=request.user), lookup="slug")
        data = self._input()
        position = data.pop("position", None)
        phase_type = services.phase_type_create(actor=request.user, **data)
        if position is not None:
            services.phase_type_move(actor=request.user, phase_type=phase_type, position=position)
        return self._show(phase_type, status.HTTP_201_CREATED)

    @extend_schema(request=PhaseTypeInputSerializer, responses=PhaseTypeSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=PhaseTypeInputSerializer, responses=PhaseTypeSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        phase_type = self.get_object()
        data = self._input(partial=partial)
        if "workspace" in data:
            unmoved(data, "workspace", phase_type.workspace_id, _("A phase type cannot move to another workspace."))
        position = data.pop("position", None)
        if data:
            services.phase_type_update(actor=self.request.user, phase_type=phase_type, **data)
        if position is not None:
            services.phase_type_move(actor=self.request.user, phase_type=phase_type, position=position)
        return self._show(phase_type)

    def destroy(self, request, pk=None):
        """Refused (400) while releases have phases of this type."""
        services.phase_type_delete(actor=request.user, phase_type=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- release phases ---------------------------------------------------------------------------


class ReleasePhaseSerializer(serializers.ModelSerializer):
    phase_type = PhaseTypeSerializer(read_only=True)
    ends_after_release = serializers.SerializerMethodField(
        help_text="True when the phase ends after its release's release date: a conflict.")

    class Meta:
        model = ReleasePhase
        fields = ["id", "release", "phase_type", "start_date", "end_date", "ends_after_release", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_ends_after_release(self, phase: ReleasePhase) -> bool:
        return phase.end_date > phase.release.release_date


class ReleasePhaseInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `release_phase_create` / `release_phase_update`."""

    clean_model = ReleasePhase
    clean_fields = ("start_date", "end_date")

    release = VisibleIdField(selectors.release_choices, queryset=Release.objects.none(),
                             help_text="The release's id. A phase cannot move to another release.")
    phase_type = VisibleIdField(_phase_types, queryset=PhaseType.objects.none(),
                                help_text="The id of a phase type of the release's workspace.")
    start_date = DateField()
    end_date = DateField(help_text="On or after the start date. After the release date is allowed: a conflict.")


class ReleasePhaseViewSet(RecordViewSet):
    """Phases of the releases of your workspaces, by release and start date."""

    serializer_class = ReleasePhaseSerializer
    input_serializer_class = ReleasePhaseInputSerializer
    filterset_fields = ["release"]

    def edit_target(self, phase):
        return phase.release

    def get_queryset(self):
        return selectors.phase_list(user=self.request.user)

    @extend_schema(request=ReleasePhaseInputSerializer, responses={201: ReleasePhaseSerializer})
    def create(self, request):
        self.refuse_early("release", Release.objects.visible_to(request.user))
        return self._show(services.release_phase_create(actor=request.user, **self._input()),
                          status.HTTP_201_CREATED)

    @extend_schema(request=ReleasePhaseInputSerializer, responses=ReleasePhaseSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=ReleasePhaseInputSerializer, responses=ReleasePhaseSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        phase = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "release", phase.release_id, _("A phase cannot move to another release."))
        return self._show(services.release_phase_update(actor=self.request.user, phase=phase, **data))

    def destroy(self, request, pk=None):
        services.release_phase_delete(actor=request.user, phase=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- launch to-dos ----------------------------------------------------------------------------


class LaunchTodoSerializer(serializers.ModelSerializer):
    state = TodoStateField(read_only=True)
    assignee = UserSerializer(read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField(help_text="Open and past its due date.")
    offset_days = serializers.IntegerField(
        read_only=True, allow_null=True,
        help_text="Days from the release date (negative: before it) when the due date follows the release; "
                  "empty for a fixed due date.")

    class Meta:
        model = LaunchTodo
        fields = ["id", "release", "title", "team", "assignee", "due_date", "offset_days", "state", "overdue",
                  "done_at", "created_at", "updated_at"]
        read_only_fields = fields

    def get_overdue(self, todo: LaunchTodo) -> bool:
        return (todo.state == LaunchTodo.State.OPEN and todo.due_date is not None
                and todo.due_date < timezone.localdate())


class LaunchTodoInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `todo_create` / `todo_update`. Give
    `due_date` for a fixed day or `offset_days` to follow the release, not both."""

    release = VisibleIdField(selectors.release_choices, queryset=Release.objects.none(),
                             help_text="The release's id. A to-do cannot move to another release.")
    title = serializers.CharField(max_length=200)
    team = serializers.CharField(max_length=LAUNCH_TEAM_MAX_LENGTH, allow_blank=True, required=False,
                                 help_text="One of the workspace's launch teams, or empty.")
    assignee = VisibleIdField(strategy_selectors.member_users, queryset=User.objects.none(), allow_null=True,
                              required=False, help_text="The id of a member of the release's workspace.")
    due_date = DateField(allow_null=True, required=False, help_text="A fixed due date.")
    offset_days = _offset_days(allow_null=True, required=False,
                               help_text="Due this many days from the release date (-5: five days before launch).")

    def validate(self, attrs):
        if attrs.get("due_date") is not None and attrs.get("offset_days") is not None:
            raise serializers.ValidationError(
                {"due_date": _("Give either a due date or a number of days from launch, not both.")})
        return attrs


class DoneSerializer(serializers.Serializer):
    done = serializers.BooleanField(help_text="True: done; false: open again.")


class LaunchTodoViewSet(RecordViewSet):
    """Launch to-dos of the releases of your workspaces. Editors change them; a viewer may
    tick off (`done`) a to-do assigned to them where the workspace allows it."""

    serializer_class = LaunchTodoSerializer
    input_serializer_class = LaunchTodoInputSerializer
    filterset_fields = ["release", "assignee", "state", "team"]

    def get_queryset(self):
        return selectors.todo_list(user=self.request.user)

    @extend_schema(request=LaunchTodoInputSerializer, responses={201: LaunchTodoSerializer})
    def create(self, request):
        self.refuse_early("release", Release.objects.visible_to(request.user))
        return self._show(services.todo_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=LaunchTodoInputSerializer, responses=LaunchTodoSerializer)
    def update(self, request, pk=None):
        return self._update(partial=False)

    @extend_schema(request=LaunchTodoInputSerializer, responses=LaunchTodoSerializer)
    def partial_update(self, request, pk=None):
        return self._update(partial=True)

    def _update(self, *, partial: bool) -> Response:
        todo = self.get_object()
        data = self._input(partial=partial)
        unmoved(data, "release", todo.release_id, _("A to-do cannot move to another release."))
        return self._show(services.todo_update(actor=self.request.user, todo=todo, **data))

    def destroy(self, request, pk=None):
        services.todo_delete(actor=request.user, todo=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=DoneSerializer, responses=LaunchTodoSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Tick the to-do off (`done`: true) or open it again (false)."""
        todo = get_visible(self.get_queryset(), pk)
        data = DoneSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._show(services.todo_set_done(actor=request.user, todo=todo, done=data.validated_data["done"]))


def get_visible(queryset, pk):
    """The row `pk` of a scoped queryset, without the edit check of `get_object` (a viewer
    may tick their own to-do; the service decides). An id that is not a whole number is not found."""
    if not str(pk).isdigit() or int(pk) >= 2**63:
        raise Http404
    return get_object_or_404(queryset, pk=int(pk))


# --- launch templates ----------------------------------------------------------------------------


class LaunchTemplateItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = LaunchTemplateItem
        fields = ["id", "title", "team", "offset_days"]
        read_only_fields = fields


class LaunchTemplateSerializer(serializers.ModelSerializer):
    workspace = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    items = LaunchTemplateItemSerializer(many=True, read_only=True)

    class Meta:
        model = LaunchTemplate
        fields = ["id", "workspace", "name", "description", "items", "created_at", "updated_at"]
        read_only_fields = fields


class TemplateItemInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    team = serializers.CharField(max_length=LAUNCH_TEAM_MAX_LENGTH, allow_blank=True, required=False)
    offset_days = _offset_days(help_text="Due this many days from the release date (negative: before it).")


class LaunchTemplateInputSerializer(InputSerializer):
    """Field names are the keyword arguments of `template_create` / `template_update`. `items`
    are given when creating; later, add them with `items` (POST) on the template."""

    workspace = VisibleSlugField(_workspaces, slug_field="slug", queryset=Workspace.objects.none(),
                                 help_text="The workspace's slug.")
    name = serializers.CharField(max_length=120)
    description = optional_text(300)
    items = TemplateItemInputSerializer(many=True, required=False, max_length=TEMPLATE_ITEMS_MAX_COUNT)


class ApplyInputSerializer(serializers.Serializer):
    release = VisibleIdField(selectors.release_choices, queryset=Release.objects.none(),
                             help_text="The id of a release of the template's workspace.")


class AppliedSerializer(serializers.Serializer):
    created = LaunchTodoSerializer(many=True, help_text="The to-dos added now.")
    already_there = serializers.IntegerField(
        help_text="To-dos of the template an earlier application had added: not added again.")
    detail = serializers.CharField()


class LaunchTemplateViewSet(RecordViewSet):
    """Launch templates of your workspaces with their to-dos. `apply` adds a template's to-dos
    to a release; applying it again adds only to-dos added to the template since."""

    serializer_class = LaunchTemplateSerializer
    input_serializer_class = LaunchTemplateInputSerializer

    def get_queryset(self):
        return selectors.template_list(user=self.request.user).select_related("workspace")

    @extend_schema(request=LaunchTemplateInputSerializer, responses={201: LaunchTemplateSerializer})
    def create(self, request):
        self.refuse_early("workspace", strategy_selectors.workspace_list(user=request.user), lookup="slug")
        return self._show(services.template_create(actor=request.user, **self._input()), status.HTTP_201_CREATED)

    @extend_schema(request=LaunchTemplateInputSerializer, responses=LaunchTemplateSerializer)
    def partial_update(self, request, pk=None):
        """Rename or describe the template (its to-dos: `items`, and DELETE `items/{item}`)."""
        template = self.get_object()
        data = self._input(partial=True)
        data.pop("items", None)
        if "workspace" in data:
            unmoved(data, "workspace", template.workspace_id, _("A template cannot move to another workspace."))
        return self._show(services.template_update(actor=request.user, template=template, **data))

    def destroy(self, request, pk=None):
        """Delete the template; to-dos it created stay on their releases."""
        services.template_delete(actor=request.user, template=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=TemplateItemInputSerializer, responses={201: LaunchTemplateSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request, pk=None):
        """Add a to-do to the template."""
        template = self.get_object()
        data = TemplateItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.template_item_create(actor=request.user, template=template, **data.validated_data)
        return self._show(template, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None},
                   parameters=[OpenApiParameter("item_pk", int, OpenApiParameter.PATH,
                                                description="The id of the template's to-do.")])
    @action(detail=True, methods=["delete"], url_path=r"items/(?P<item_pk>\d+)", url_name="item")
    def item(self, request, pk=None, item_pk=None):
        """Remove a to-do from the template (to-dos it created stay on their releases)."""
        template = self.get_object()
        item = next((i for i in template.items.all() if str(i.pk) == item_pk), None)
        if item is None:
            raise Http404
        services.template_item_delete(actor=request.user, item=item)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=ApplyInputSerializer, responses={200: AppliedSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Add the template's to-dos to a release, due their offsets from its release date."""
        template = get_visible(self.get_queryset(), pk)
        data = ApplyInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        applied = services.template_apply(actor=request.user, template=template,
                                          release=data.validated_data["release"])
        created = list(selectors.todo_list(user=request.user).filter(pk__in=[t.pk for t in applied.created]))
        return Response({"created": LaunchTodoSerializer(created, many=True).data,
                         "already_there": applied.already_there, "detail": applied.message})


# --- messaging and release notes --------------------------------------------------------------------


class NamedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class ReleaseMessagingSerializer(serializers.ModelSerializer):
    personas = NamedSerializer(many=True, read_only=True)
    competitors = NamedSerializer(many=True, read_only=True)
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                           help_text="Empty while nobody has written any messaging.")

    class Meta:
        model = ReleaseMessaging
        fields = ["release", "key_messages", "personas", "competitors", "updated_at"]
        read_only_fields = fields


class ReleaseMessagingInputSerializer(serializers.Serializer):
    """Field names are the keyword arguments of `messaging_update`; what is left out stays."""

    key_messages = optional_text(help_text="Markdown.")
    personas = VisibleIdsField(child_relation=VisibleIdField(
        lambda user: Persona.objects.visible_to(user), queryset=Persona.objects.none()), required=False,
        help_text="Ids of personas of the release's product or its product line.")
    competitors = VisibleIdsField(child_relation=VisibleIdField(
        lambda user: Competitor.objects.visible_to(user), queryset=Competitor.objects.none()), required=False,
        help_text="Ids of competitors of the release's product or its product line.")


class ReleaseMessagingViewSet(RecordViewSet):
    """Messaging of the releases of your workspaces, by release id: the key messages, the
    target personas and the competitors a release answers. PUT or PATCH creates it."""

    serializer_class = ReleaseMessagingSerializer
    input_serializer_class = ReleaseMessagingInputSerializer
    lookup_field = "release"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.messaging_list(user=self.request.user)

    def _release(self, pk) -> Release:
        return get_visible(Release.objects.visible_to(self.request.user).select_related("product"), pk)

    def retrieve(self, request, release=None):
        return Response(self._messaging_of(self._release(release)))

    def _messaging_of(self, release: Release) -> dict:
        """The release's messaging; empty while nobody has written any."""
        found = self.get_queryset().filter(release=release).first()
        if found is None:
            return {"release": release.pk, "key_messages": "", "personas": [], "competitors": [],
                    "updated_at": None}
        return self._serialize(found)

    @extend_schema(request=ReleaseMessagingInputSerializer, responses=ReleaseMessagingSerializer)
    def update(self, request, release=None):
        return self._save(release)

    @extend_schema(request=ReleaseMessagingInputSerializer, responses=ReleaseMessagingSerializer)
    def partial_update(self, request, release=None):
        return self._save(release)

    def _save(self, pk) -> Response:
        release = self._release(pk)
        access.ensure_can(self.request.user, "releases.edit", release)
        data = ReleaseMessagingInputSerializer(data=self.request.data, context=self.get_serializer_context(),
                                               partial=True)
        data.is_valid(raise_exception=True)
        services.messaging_update(actor=self.request.user, release=release, **data.validated_data)
        return Response(self._messaging_of(release))


class ReleaseNoteSerializer(serializers.ModelSerializer):
    html = serializers.SerializerMethodField(help_text="The notes rendered and sanitised, as the changelog shows them.")
    published_by = UserSerializer(read_only=True, allow_null=True)
    draft = serializers.SerializerMethodField(
        help_text="Markdown drafted from the release's shipped features marked `in_release_notes`.")
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                           help_text="Empty while nobody has written notes.")

    class Meta:
        model = ReleaseNote
        fields = ["release", "body", "html", "published_at", "published_by", "draft", "updated_at"]
        read_only_fields = fields

    def get_html(self, note: ReleaseNote) -> str:
        return str(render_markdown(note.body))

    def get_draft(self, note: ReleaseNote) -> str:
        return services.release_note_draft(release=note.release) if self.context.get("with_draft") else ""


class ReleaseNoteInputSerializer(serializers.Serializer):
    body = optional_text(help_text="Markdown.")


class PublishedSerializer(ReleaseNoteSerializer):
    detail = serializers.CharField(read_only=True)

    class Meta(ReleaseNoteSerializer.Meta):
        fields = [*ReleaseNoteSerializer.Meta.fields, "detail"]
        read_only_fields = fields


class ReleaseNoteViewSet(RecordViewSet):
    """Release notes of the releases of your workspaces, by release id. Retrieving one also
    gives `draft`, drafted from its shipped features. PUT saves the Markdown; `publish` puts
    them on the product's public changelog once: publishing again changes nothing."""

    serializer_class = ReleaseNoteSerializer
    input_serializer_class = ReleaseNoteInputSerializer
    lookup_field = "release"
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return selectors.note_list(user=self.request.user)

    def _release(self, pk) -> Release:
        return get_visible(Release.objects.visible_to(self.request.user).select_related("product"), pk)

    def _note_of(self, release: Release) -> ReleaseNote:
        return self.get_queryset().filter(release=release).first() or ReleaseNote(release=release)

    def retrieve(self, request, release=None):
        note = self._note_of(self._release(release))
        return Response(ReleaseNoteSerializer(note, context={"with_draft": True}).data)

    @extend_schema(request=ReleaseNoteInputSerializer, responses=ReleaseNoteSerializer)
    def update(self, request, release=None):
        target = self._release(release)
        access.ensure_can(request.user, "releases.edit", target)
        data = ReleaseNoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.release_note_save(actor=request.user, release=target, body=data.validated_data.get("body", ""))
        return Response(self._serialize(self._note_of(target)))

    @extend_schema(request=None, responses=PublishedSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, release=None):
        """Publish the notes to the public changelog, once (400 while they are empty)."""
        target = self._release(release)
        published = services.release_note_publish(actor=request.user, release=target)
        data = dict(ReleaseNoteSerializer(self._note_of(target)).data)
        data["detail"] = published.message
        return Response(data)
