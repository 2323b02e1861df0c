"""The bench workspace's feedback, written with bulk_create (the services check rules row by
row, which would take many minutes at this size); called from `bench.seed.seed`.

- 500 customers with a long tail of revenue (a few large accounts, many small ones), with
  1,500 contacts;
- 5,000 ideas over the 20 products (a quarter of them in SHOP), most public, 5 % linked to
  a feature of their product, categories and statuses spread;
- the Storefront's portal open, with 1,000 portal users (a fifth of them known contacts);
- 50,000 votes: contacts, portal users (SHOP's public ideas) and members, each person once
  per idea, cast over the last six months, with a few ideas collecting most of them;
- 10,000 feedback notes from customers over the last year, linked to one or two ideas (the
  newest 1,500 not triaged yet, unlinked), some to a feature directly.

Every idea's `vote_count` and `demand` and every linked feature's demand are then computed
by the same SQL the services use (feedback.services.ideas_recount, features_demand_refresh)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal

CUSTOMERS = 500
CONTACTS_PER_CUSTOMER = 3
IDEAS = 5_000
VOTES = 50_000
NOTES = 10_000
UNTRIAGED = 1_500
PORTAL_USERS = 1_000
BATCH = 2_000
CATEGORIES = ["Reporting", "Integrations", "Mobile", "Checkout", "Admin", "Performance", "Security",
              "Notifications", "Search", "Billing"]
STATUS_MIX = [("new", 45), ("under_review", 20), ("planned", 12), ("in_progress", 8), ("shipped", 8),
              ("declined", 7)]
SOURCES = ["call", "email", "support_ticket", "sales", "portal", "survey"]
COMPANY_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell",
                 "Soylent", "Cyberdyne", "Wonka", "Gringotts", "Oscorp", "Aperture", "Monarch", "Dunder",
                 "Pied Piper", "Nakatomi", "Blue Sun"]
COMPANY_SUFFIXES = ["Labs", "Group", "Retail", "Foods", "Outdoor", "Media", "Health", "Logistics", "Studio",
                    "Goods", "Systems", "Partners", "Brands", "Market", "Supply", "Works", "Co", "Digital",
                    "Trading", "Collective", "Holdings", "Ventures", "Industries", "Traders", "Home"]
ASKS = ["We need {what} before our peak season.", "Our team asks about {what} every week.",
        "Without {what} we keep exporting to spreadsheets.", "Is {what} planned? It would save hours.",
        "{what} is the main thing missing for us."]


def _moment(rng: random.Random, day: date) -> datetime:
    return datetime.combine(day, clock(hour=rng.randint(8, 18), minute=rng.randint(0, 59)), tzinfo=UTC)


def _revenue(rng: random.Random) -> Decimal:
    return Decimal(round(min(3_000_000, 3_000 * rng.paretovariate(0.9)), -2))


def _segment(revenue: Decimal) -> str:
    return "enterprise" if revenue >= 250_000 else "mid_market" if revenue >= 40_000 else "smb"


def seed_feedback(rng: random.Random, workspace, people, products, today: date, counts) -> None:
    """Write the bench workspace's customers, ideas, votes and notes (see the module docstring)."""
    from django.db import connection

    from feedback.models import (
        Contact,
        Customer,
        FeedbackNote,
        Idea,
        PortalSettings,
        PortalUser,
        Vote,
        voter_key,
    )
    from feedback.services import features_demand_refresh, ideas_recount
    from releases.models import Feature

    names = [f"{word} {suffix}" for suffix in COMPANY_SUFFIXES for word in COMPANY_WORDS][:CUSTOMERS]
    customers = Customer.objects.bulk_create([
        Customer(workspace=workspace, name=name, domain=name.lower().replace(" ", "-") + ".test",
                 segment=_segment(revenue), plan=_segment(revenue).replace("_", " ").title(),
                 annual_revenue=revenue, owner=rng.choice(people))
        for name, revenue in ((name, _revenue(rng)) for name in names)], batch_size=BATCH)
    contacts = Contact.objects.bulk_create([
        Contact(workspace=workspace, customer=customer, name=f"Contact {i + 1} of {customer.name}",
                email=f"person{i + 1}@{customer.domain}")
        for customer in customers for i in range(CONTACTS_PER_CUSTOMER)], batch_size=BATCH)
    counts.add("customers", len(customers))
    counts.add("contacts", len(contacts))

    shop = products[0]
    PortalSettings.objects.create(workspace=workspace, product=shop, enabled=True, title=f"{shop.name} ideas")
    known = rng.sample(contacts, PORTAL_USERS // 5)
    portal_users = PortalUser.objects.bulk_create(
        [PortalUser(workspace=workspace, product=shop, email=c.email, name=c.name, contact=c) for c in known]
        + [PortalUser(workspace=workspace, product=shop, email=f"fan{i}@portal.test", name=f"Fan {i}")
           for i in range(PORTAL_USERS - len(known))], batch_size=BATCH)
    counts.add("portal users", len(portal_users))

    features_of = {}
    for feature_id, product_id in Feature.objects.filter(product__in=products).values_list("id", "product_id"):
        features_of.setdefault(product_id, []).append(feature_id)
    product_weights = [4] + [1] * (len(products) - 1)
    statuses, status_weights = zip(*STATUS_MIX, strict=True)
    ideas = []
    for i in range(IDEAS):
        product = rng.choices(products, product_weights)[0]
        linked = rng.random() < 0.05 and features_of.get(product.pk)
        ideas.append(Idea(
            workspace=workspace, product=product, title=f"{rng.choice(CATEGORIES)} idea {i + 1}: "
            f"{rng.choice(['export', 'sync', 'bulk edit', 'alerts for', 'reports on', 'filters for'])} "
            f"{rng.choice(['orders', 'invoices', 'customers', 'products', 'payouts', 'returns', 'stock'])}",
            description="Customers asked for this in calls and tickets." if rng.random() < 0.5 else "",
            category=rng.choice(CATEGORIES), status=rng.choices(statuses, status_weights)[0],
            visibility="public" if rng.random() < 0.7 else "internal",
            feature_id=rng.choice(features_of[product.pk]) if linked else None,
            submitted_by_contact=rng.choice(contacts) if rng.random() < 0.3 else None,
            created_at=_moment(rng, today - timedelta(days=rng.randint(30, 540)))))
    ideas = Idea.objects.bulk_create(ideas, batch_size=BATCH)
    counts.add("ideas", len(ideas))

    # A few ideas collect most votes: weights fall off with a shuffled rank.
    weights = [1 / (rank + 1) ** 0.7 for rank in range(len(ideas))]
    rng.shuffle(weights)
    shop_public = [idea for idea in ideas if idea.product_id == shop.pk and idea.visibility == "public"]
    seen: set[tuple[int, str]] = set()
    votes = []
    while len(votes) < VOTES:
        roll = rng.random()
        if roll < 0.15 and shop_public:
            idea, voter = rng.choice(shop_public), {"portal_user": rng.choice(portal_users)}
        else:
            idea = rng.choices(ideas, weights)[0]
            voter = {"contact": rng.choice(contacts)} if roll < 0.85 else {"user": rng.choice(people)}
        key = voter_key(**voter)
        if (idea.pk, key) in seen:
            continue
        seen.add((idea.pk, key))
        votes.append(Vote(idea=idea, voter_key=key, **voter,
                          created_at=_moment(rng, today - timedelta(days=int(rng.triangular(0, 180, 5))))))
    Vote.objects.bulk_create(votes, batch_size=BATCH)
    counts.add("votes", len(votes))

    notes = []
    for i in range(NOTES):
        customer = rng.choice(customers)
        idea = rng.choices(ideas, weights)[0]
        what = idea.title.split(": ", 1)[1]
        text = f"{customer.name}: {rng.choice(ASKS).format(what=what)}"
        untriaged = i >= NOTES - UNTRIAGED
        notes.append(FeedbackNote(
            workspace=workspace, product_id=idea.product_id, customer=customer,
            contact=contacts[customers.index(customer) * CONTACTS_PER_CUSTOMER] if rng.random() < 0.6 else None,
            source=rng.choice(SOURCES), text=text, highlight=what,
            date=today - timedelta(days=rng.randint(0, 20) if untriaged else rng.randint(21, 365)),
            processed=not untriaged, processed_at=None if untriaged else _moment(rng, today - timedelta(days=20)),
            external_id=f"BENCH-{i + 1}" if rng.random() < 0.3 else ""))
        notes[-1].idea_ids = [] if untriaged else [idea.pk] + (
            [rng.choices(ideas, weights)[0].pk] if rng.random() < 0.2 else [])
        notes[-1].feature_ids = [idea.feature_id] if idea.feature_id and rng.random() < 0.5 and not untriaged else []
    notes = FeedbackNote.objects.bulk_create(notes, batch_size=BATCH)
    FeedbackNote.ideas.through.objects.bulk_create([
        FeedbackNote.ideas.through(feedbacknote_id=note.pk, idea_id=idea_id)
        for note in notes for idea_id in set(note.idea_ids)], batch_size=BATCH)
    FeedbackNote.features.through.objects.bulk_create([
        FeedbackNote.features.through(feedbacknote_id=note.pk, feature_id=feature_id)
        for note in notes for feature_id in note.feature_ids], batch_size=BATCH)
    counts.add("feedback notes", len(notes))

    ideas_recount(idea_ids=[idea.pk for idea in ideas])
    features_demand_refresh(feature_ids={idea.feature_id for idea in ideas if idea.feature_id})
    # Fresh statistics, so the pages are timed with the plans a settled database would pick.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE feedback_customer, feedback_contact, feedback_portaluser, feedback_idea, "
                       "feedback_vote, feedback_feedbacknote, feedback_feedbacknote_ideas, "
                       "feedback_feedbacknote_features")
