"""The stored numbers of feedback: an idea's `vote_count` and `demand`, and a feature's
`demand` (kept on `releases.Feature`, written only through `releases.services.feature_demand_set`).

Weighted demand is the annual revenue of the distinct customers behind something, each
customer counted once however many of its people voted or spoke:
- an idea's customers are those of the contacts who voted for it, of the portal users who
  voted for it (through the contact their email matched), and of the feedback notes linked
  to it;
- a feature's customers are those of all its linked ideas together, plus those of the
  feedback notes linked to the feature directly.

Both are recomputed from the rows (never incremented), in one statement for any number of
ideas or features, so a recount is always safe to repeat."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection

from releases import services as release_services

from ..models import FeedbackNote, Idea

# (idea id, customer id) for every customer behind the ideas `%(ideas)s`: their voting
# contacts, their voting portal users' contacts and their linked notes. UNION removes repeats,
# so a customer counts once per idea. Each branch filters first, so only those ideas' rows are read.
IDEA_CUSTOMERS_SQL = """
    SELECT v.idea_id, ct.customer_id FROM feedback_vote v JOIN feedback_contact ct ON ct.id = v.contact_id
        WHERE v.idea_id = ANY(%(ideas)s)
    UNION
    SELECT v.idea_id, ct.customer_id FROM feedback_vote v JOIN feedback_portaluser p ON p.id = v.portal_user_id
        JOIN feedback_contact ct ON ct.id = p.contact_id
        WHERE v.idea_id = ANY(%(ideas)s)
    UNION
    SELECT ni.idea_id, n.customer_id FROM feedback_feedbacknote_ideas ni
        JOIN feedback_feedbacknote n ON n.id = ni.feedbacknote_id
        WHERE ni.idea_id = ANY(%(ideas)s) AND n.customer_id IS NOT NULL
"""

RECOUNT_SQL = "WITH ic AS (" + IDEA_CUSTOMERS_SQL + """),
    worth AS (
        SELECT ic.idea_id, sum(c.annual_revenue) AS demand FROM ic
            JOIN feedback_customer c ON c.id = ic.customer_id GROUP BY ic.idea_id
    ), votes AS (
        SELECT idea_id, count(*) AS n FROM feedback_vote WHERE idea_id = ANY(%(ideas)s) GROUP BY idea_id
    ), target AS (
        SELECT unnest(%(ideas)s::bigint[]) AS id
    )
    UPDATE feedback_idea i SET vote_count = COALESCE(votes.n, 0), demand = COALESCE(worth.demand, 0)
    FROM target LEFT JOIN votes ON votes.idea_id = target.id LEFT JOIN worth ON worth.idea_id = target.id
    WHERE i.id = target.id
"""  # noqa: S608 - built from this module's constants only; values are parameters

# The same over features: the customers of their linked ideas and of the notes linked to them.
FEATURE_DEMAND_SQL = """
    WITH linked AS (
        SELECT id, feature_id FROM feedback_idea WHERE feature_id = ANY(%(features)s)
    ), fc AS (
        SELECT linked.feature_id, ct.customer_id FROM linked JOIN feedback_vote v ON v.idea_id = linked.id
            JOIN feedback_contact ct ON ct.id = v.contact_id
        UNION
        SELECT linked.feature_id, ct.customer_id FROM linked JOIN feedback_vote v ON v.idea_id = linked.id
            JOIN feedback_portaluser p ON p.id = v.portal_user_id JOIN feedback_contact ct ON ct.id = p.contact_id
        UNION
        SELECT linked.feature_id, n.customer_id FROM linked
            JOIN feedback_feedbacknote_ideas ni ON ni.idea_id = linked.id
            JOIN feedback_feedbacknote n ON n.id = ni.feedbacknote_id
            WHERE n.customer_id IS NOT NULL
        UNION
        SELECT nf.feature_id, n.customer_id FROM feedback_feedbacknote_features nf
            JOIN feedback_feedbacknote n ON n.id = nf.feedbacknote_id
            WHERE nf.feature_id = ANY(%(features)s) AND n.customer_id IS NOT NULL
    )
    SELECT fc.feature_id, sum(c.annual_revenue) FROM fc JOIN feedback_customer c ON c.id = fc.customer_id
    GROUP BY fc.feature_id
"""

# Ideas the customers stand behind: their contacts' and portal users' votes, their notes.
CUSTOMER_IDEAS_SQL = """
    SELECT v.idea_id FROM feedback_vote v JOIN feedback_contact ct ON ct.id = v.contact_id
        WHERE ct.customer_id = ANY(%(customers)s)
    UNION
    SELECT v.idea_id FROM feedback_vote v JOIN feedback_portaluser p ON p.id = v.portal_user_id
        JOIN feedback_contact ct ON ct.id = p.contact_id
        WHERE ct.customer_id = ANY(%(customers)s)
    UNION
    SELECT ni.idea_id FROM feedback_feedbacknote_ideas ni JOIN feedback_feedbacknote n ON n.id = ni.feedbacknote_id
        WHERE n.customer_id = ANY(%(customers)s)
"""


def ideas_recount(*, idea_ids: Iterable[int]) -> int:
    """Recompute `vote_count` and `demand` of the ideas in one UPDATE. Returns how many rows
    it wrote."""
    ids = sorted({int(pk) for pk in idea_ids})
    if not ids:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(RECOUNT_SQL, {"ideas": ids})
        return cursor.rowcount


def feature_demand_values(*, feature_ids: Iterable[int]) -> dict[int, Decimal]:
    """{feature id: weighted demand} for the features (0 for those nobody asked for), in one
    query: the distinct customers of their linked ideas and of the notes linked to them."""
    ids = sorted({int(pk) for pk in feature_ids})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(FEATURE_DEMAND_SQL, {"features": ids})
        found = dict(cursor.fetchall())
    return {pk: found.get(pk, Decimal(0)) for pk in ids}


def features_demand_refresh(*, feature_ids: Iterable[int]) -> int:
    """Recompute the features' weighted demand and store it through releases (the only
    writer of `Feature.demand`). Ids of deleted features are skipped. Returns how many
    features were written."""
    return release_services.feature_demand_set(values=feature_demand_values(feature_ids=feature_ids))


def customer_idea_ids(*, customer_ids: Iterable[int]) -> list[int]:
    """Ids of the ideas the customers stand behind (votes of their contacts and portal
    users, their notes): the ideas whose demand changes with their revenue."""
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(CUSTOMER_IDEAS_SQL, {"customers": ids})
        return sorted(row[0] for row in cursor.fetchall())


def customer_feature_ids(*, customer_ids: Iterable[int]) -> list[int]:
    """Ids of the features whose demand a change of these customers' revenue moves."""
    ids = sorted({int(pk) for pk in customer_ids})
    if not ids:
        return []
    idea_ids = customer_idea_ids(customer_ids=ids)
    features = set(Idea.objects.filter(pk__in=idea_ids, feature__isnull=False).values_list("feature_id", flat=True))
    features |= set(FeedbackNote.features.through.objects.filter(feedbacknote__customer_id__in=ids)
                    .values_list("feature_id", flat=True))
    return sorted(features)
