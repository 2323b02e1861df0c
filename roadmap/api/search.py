"""The workspace search as an API: `GET /api/v1/w/<slug>/search/?q=<text>` (the old address,
`/api/v1/search/?workspace=<slug>&q=<text>`, names the workspace in the query).

The same reads as the search page (`roadmap.selectors.workspace_search`): the feature whose
key the text is, in `feature`, and the best matches of each kind, ranked by PostgreSQL's
full-text search, with the matched words marked by <mark> in escaped HTML."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from strategy.api.scoping import SCOPE_ATTR
from strategy.models import Workspace

from ..selectors import KIND_NAMES, Hit, workspace_search
from ..selectors.search import KIND_LIMIT, MAX_QUERY_LENGTH, PAGE_LIMIT


class SearchInputSerializer(serializers.Serializer):
    workspace = serializers.SlugField(required=False,
                                      help_text="The slug of one of your workspaces; left out, the address's.")
    q = serializers.CharField(max_length=MAX_QUERY_LENGTH, trim_whitespace=True,
                              help_text="Words to find (web-search syntax: quotes, or, -word), or a feature key.")
    kind = serializers.ChoiceField(choices=KIND_NAMES, required=False,
                                   help_text=f"Only this kind of result, up to {KIND_LIMIT} of them.")


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_NAMES, read_only=True)
    id = serializers.IntegerField(source="pk", read_only=True)
    title = serializers.CharField(read_only=True)
    title_html = serializers.CharField(read_only=True, help_text="The title, escaped, matches in <mark>.")
    snippet_html = serializers.CharField(read_only=True,
                                         help_text="A passage of the text, escaped, matches in <mark>.")
    url = serializers.CharField(read_only=True, help_text="The page of the result.")
    context = serializers.CharField(read_only=True, help_text="Its key or product, as the page shows it.")
    badge = serializers.CharField(read_only=True, help_text="Its status, where it has one.")
    rank = serializers.FloatField(read_only=True, help_text="PostgreSQL's ts_rank: higher is a better match.")


SearchResultSerializer = inline_serializer("SearchResult", {
    "q": serializers.CharField(),
    "feature": HitSerializer(allow_null=True, help_text="The feature whose key is exactly q, if any."),
    "results": HitSerializer(many=True, help_text="Best match first within each kind; kinds in a fixed order."),
    "more": serializers.ListField(child=serializers.CharField(),
                                  help_text="Kinds with more matches than shown (ask again with kind)."),
})


def _hit(hit: Hit | None) -> dict | None:
    return None if hit is None else HitSerializer(hit).data


class WorkspaceSearch(APIView):
    @extend_schema(
        operation_id="search", parameters=[SearchInputSerializer],
        responses=SearchResultSerializer, summary="Search a workspace",
        description=f"Up to {PAGE_LIMIT} results of each kind (features, releases, goals, initiatives, personas, "
                    "competitors, products, ideas), ranked by full-text search; with `kind`, only that kind. "
                    "A workspace you are not a member of answers 404.",
    )
    def get(self, request: Request) -> Response:
        data = SearchInputSerializer(data=request.query_params)
        data.is_valid(raise_exception=True)
        slug = getattr(request, SCOPE_ATTR, None) or data.validated_data.get("workspace")
        if not slug:
            raise serializers.ValidationError(
                {"workspace": [_("Name the workspace to search: /api/v1/w/<slug>/search/.")]})
        workspace = Workspace.objects.visible_to(request.user).filter(slug=slug).first()
        if workspace is None:
            raise Http404
        results = workspace_search(user=request.user, workspace=workspace, text=data.validated_data["q"],
                                   kind=data.validated_data.get("kind", ""))
        return Response({
            "q": results.text,
            "feature": _hit(results.jump),
            "results": [_hit(hit) for group in results.groups for hit in group.hits],
            "more": [group.kind for group in results.groups if group.more],
        })
