"""The demo workspace's feedback: 40 customers whose revenue has a long tail (a few large
accounts, many small shops), their contacts, 120 ideas across the four products, about 1,500
votes (most ideas get a few, a few get many), 200 feedback notes (most triaged, the newest
waiting in the inbox), a handful of duplicates merged, ideas promoted to features or linked
to the demo plan's features, and the portals of the Storefront and the mobile app opened.

Every record goes through the services (the demo admin triages, merges and promotes), except
the votes, written at once with their counters recomputed by the services' SQL (1,500 service
calls would each queue a feature recount), and the dates of ideas and votes, spread over the
last months so "trending" means something. Seeded from a
fixed random seed: the same demo every time.

Idempotent: a workspace that already has customers is left as it is."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from releases.models import Feature
from strategy.demo import DEMO_EMAIL
from strategy.models import User, Workspace

from . import services
from .models import Contact, Customer, FeedbackNote, Idea, PortalUser, Vote, voter_key

SEED = 10
CUSTOMER_COUNT = 40
VOTE_TARGET = 1_500
NOTE_COUNT = 200

COMPANIES = [
    "Harbor & Vine", "Copperleaf Goods", "Atlas Outfitters", "Bloom Street Florists", "Kettle & Crumb",
    "Summit Cycles", "Lumen Home", "Brightside Pets", "Northstar Apparel", "Pebble Ceramics",
    "Tidewater Surf", "Oak & Ember", "Maple Lane Books", "Urban Sprout", "Velvet Fox Boutique",
    "Ironclad Tools", "Pinecone Toys", "Saltwater Soap Co", "Golden Hour Optics", "Riverstone Tea",
    "Meadowlark Bakery", "Cobalt Audio", "Wildflower Studio", "Granite Peak Gear", "Sunday Roast Coffee",
    "Nimbus Electronics", "Thistle & Thread", "Paper Crane Stationery", "Redwood Furniture", "Blue Heron Wines",
    "Foxglove Beauty", "Driftwood Decor", "Quarry Fitness", "Little Acorn Kids", "Hearth Kitchenware",
    "Silverline Jewelry", "Canvas & Co", "Orchard Fresh Market", "Twin Pines Outdoor", "Beacon Sports",
]
PLANS = {"enterprise": "Enterprise", "mid_market": "Growth", "smb": "Starter"}
FIRST_NAMES = ["Ava", "Ben", "Chloe", "Diego", "Emma", "Farah", "Gus", "Hana", "Ivan", "Jade", "Kofi", "Lena",
               "Milo", "Nora", "Omar", "Pia", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Wes", "Yara"]
LAST_NAMES = ["Adams", "Baker", "Costa", "Dubois", "Evans", "Fischer", "Garcia", "Hughes", "Ito", "Jensen",
              "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel", "Quist", "Rossi", "Silva", "Tanaka"]

# Per product: (title, category, description). Pairs marked in DUPLICATES are merged.
IDEAS = {
    "SHOP": [
        ("Export orders to CSV", "Reporting", "Our accountant wants every order of the month in a spreadsheet."),
        ("CSV export of orders", "Reporting", "Download orders as a CSV file for bookkeeping."),
        ("Bulk edit product prices", "Catalogue", "Change the price of many products at once, by percent."),
        ("Schedule a sale in advance", "Promotions", "Start and end a sale at a set time without being online."),
        ("Product bundles", "Catalogue", "Sell a set of products together at one price."),
        ("Back-in-stock emails", "Marketing", "Let shoppers ask to be told when a sold-out size returns."),
        ("Wishlists for shoppers", "Storefront", "Shoppers save products for later and share the list."),
        ("Shopper wishlist", "Storefront", "A heart button that keeps products for later."),
        ("Gift cards", "Payments", "Sell gift cards with a code the recipient redeems at checkout."),
        ("Subscriptions for repeat products", "Payments", "Coffee, pet food, razors: deliver every month."),
        ("Multi-currency prices", "Internationalisation", "Show prices in the shopper's currency."),
        ("Translate the storefront", "Internationalisation", "Serve the shop in German, French and Spanish."),
        ("Product reviews with photos", "Storefront", "Shoppers add photos to their reviews."),
        ("Abandoned cart emails", "Marketing", "Remind shoppers who left items in their cart."),
        ("Abandoned checkout reminder emails", "Marketing", "Email people who started checking out and stopped."),
        ("Inventory across two warehouses", "Inventory", "Track stock per location and ship from the nearest."),
        ("Low stock alerts", "Inventory", "Tell me before a best seller runs out."),
        ("Staff accounts with limited access", "Admin", "Let part-timers pack orders without seeing revenue."),
        ("Audit log of admin changes", "Admin", "Who changed this price, and when?"),
        ("Custom fields on products", "Catalogue", "Store material, care instructions and origin."),
        ("Size charts per product", "Storefront", "Show the right size chart for each brand."),
        ("Pre-orders for upcoming products", "Payments", "Take orders before stock arrives."),
        ("Print packing slips in bulk", "Fulfilment", "Print slips for fifty orders in one go."),
        ("Shipping labels from the order page", "Fulfilment", "Buy and print a label without leaving the order."),
        ("Local pickup option", "Fulfilment", "Shoppers collect from the shop and pay nothing for shipping."),
        ("Discount codes limited to one use per customer", "Promotions", "Stop a welcome code being reused."),
        ("Free shipping over an amount", "Promotions", "Free delivery for orders over 50."),
        ("Slack alerts for new orders", "Integrations", "Post every new order to our #orders channel."),
        ("Sync orders to QuickBooks", "Integrations", "Orders and refunds appear in QuickBooks by themselves."),
        ("Mailchimp audience sync", "Integrations", "Customers who opt in join our Mailchimp list."),
        ("Google Shopping product feed", "Marketing", "Keep our products listed on Google Shopping."),
        ("Dark mode for the admin", "Admin", "Easier on the eyes during late packing sessions."),
        ("Blog on the storefront", "Storefront", "Write posts next to the shop, on our own domain."),
        ("Customer accounts with order history", "Storefront", "Shoppers see past orders and reorder."),
        ("Returns portal for shoppers", "Fulfilment", "Shoppers start a return without emailing us."),
        ("Tax reports per country", "Reporting", "VAT collected per EU country for the quarter."),
        ("Import products from a spreadsheet", "Catalogue", "Move our 2,000 products over from a CSV file."),
        ("Age check for restricted products", "Checkout", "Wine and knives need a date of birth at checkout."),
        ("Estimated delivery date on product pages", "Storefront", "Arrives by Thursday if ordered today."),
        ("Variants with their own photos", "Catalogue", "Show the red photo when red is picked."),
    ],
    "MOB": [
        ("Offline mode for browsing", "Performance", "Browse the catalogue on the train without signal."),
        ("Push notification for price drops", "Notifications", "Tell me when something I saved gets cheaper."),
        ("Price drop alerts", "Notifications", "An alert when a saved product is on sale."),
        ("Sign in with Apple", "Accounts", "One tap sign-in on iPhone."),
        ("Scan a barcode to find a product", "Search", "In the shop, scan to see reviews and sizes."),
        ("Apple Pay in the app", "Checkout", "Pay with Face ID."),
        ("Google Pay in the app", "Checkout", "Pay with a fingerprint on Android."),
        ("Dark mode", "Design", "Follow the phone's dark setting."),
        ("Dark theme for the app", "Design", "A dark colour scheme at night."),
        ("Order tracking on the lock screen", "Orders", "Live Activity with the delivery status."),
        ("Tablet layout", "Design", "Use the whole screen of an iPad."),
        ("Share a product with friends", "Social", "Send a product to a friend in WhatsApp."),
        ("Faster app start", "Performance", "The app takes too long to open on older phones."),
        ("Widgets with my orders", "Orders", "A home screen widget with the next delivery."),
        ("Voice search", "Search", "Say what you are looking for."),
        ("Accessibility: larger text support", "Accessibility", "Respect the phone's text size."),
        ("Screen reader labels on every button", "Accessibility", "VoiceOver reads 'button' for half the icons."),
        ("Reorder a past order in one tap", "Orders", "Buy the same again."),
        ("Saved payment cards", "Checkout", "Do not type the card number every time."),
        ("Gift wrapping option", "Checkout", "Add wrapping and a note at checkout."),
        ("In-app chat with the shop", "Support", "Ask a question about a product."),
        ("Loyalty points in the app", "Marketing", "Collect points and see the balance."),
        ("Wishlist sync between web and app", "Accounts", "My saved items should be the same everywhere."),
        ("Augmented reality preview of furniture", "Storefront", "See the sofa in my living room."),
        ("Size recommendation from past orders", "Storefront", "Suggest my size from what I kept."),
        ("Face ID to open the app", "Accounts", "Lock the app with Face ID."),
        ("Apple Watch order updates", "Notifications", "Delivery updates on my watch."),
        ("Quiet hours for notifications", "Notifications", "No pushes at night."),
        ("Android home screen shortcuts", "Design", "Long-press the icon to jump to orders."),
        ("Recently viewed products", "Storefront", "Find the thing I looked at yesterday."),
        ("Filter by size in the app", "Search", "Only show what is available in my size."),
        ("Delivery instructions at checkout", "Checkout", "Leave it with the neighbour at number 12."),
    ],
    "PAY": [
        ("Instant payouts to debit cards", "Payouts", "Get the money today, not in three days."),
        ("Payouts in euros and pounds", "Payouts", "Receive payouts in more than one currency."),
        ("Multi-currency payouts", "Payouts", "Pay out to a EUR and a GBP account."),
        ("Klarna and pay later options", "Payment methods", "Shoppers pay in three instalments."),
        ("SEPA direct debit", "Payment methods", "Let business buyers pay by direct debit."),
        ("Dispute evidence upload", "Disputes", "Upload proof of delivery for a chargeback."),
        ("Chargeback alerts by email", "Disputes", "Tell me the moment a chargeback arrives."),
        ("Fraud rules we can edit", "Risk", "Block orders from a country or over an amount."),
        ("Partial refunds from the order page", "Refunds", "Refund one item of three."),
        ("Payouts report export to Xero", "Integrations", "Reconcile payouts in Xero."),
        ("Fee breakdown per transaction", "Reporting", "What did each payment cost us?"),
        ("Monthly statements as PDF", "Reporting", "A statement our bank accepts."),
        ("Terminal for in-person payments", "Payment methods", "Take cards at markets and pop-ups."),
        ("Tap to pay on iPhone", "Payment methods", "Accept contactless payments on a phone."),
        ("Two-factor authentication for the dashboard", "Security", "Protect the payouts account."),
        ("Team roles for finance staff", "Security", "The accountant sees payouts but cannot refund."),
        ("Webhooks for payment events", "Developers", "Our ERP needs to hear about every payment."),
        ("Test mode with sample cards", "Developers", "Try checkout without real money."),
        ("Invoices with a pay link", "Payment methods", "Email an invoice that the buyer pays online."),
        ("Recurring billing", "Payment methods", "Charge subscribers every month."),
        ("Payout schedule we choose", "Payouts", "Weekly payouts on Mondays."),
        ("Reserve balance explained", "Payouts", "Why is part of my money held back?"),
        ("Payment links for social media sales", "Payment methods", "Sell from Instagram with a link."),
    ],
    "INS": [
        ("Revenue by product category", "Reports", "Which categories grow and which shrink."),
        ("Cohort retention chart", "Reports", "How many first-time buyers come back."),
        ("Customer lifetime value", "Reports", "Average value of a customer over a year."),
        ("Scheduled email reports", "Sharing", "The weekly numbers in my inbox on Monday."),
        ("Weekly email digest of sales", "Sharing", "A summary of last week's sales by email."),
        ("Export any chart to CSV", "Sharing", "Download the numbers behind a chart."),
        ("Compare to the same period last year", "Reports", "Year over year on every chart."),
        ("Google Analytics traffic next to sales", "Integrations", "Visits and orders on one chart."),
        ("Forecast next month's revenue", "Forecasting", "Where will we land this month?"),
        ("Stock forecast per product", "Forecasting", "When will each product run out?"),
        ("Dashboard for the shop floor TV", "Sharing", "A full-screen view with today's orders."),
        ("Custom date ranges", "Reports", "Any range, not only the presets."),
        ("Segment customers by region", "Segments", "Sales per region and city."),
        ("Top customers list", "Segments", "Who buys the most, with contact details."),
        ("Marketing attribution by channel", "Marketing", "Which channel brought each order."),
        ("Discount code performance", "Marketing", "Revenue and margin of each code."),
        ("Margin after costs", "Reports", "Profit, not just revenue."),
        ("Anomaly alerts on sudden drops", "Alerts", "Tell me when sales fall off a cliff."),
        ("Mobile app for insights", "Sharing", "Check the numbers on my phone."),
        ("Looker Studio connector", "Integrations", "Build our own dashboards."),
        ("Product page conversion rates", "Reports", "Views to purchases per product."),
        ("Refund rate per product", "Reports", "Which products come back most."),
        ("Benchmarks against similar shops", "Reports", "Are we doing well for our size?"),
        ("Basket analysis: bought together", "Reports", "Which products sell together."),
        ("Goal tracking for monthly revenue", "Forecasting", "Set a target and see the progress."),
    ],
}
# (product, duplicate title, original title): merged, the duplicate into the original.
DUPLICATES = [
    ("SHOP", "CSV export of orders", "Export orders to CSV"),
    ("SHOP", "Shopper wishlist", "Wishlists for shoppers"),
    ("SHOP", "Abandoned checkout reminder emails", "Abandoned cart emails"),
    ("MOB", "Price drop alerts", "Push notification for price drops"),
    ("MOB", "Dark theme for the app", "Dark mode"),
    ("PAY", "Multi-currency payouts", "Payouts in euros and pounds"),
    ("INS", "Weekly email digest of sales", "Scheduled email reports"),
]
# (product, idea title, feature title or None for a new feature): promoted after the votes.
PROMOTIONS = [
    ("SHOP", "Export orders to CSV", None),
    ("SHOP", "Gift cards", "Gift cards"),
    ("SHOP", "Abandoned cart emails", None),
    ("SHOP", "Wishlists for shoppers", "Wishlist for shoppers"),
    ("SHOP", "Multi-currency prices", "Prices in the shopper's currency"),
    ("MOB", "Apple Pay in the app", "Apple Pay in the app"),
    ("MOB", "Offline mode for browsing", "Offline product browsing"),
    ("MOB", "Dark mode", "Dark mode"),
    ("MOB", "Apple Watch order updates", "Order notifications on Apple Watch"),
    ("PAY", "Instant payouts to debit cards", "Instant payouts to debit cards"),
    ("PAY", "Payout schedule we choose", "Payout schedule per merchant"),
    ("PAY", "Payouts in euros and pounds", "Payouts in GBP and CHF"),
    ("INS", "Scheduled email reports", None),
    ("INS", "Cohort retention chart", None),
]
# Statuses of a few ideas besides those promoted (which become planned), with public notes.
STATUSES = [
    ("SHOP", "Dark mode for the admin", Idea.Status.DECLINED, "Not for now: we are focusing on the shop itself."),
    ("SHOP", "Blog on the storefront", Idea.Status.DECLINED, "Most shops already blog elsewhere; we link to it."),
    ("SHOP", "Low stock alerts", Idea.Status.SHIPPED, "Out now: set a threshold per product in Inventory."),
    ("SHOP", "Product reviews with photos", Idea.Status.UNDER_REVIEW, ""),
    ("SHOP", "Returns portal for shoppers", Idea.Status.UNDER_REVIEW, ""),
    ("MOB", "Sign in with Apple", Idea.Status.SHIPPED, "Shipped in the 3.4 app update."),
    ("MOB", "Tablet layout", Idea.Status.UNDER_REVIEW, ""),
    ("MOB", "Augmented reality preview of furniture", Idea.Status.DECLINED, "Too few furniture shops for now."),
    ("PAY", "Tap to pay on iPhone", Idea.Status.UNDER_REVIEW, ""),
    ("INS", "Benchmarks against similar shops", Idea.Status.UNDER_REVIEW, ""),
    ("INS", "Mobile app for insights", Idea.Status.DECLINED, "The web dashboard works well on phones now."),
]
NOTE_OPENERS = {
    FeedbackNote.Source.CALL: "On our quarterly call, {name} said:",
    FeedbackNote.Source.EMAIL: "{name} wrote in:",
    FeedbackNote.Source.SUPPORT_TICKET: "Support ticket from {name}:",
    FeedbackNote.Source.SALES: "From the renewal conversation with {name}:",
    FeedbackNote.Source.PORTAL: "{name} commented on the portal:",
    FeedbackNote.Source.SURVEY: "In the satisfaction survey, {name} answered:",
}
NOTE_ASKS = [
    "We really need {topic}. {detail}",
    "Is {topic} on your roadmap? {detail}",
    "Without {topic} we may have to look at other tools. {detail}",
    "Our team keeps asking about {topic}. {detail}",
    "{detail} Honestly {topic} would save us hours every week.",
]
PORTALS = ("SHOP", "MOB")


def _revenue(rng: random.Random) -> Decimal:
    """A long tail: a few accounts above a million, most below 30k."""
    value = min(2_400_000, 4_000 * rng.paretovariate(0.9))
    return Decimal(round(value, -2))


def _segment(revenue: Decimal) -> str:
    if revenue >= 250_000:
        return Customer.Segment.ENTERPRISE
    if revenue >= 40_000:
        return Customer.Segment.MID_MARKET
    return Customer.Segment.SMB


def _at(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(11)))


class _Seeder:
    def __init__(self, workspace: Workspace, today: date) -> None:
        self.workspace = workspace
        self.today = today
        self.rng = random.Random(SEED)
        self.admin = User.objects.get(email=DEMO_EMAIL)
        self.members = list(User.objects.filter(memberships__workspace=workspace).order_by("email"))
        self.products = {p.key: p for p in workspace.products.filter(key__in=IDEAS).order_by("key")}

    def customers(self) -> list[tuple[Customer, list[Contact]]]:
        made = []
        for index, name in enumerate(COMPANIES[:CUSTOMER_COUNT]):
            revenue = _revenue(self.rng)
            segment = _segment(revenue)
            domain = name.lower().replace(" & ", "and").replace(" ", "") + ".test"
            owner = self.members[index % len(self.members)]
            customer = services.customer_create(
                actor=self.admin, workspace=self.workspace, name=name, domain=domain, segment=segment,
                plan=PLANS[segment], annual_revenue=revenue, owner=owner)
            contacts = []
            for _ in range(self.rng.choice((1, 2, 2, 3, 4))):
                first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
                email = f"{first}.{last}@{domain}".lower()
                if Contact.objects.filter(workspace=self.workspace, email=email).exists():
                    continue
                contacts.append(services.contact_create(actor=self.admin, customer=customer, name=f"{first} {last}",
                                                        email=email))
            made.append((customer, contacts))
        return made

    def ideas(self, contacts: list[Contact]) -> dict[tuple[str, str], Idea]:
        ideas = {}
        for key, specs in IDEAS.items():
            product = self.products.get(key)
            if product is None:
                continue
            for title, category, description in specs:
                public = key in PORTALS and self.rng.random() < 0.75
                contact = self.rng.choice(contacts) if self.rng.random() < 0.4 else None
                ideas[key, title] = services.idea_create(
                    actor=self.admin, product=product, title=title, description=description, category=category,
                    visibility=Idea.Visibility.PUBLIC if public else Idea.Visibility.INTERNAL,
                    submitted_by_contact=contact)
        return ideas

    def portal_users(self, contacts: list[Contact]) -> dict[str, list[PortalUser]]:
        users: dict[str, list[PortalUser]] = {}
        for key in PORTALS:
            product = self.products.get(key)
            if product is None:
                continue
            services.portal_settings_update(actor=self.admin, product=product, enabled=True,
                                            title=f"{product.name} ideas",
                                            welcome="Tell us what would make your shop better, and vote for "
                                                    "the ideas you want most.")
            # Some portal users are known contacts (their votes weigh in their customer's revenue).
            known = self.rng.sample(contacts, 15)
            people = [(c.email, c.name) for c in known]
            people += [(f"shopper{i}@{key.lower()}-fans.test", "") for i in range(25)]
            users[key] = [services.portal_user_sign_in(product=product, email=email, name=name)
                          for email, name in people]
        return users

    def votes(self, ideas: dict[tuple[str, str], Idea], contacts: list[Contact],
              portal_users: dict[str, list[PortalUser]]) -> None:
        """1,500 votes, written at once (1,500 service calls would each queue a recount of their
        feature): each person once per idea, as the unique constraint demands, and then every
        idea's counters recomputed by the services' own SQL."""
        keys = list(ideas)
        # Popularity follows a power law: a few ideas collect most of the votes.
        weights = [1 / (rank + 1) ** 0.8 for rank in range(len(keys))]
        self.rng.shuffle(weights)
        cast: dict[tuple[int, str], Vote] = {}
        while len(cast) < VOTE_TARGET:
            key, title = self.rng.choices(keys, weights)[0]
            idea = ideas[key, title]
            roll = self.rng.random()
            if roll < 0.55:
                voter = {"contact": self.rng.choice(contacts), "recorded_by": self.admin}
            elif roll < 0.85 and idea.visibility == Idea.Visibility.PUBLIC and portal_users.get(key):
                voter = {"portal_user": self.rng.choice(portal_users[key])}
            else:
                voter = {"user": self.rng.choice(self.members)}
            person = voter_key(**{name: value for name, value in voter.items() if name != "recorded_by"})
            cast.setdefault((idea.pk, person), Vote(idea=idea, voter_key=person, **voter))
        Vote.objects.bulk_create(cast.values(), batch_size=1000)
        services.ideas_recount(idea_ids=[idea.pk for idea in ideas.values()])

    def notes(self, ideas: dict[tuple[str, str], Idea], customers: list[tuple[Customer, list[Contact]]]) -> None:
        keys = list(ideas)
        sources = list(NOTE_OPENERS)
        for index in range(NOTE_COUNT):
            customer, contacts = self.rng.choice(customers)
            contact = self.rng.choice(contacts) if contacts else None
            key, title = self.rng.choice(keys)
            idea = ideas[key, title]
            source = sources[index % len(sources)]
            topic = title[0].lower() + title[1:]
            detail = idea.description
            ask = self.rng.choice(NOTE_ASKS).format(topic=topic, detail=detail)
            opener = NOTE_OPENERS[source].format(name=contact.name if contact else customer.name)
            text = f"{opener} “{ask}”"
            days_ago = int(self.rng.triangular(0, 180, 20))
            # The newest third waits in the triage inbox, unlinked; the rest was triaged.
            triaged = days_ago > 25 or self.rng.random() < 0.3
            note = services.note_create(
                actor=self.admin, product=idea.product, text=text, date=self.today - timedelta(days=days_ago),
                source=source, customer=customer, contact=contact, highlight=topic if topic in text else "",
                ideas=[idea] if triaged else [])
            if triaged:
                services.note_process(actor=self.admin, note=note)

    def merges(self, ideas: dict[tuple[str, str], Idea]) -> None:
        for key, duplicate, original in DUPLICATES:
            if (key, duplicate) in ideas and (key, original) in ideas:
                services.idea_merge(actor=self.admin, idea=ideas[key, duplicate], into=ideas[key, original])

    def promotions(self, ideas: dict[tuple[str, str], Idea]) -> None:
        for key, title, feature_title in PROMOTIONS:
            if (key, title) not in ideas:
                continue
            feature = Feature.objects.filter(product=self.products[key], title=feature_title).first() \
                if feature_title else None
            services.idea_promote(actor=self.admin, idea=ideas[key, title], feature=feature)
        for key, title, status, note in STATUSES:
            if (key, title) in ideas:
                services.idea_status_set(actor=self.admin, idea=ideas[key, title], status=status, note=note)

    def comments(self, ideas: dict[tuple[str, str], Idea]) -> None:
        lines = [("Support hears this one every week.", "internal"),
                 ("Thanks for all the votes: we are looking into it.", "public"),
                 ("Sales lost a deal over this last quarter.", "internal"),
                 ("Could you tell us more about how you would use it?", "public")]
        for idea in list(ideas.values())[::9]:
            body, visibility = self.rng.choice(lines)
            idea.refresh_from_db()
            if not idea.merged_into_id:
                services.idea_comment_create(actor=self.rng.choice(self.members), idea=idea, body=body,
                                             visibility=visibility)

    def backdate(self) -> None:
        """Spread the ideas over the last eight months and each idea's votes between its
        submission and today, most of them recent (they were all made just now)."""
        ideas = list(Idea.objects.filter(workspace=self.workspace).order_by("pk").only("pk"))
        age = {}
        for idea in ideas:
            age[idea.pk] = self.rng.randint(20, 240)
            idea.created_at = _at(self.today - timedelta(days=age[idea.pk]))
        Idea.objects.bulk_update(ideas, ["created_at"], batch_size=1000)
        votes = list(Vote.objects.filter(idea__workspace=self.workspace).order_by("pk").only("pk", "idea_id"))
        for vote in votes:
            days = age[vote.idea_id]
            vote.created_at = _at(self.today - timedelta(days=int(self.rng.triangular(0, days, min(10, days)))))
        Vote.objects.bulk_update(votes, ["created_at"], batch_size=1000)


@transaction.atomic
def seed_feedback(workspace: Workspace, *, today: date | None = None) -> None:
    """Add the demo customers, ideas, votes and notes, unless the workspace has customers already."""
    if Customer.objects.filter(workspace=workspace).exists():
        return
    seeder = _Seeder(workspace, today or timezone.localdate())
    if not seeder.products:
        return
    customers = seeder.customers()
    contacts = [contact for _customer, people in customers for contact in people]
    ideas = seeder.ideas(contacts)
    portal_users = seeder.portal_users(contacts)
    seeder.votes(ideas, contacts, portal_users)
    seeder.notes(ideas, customers)
    seeder.merges(ideas)
    seeder.promotions(ideas)
    seeder.comments(ideas)
    seeder.backdate()
