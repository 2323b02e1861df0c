"""The API of workspace exports and restores: `GET /api/v1/workspace-exports/{slug}/` streams
the workspace's export (admins of it only), `POST /api/v1/workspace-restores/` recreates a
workspace from an export sent as the `file` of a multipart form (the instance's operators,
staff accounts, only: a restore makes a workspace and accounts). Both go through
`roadmap.services.backup`, like the settings page and `manage.py workspace_restore`."""

from __future__ import annotations

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import parsers, serializers, status, viewsets
from rest_framework.response import Response

from strategy.models import Workspace

from ..services import backup


def export_response(workspace: Workspace) -> StreamingHttpResponse:
    """The export as a download, streamed (memory stays bounded for any size)."""
    response = StreamingHttpResponse(backup.workspace_export(workspace=workspace),
                                     content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{backup.workspace_export_filename(workspace)}"'
    response["Cache-Control"] = "no-store"
    return response


class WorkspaceRestoreInputSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An export file, as `GET /api/v1/workspace-exports/{slug}/` gives it.")


class WorkspaceRestoreSerializer(serializers.Serializer):
    workspace = serializers.CharField(help_text="The restored workspace's slug.")
    counts = serializers.DictField(child=serializers.IntegerField(), help_text="Rows restored, by table.")
    users_created = serializers.IntegerField(help_text="Accounts made (they sign in by resetting their password).")
    users_matched = serializers.IntegerField(help_text="People of the export who already had an account here.")


class WorkspaceExportViewSet(viewsets.ViewSet):
    """A whole workspace as one JSON document: every row, history included (docs/operators.md)."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    @extend_schema(responses={(200, "application/json"): OpenApiResponse(
        OpenApiTypes.OBJECT, description="The export document, streamed (docs/operators.md describes it).")})
    def retrieve(self, request, slug=None):
        workspace = get_object_or_404(Workspace.objects.visible_to(request.user), slug=slug)
        backup.workspace_export_check(actor=request.user, workspace=workspace)
        return export_response(workspace)


class WorkspaceRestoreViewSet(viewsets.ViewSet):
    """Recreate a workspace from its export, all or nothing (operators only)."""

    # A restore makes a new workspace: it belongs to the instance, not to one workspace.
    workspace_scoped = False
    parser_classes = [parsers.MultiPartParser]

    @extend_schema(request={"multipart/form-data": WorkspaceRestoreInputSerializer},
                   responses={201: WorkspaceRestoreSerializer})
    def create(self, request):
        backup.workspace_restore_check(actor=request.user)
        data = WorkspaceRestoreInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        upload.seek(0)
        result = backup.workspace_restore(lines=upload)  # read a line at a time
        body = {"workspace": result.workspace.slug, "counts": result.counts, "users_created": result.users_created,
                "users_matched": result.users_matched}
        return Response(WorkspaceRestoreSerializer(body).data, status=status.HTTP_201_CREATED)
