"""The workspace search: features (an exact key such as SHOP-16 jumps straight to its feature),
releases, goals, initiatives, personas, competitors, products and ideas, each kind ranked by
PostgreSQL full-text search, with the matched words highlighted.

It lives in `roadmap`, the layer that may import every app, because ideas (in `feedback`) sit
above releases. Every kind reads the rows `user` may see in one workspace (`visible_to`), one
query per kind whatever the number of rows: the words of features, releases and ideas are stored in a
generated `search` column with a GIN index; the other kinds are small per workspace (tens to
hundreds of rows), so their words are computed in the query.

Highlighting: PostgreSQL's `ts_headline` marks the matched words with two private-use
characters, never with HTML; the text is escaped in Python and only then are the marks turned
into <mark> elements, so nothing a person typed into a title reaches the page as markup."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from feedback.models import Idea
from releases.models import SEARCH_CONFIG, Feature, Release
from strategy.models import Competitor, Goal, Initiative, Persona, Product, User, Workspace

MAX_QUERY_LENGTH = 200
MIN_QUERY_LENGTH = 2
# Results per kind on the page, in the top bar's dropdown, and when one kind is asked for.
PAGE_LIMIT = 10
DROPDOWN_LIMIT = 4
KIND_LIMIT = 50

START, STOP = "\ue000", "\ue001"
_MARKED = re.compile(f"{START}(.*?){STOP}", re.S)
_FEATURE_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]{1,9})-(\d{1,9})\s*$")
_PLAIN = re.compile(r"^[\w\s]+$")
_WORD = re.compile(r"[^\W_]+")


def search_query(text: str) -> SearchQuery | None:
    """What people type: plain words all have to match, the last one as a prefix (so the
    dropdown finds "export" while "expo" is being typed); anything with quotes, `or` or a
    leading minus is read as web-search syntax. None when there is nothing to look for."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if len(text) < MIN_QUERY_LENGTH:
        return None
    words = _WORD.findall(text)
    if not words:
        return None
    if _PLAIN.match(text) and not any(word.lower() == "or" for word in words):
        raw = " & ".join([*words[:-1], f"{words[-1]}:*"])
        return SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


def highlighted(text: str | None) -> SafeString:
    """`ts_headline`'s output as safe HTML: escaped, with the marked words in <mark>."""
    text = escape(text or "")
    text = _MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(text.replace(START, "").replace(STOP, ""))  # noqa: S308 (escaped above)


@dataclass(frozen=True)
class Hit:
    """One result: its kind, title and snippet (safe HTML, matches marked), where it leads,
    and a few words of context (the feature's key and status, the product)."""

    kind: str
    pk: int
    title: str
    title_html: SafeString
    snippet_html: SafeString
    url: str
    context: str
    badge: str = ""
    rank: float = 0.0


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit]
    more: bool = False


@dataclass
class SearchResults:
    text: str
    kind: str = ""
    jump: Hit | None = None
    groups: list[Group] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(len(group.hits) for group in self.groups)

    @property
    def searched(self) -> bool:
        return len(self.text.strip()) >= MIN_QUERY_LENGTH


@dataclass(frozen=True)
class Kind:
    """How one kind of record is searched: its rows, the words searched (a stored column or
    weighted fields), the columns a hit needs and how a row becomes a hit."""

    name: str
    label: str
    rows: Callable[[User, Workspace], QuerySet]
    document: str | tuple[tuple[str, str], ...]
    title: str
    body: str
    columns: tuple[str, ...]
    hit: Callable[[dict, str], tuple[str, str, str]]  # row, workspace slug -> url, context, badge


def _vector(document: tuple[tuple[str, str], ...]):
    vector = None
    for column, weight in document:
        part = SearchVector(column, weight=weight, config=SEARCH_CONFIG)
        vector = part if vector is None else vector + part
    return vector


def _feature_hit(row: dict, ws: str) -> tuple[str, str, str]:
    key = f"{row['product__key']}-{row['number']}"
    return (reverse("releases:feature_detail", args=[ws, row["product__key"], row["number"]]),
            f"{key} · {row['product__name']}", row["status__name"])


def _release_hit(row: dict, ws: str) -> tuple[str, str, str]:
    return (reverse("releases:release_detail", args=[ws, row["product__key"], row["pk"]]),
            f"{row['product__name']} · {row['release_date']:%-d %b %Y}",
            str(Release.Status(row["status"]).label))


def _goal_hit(row: dict, ws: str) -> tuple[str, str, str]:
    return (reverse("strategy:goal_detail", args=[ws, row["pk"]]),
            row["product__name"] or str(_("Workspace goal")), "")


def _product_record_hit(url_name: str) -> Callable[[dict, str], tuple[str, str, str]]:
    def hit(row: dict, ws: str) -> tuple[str, str, str]:
        return reverse(url_name, args=[ws, row["product__key"], row["pk"]]), row["product__name"], ""
    return hit


def _initiative_hit(row: dict, ws: str) -> tuple[str, str, str]:
    url, context, _badge = _product_record_hit("strategy:initiative_detail")(row, ws)
    return url, context, str(Initiative.Status(row["status"]).label)


def _product_hit(row: dict, ws: str) -> tuple[str, str, str]:
    kind = Product.Kind(row["kind"]).label
    archived = str(_("archived")) if row["archived_at"] else ""
    return reverse("strategy:product_detail", args=[ws, row["key"]]), f"{row['key']} · {kind}", archived


def _idea_hit(row: dict, ws: str) -> tuple[str, str, str]:
    return (reverse("feedback:idea_detail", args=[ws, row["product__key"], row["pk"]]),
            f"{row['product__name']} · {row['vote_count']} votes", str(Idea.Status(row["status"]).label))


def _scoped(model) -> Callable[[User, Workspace], QuerySet]:
    return lambda user, workspace: model.objects.visible_to(user).filter(workspace=workspace)


PRODUCT_COLUMNS = ("product__key", "product__name")

KINDS: tuple[Kind, ...] = (
    Kind("feature", _("Features"), _scoped(Feature), "search", "title", "description",
         ("number", "status__name", *PRODUCT_COLUMNS), _feature_hit),
    Kind("release", _("Releases"), _scoped(Release), "search",
         "name", "theme", ("status", "release_date", *PRODUCT_COLUMNS), _release_hit),
    Kind("goal", _("Goals"), _scoped(Goal), (("name", "A"), ("description", "B")), "name", "description",
         PRODUCT_COLUMNS, _goal_hit),
    Kind("initiative", _("Initiatives"), _scoped(Initiative), (("name", "A"), ("description", "B")),
         "name", "description", ("status", *PRODUCT_COLUMNS), _initiative_hit),
    Kind("persona", _("Personas"), _scoped(Persona), (("name", "A"), ("role", "A"), ("description", "B")),
         "name", "description", PRODUCT_COLUMNS, _product_record_hit("strategy:persona_detail")),
    Kind("competitor", _("Competitors"), _scoped(Competitor), (("name", "A"), ("positioning", "B")),
         "name", "positioning", PRODUCT_COLUMNS, _product_record_hit("strategy:competitor_detail")),
    Kind("product", _("Products"), _scoped(Product), (("name", "A"), ("key", "A"), ("description", "B")),
         "name", "description", ("key", "kind", "archived_at"), _product_hit),
    Kind("idea", _("Ideas"),
         lambda user, workspace: _scoped(Idea)(user, workspace).filter(merged_into__isnull=True),
         "search", "title", "description", ("status", "vote_count", *PRODUCT_COLUMNS), _idea_hit),
)
KIND_NAMES = tuple(kind.name for kind in KINDS)


def _search_kind(kind: Kind, query: SearchQuery, *, user: User, workspace: Workspace, limit: int) -> Group:
    """The best `limit` matches of one kind, best first (one query)."""
    rows = kind.rows(user, workspace)
    if isinstance(kind.document, str):
        rows = rows.filter(**{kind.document: query}).annotate(match_rank=SearchRank(F(kind.document), query))
    else:
        rows = rows.annotate(document=_vector(kind.document)).filter(document=query) \
            .annotate(match_rank=SearchRank(F("document"), query))
    rows = rows.annotate(
        title_marked=SearchHeadline(kind.title, query, config=SEARCH_CONFIG, start_sel=START, stop_sel=STOP,
                                    highlight_all=True),
        body_marked=SearchHeadline(kind.body, query, config=SEARCH_CONFIG, start_sel=START, stop_sel=STOP,
                                   min_words=8, max_words=24, short_word=2),
    ).order_by("-match_rank", "-pk").values("pk", kind.title, "match_rank", "title_marked", "body_marked",
                                            *kind.columns)
    found = list(rows[:limit + 1])
    hits = []
    for row in found[:limit]:
        url, context, badge = kind.hit(row, workspace.slug)
        hits.append(Hit(kind=kind.name, pk=row["pk"], title=row[kind.title],
                        title_html=highlighted(row["title_marked"]),
                        snippet_html=highlighted(row["body_marked"]), url=url, context=context, badge=badge,
                        rank=float(row["match_rank"])))
    return Group(kind=kind.name, label=str(kind.label), hits=hits, more=len(found) > limit)


def feature_by_key(*, user: User, workspace: Workspace, text: str) -> Hit | None:
    """The feature whose key is exactly `text` ("SHOP-16", any case), if `user` may see it."""
    match = _FEATURE_KEY.match(text)
    if not match:
        return None
    row = Feature.objects.visible_to(user).filter(
        workspace=workspace, product__key=match[1].upper(), number=int(match[2]),
    ).values("pk", "title", "number", "status__name", *PRODUCT_COLUMNS).first()
    if row is None:
        return None
    url, context, badge = _feature_hit(row, workspace.slug)
    return Hit(kind="feature", pk=row["pk"], title=row["title"], title_html=highlighted(row["title"]),
               snippet_html=mark_safe(""), url=url, context=context, badge=badge, rank=1.0)


def workspace_search(*, user: User, workspace: Workspace, text: str, kind: str = "",
                     limit: int = PAGE_LIMIT) -> SearchResults:
    """Search `workspace` as `user` sees it: the feature whose key `text` is (in `jump`), and
    every kind's best `limit` matches (only kind `kind` when given, up to KIND_LIMIT), kinds
    with matches only, in KINDS order. One query for the key, then (unless it named a feature)
    one query per kind."""
    text = text.replace("\x00", "").strip()[:MAX_QUERY_LENGTH]  # PostgreSQL refuses NUL in text
    kind = kind if kind in KIND_NAMES else ""
    results = SearchResults(text=text, kind=kind)
    results.jump = feature_by_key(user=user, workspace=workspace, text=text)
    query = search_query(text)
    if query is None or results.jump is not None:  # a key names one feature: nothing else to rank
        return results
    for spec in KINDS:
        if kind and spec.name != kind:
            continue
        group = _search_kind(spec, query, user=user, workspace=workspace, limit=KIND_LIMIT if kind else limit)
        if group.hits:
            results.groups.append(group)
    return results

