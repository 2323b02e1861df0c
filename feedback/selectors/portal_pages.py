"""Reads of the public ideas portal's pages that `feedback.selectors.portal` does not hold:
duplicate suggestions while someone types a new idea's title, and the public changelog with
released releases beside shipped ideas.

Public by construction, as there: ideas are the product's public ones that were not merged
away, releases show their name, version, date, their published release notes and the titles
of their done features, and
every query names its columns, so nothing internal is loaded. A fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import F, Prefetch, Q
from django.utils import timezone

from releases.models import Feature, Release, StatusCategory
from strategy.markdown import render_markdown
from strategy.models import Product

from ..models import SEARCH_CONFIG, Idea
from .portal import portal_ideas

SIMILAR_LIMIT = 5
SIMILAR_MIN_LENGTH = 3
CHANGELOG_RELEASES = 20
CHANGELOG_IDEAS = 50


def portal_similar(*, product: Product, title: str, exclude_id: int | None = None,
                   limit: int = SIMILAR_LIMIT) -> list[dict]:
    """Public ideas sharing words with `title` (any of them), best match first, as rows of
    id, title, status and vote_count: the duplicates to suggest while someone types. One
    query; none for fewer than SIMILAR_MIN_LENGTH characters."""
    text = " ".join((title or "").replace('"', " ").split())[:200]
    words = [word.lstrip("-") for word in text.split() if word.strip("-") and word.lower() != "or"]
    if len(text) < SIMILAR_MIN_LENGTH or not words:
        return []
    query = SearchQuery(" or ".join(words), search_type="websearch", config=SEARCH_CONFIG)
    ideas = portal_ideas(product).filter(search=query)
    if exclude_id is not None:
        ideas = ideas.exclude(pk=exclude_id)
    return list(ideas.annotate(rank=SearchRank(F("search"), query)).order_by("-rank", "-vote_count", "-id")
                .values("id", "title", "status", "vote_count")[:limit])


@dataclass
class ChangelogEntry:
    """One line of the changelog: a release with its done features (and the ideas they
    delivered), or a shipped idea that no listed release delivered."""

    kind: str  # "release" or "idea"
    day: date
    title: str
    anchor: str
    features: list[str] = field(default_factory=list)
    ideas: list[dict] = field(default_factory=list)  # rows: id, title, vote_count
    idea: dict | None = None
    version_label: str = ""
    notes_html: str = ""  # the release's published release notes, sanitised HTML


def portal_changelog_entries(*, product: Product) -> list[ChangelogEntry]:
    """Released releases (their published release notes, or else their done features' titles)
    and shipped public ideas, newest first, in three queries. A release whose notes were
    published before it was marked released is listed too: the changelog is the one place
    release notes are published to."""
    done = Feature.objects.filter(status__category=StatusCategory.DONE).only("id", "title", "release_id").order_by(
        "number")
    releases = list(Release.objects.filter(product=product)
                    .filter(Q(status=Release.Status.RELEASED) | Q(note__published_at__isnull=False))
                    .exclude(status=Release.Status.CANCELLED)
                    .annotate(notes_body=F("note__body"), notes_published_at=F("note__published_at"))
                    .only("id", "name", "version_label", "release_date", "status").order_by("-release_date", "-id")
                    .prefetch_related(Prefetch("features", queryset=done, to_attr="done_features"))
                    [:CHANGELOG_RELEASES])
    shipped = list(portal_ideas(product).filter(status=Idea.Status.SHIPPED)
                   .values("id", "title", "vote_count", "feature_id", "status_changed_at", "updated_at")
                   .order_by(F("status_changed_at").desc(nulls_last=True), "-id")[:CHANGELOG_IDEAS])
    entries: list[ChangelogEntry] = []
    release_of_feature: dict[int, ChangelogEntry] = {}
    for release in releases:
        published = release.notes_published_at is not None
        entry = ChangelogEntry(kind="release", day=release.release_date, title=release.name,
                               version_label=release.version_label, anchor=f"release-{release.pk}",
                               features=[feature.title for feature in release.done_features],
                               notes_html=render_markdown(release.notes_body) if published else "")
        release_of_feature.update({feature.pk: entry for feature in release.done_features})
        entries.append(entry)
    for idea in shipped:
        delivered_by = release_of_feature.get(idea["feature_id"])
        if delivered_by is not None:
            delivered_by.ideas.append(idea)
            continue
        when = idea["status_changed_at"] or idea["updated_at"]
        entries.append(ChangelogEntry(kind="idea", day=timezone.localdate(when), title=idea["title"],
                                      anchor=f"idea-{idea['id']}", idea=idea))
    entries.sort(key=lambda entry: (entry.day, entry.kind == "release"), reverse=True)
    return entries
