"""What needs a person's attention in a workspace (the top of the dashboard): their open
features, soonest due first; the comments that @mention them and that they have not read;
the conflicts in the plans of the products they own; and the running goals that are at risk
or off track. A fixed few queries whatever the data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.timesince import timesince

from releases import selectors as release_selectors
from releases.models import CLOSED_CATEGORIES, Feature, NotificationKind
from strategy import metrics as goal_metrics
from strategy.extensions import Row
from strategy.models import Goal, Product, User, Workspace

MY_FEATURES_SHOWN = 8
MENTIONS_SHOWN = 6
CONFLICTS_SHOWN = 6
GOALS_SHOWN = 6
BEHIND = (goal_metrics.AT_RISK, goal_metrics.OFF_TRACK)


@dataclass
class Attention:
    my_features: list[Row] = field(default_factory=list)
    my_feature_count: int = 0
    mentions: list[Row] = field(default_factory=list)
    mention_count: int = 0
    conflicts: list[Row] = field(default_factory=list)
    conflict_count: int = 0
    owned_products: int = 0
    goals: list[Row] = field(default_factory=list)

    @property
    def anything(self) -> bool:
        return bool(self.my_features or self.mentions or self.conflicts or self.goals)


def attention_for(*, user: User, workspace: Workspace, goals: Iterable[Goal], today: date) -> Attention:
    """`user`'s open features, unread mentions, conflicts in the products they own and the goals of `goals`
    (running, key results loaded) that are at risk or off track."""
    found = Attention()
    mine = (Feature.objects.visible_to(user).filter(workspace=workspace, assignee=user)
            .exclude(status__category__in=CLOSED_CATEGORIES))
    rows = list(mine.annotate(due=Coalesce("end_date", "release__release_date"))
                .order_by(F("due").asc(nulls_last=True), "id")
                .values("number", "title", "due", "status__name", product_key=F("product__key"))[:MY_FEATURES_SHOWN])
    found.my_feature_count = mine.count()
    found.my_features = [Row(
        label=f"{row['product_key']}-{row['number']} {row['title']}",
        url=reverse("releases:feature_detail", args=[workspace.slug, row["product_key"], row["number"]]),
        note=" · ".join(filter(None, [row["status__name"], f"due {row['due']:%-d %b}" if row["due"] else ""])),
        tone="warning" if row["due"] and row["due"] < today else "") for row in rows]

    unread_mentions = release_selectors.notification_list(user=user, workspace=workspace,
                                                          kind=NotificationKind.MENTION, unread=True)
    found.mention_count = unread_mentions.count()
    if found.mention_count:
        found.mentions = [Row(
            label=f"{(n.actor.display_name if n.actor else 'Someone')} on {n.feature.product.key}-{n.feature.number} "
                  f"{n.feature.title}",
            url=reverse("releases:notification_open", args=[workspace.slug, n.pk]),
            note=f"{timesince(n.created_at).split(',')[0]} ago") for n in unread_mentions[:MENTIONS_SHOWN]]

    owned = list(Product.objects.visible_to(user).filter(workspace=workspace, owner=user, archived_at__isnull=True,
                                                         kind=Product.Kind.PRODUCT).values_list("pk", flat=True))
    found.owned_products = len(owned)
    if owned:
        feature_rows, conflicts = release_selectors.conflicts_among(product_ids=owned)
        found.conflict_count = len(conflicts)
        for conflict in conflicts[:CONFLICTS_SHOWN]:
            row = feature_rows.get(conflict.feature_id) if conflict.feature_id else None
            url = reverse("releases:feature_detail", args=[workspace.slug, row["product_key"], row["number"]]) \
                if row else ""
            found.conflicts.append(Row(label=conflict.message, url=url, tone="warning"))

    for goal in goals:
        health = goal_metrics.goal_health(
            key_results=[(kr.start_value, kr.target_value, kr.current_value) for kr in goal.key_results.all()],
            start=goal.start_date, end=goal.end_date, today=today)
        if health.status in BEHIND and len(found.goals) < GOALS_SHOWN:
            found.goals.append(Row(label=goal.name, url=reverse("strategy:goal_detail", args=[workspace.slug, goal.pk]),
                                   note=str(health.status_label), tone="warning"))
    return found
