"""The demo workspace's delivery plan: for each product of Northwind Labs, eight releases from
six months ago to nine months ahead with milestones, about 150 features across the workflow,
their requirements, dependencies between them and a few comments.

Every record is written through the services by the demo admin, except the comments, which
their authors write. Dates are relative to today: past releases are released, the one under
way is in progress, later ones are planned. The only direct writes backdate the features'
history, so the burn-up of a release shows the weeks it ran rather than the second of
seeding, and the demo admin's notifications, and mark the seeding's emails as sent.

Three launched features carry the usage keys of the demo's usage events (seeded by roadmap):
"csv-export" (INS "Export reports to CSV", release Launch 1.0), "dark-mode" (MOB "Dark mode",
release Saved carts 3.1) and "offline-sync" (MOB "Offline product browsing", release Faster app
3.2). Seeding ends by computing each product's delivery snapshots.

The plan holds four deliberate conflicts, so the warnings have something to show: a feature
ending after its release (SHOP), a release over capacity (SHOP "Guided setup"), an unfinished
feature in a released release (SHOP "Checkout foundations") and a feature ending before the
feature it depends on (INS "Anomaly alerts on sales drops").

The demo admin's inbox holds a few notifications from teammates (mentions in comments,
assignments, status changes of features they follow), some read; seeding marks every
notification it caused as already emailed, so seeding never sends mail.

Idempotent: a product that already has releases or features is left as it is, so seeding twice
changes nothing."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from strategy.demo import DEMO_EMAIL
from strategy.models import Initiative, Product, User, Workspace

from . import demo_launch, services
from .models import Dependency, Feature, Mention, Notification, Release, StatusCategory, WorkflowStatus

CADENCE = 57  # days from one release's start to the next one's

# Per product: the day (from today) its first demo release starts, so that the current
# releases are at different points of their run.
FIRST_START = {"SHOP": -200, "MOB": -185, "PAY": -215, "INS": -190}

BETA = {"SHOP": "Beta with 20 shops", "MOB": "TestFlight beta", "PAY": "Pilot merchants live",
        "INS": "Beta with agencies"}

PEOPLE = ["priya@waymark.test", "mateo@waymark.test", "jordan@waymark.test", "sofia@waymark.test",
          "chris@waymark.test", DEMO_EMAIL]
LEAD = {"SHOP": "priya@waymark.test", "MOB": "mateo@waymark.test", "PAY": "priya@waymark.test",
        "INS": "chris@waymark.test"}

IMPACTS = [Decimal("0.5"), Decimal(1), Decimal(1), Decimal(2), Decimal(2), Decimal(3)]
REACHES = [300, 800, 1500, 2500, 4000, 6000, 9000, 15000]
CONFIDENCES = [50, 80, 80, 100]

REQUIREMENTS = {
    "checkout": ["Works with guest checkout", "Conversion tracked for every step",
                 "Order confirmation email updated", "Keeps the cart when payment fails"],
    "payments": ["Refunds and partial refunds handled", "PCI scope unchanged",
                 "Reconciles with the payouts report", "Declines explained to the shopper"],
    "payouts": ["Failed payouts retried and reported", "Shown in the payouts report",
                "Merchant notified by email"],
    "mobile": ["Same behaviour on iOS and Android", "Deep links open the right screen",
               "Works on a slow connection"],
    "notifications": ["Respects quiet hours", "Opt-out in one tap", "Open rate tracked per offer"],
    "performance": ["p75 load under 1.5 s on 4G", "Load-tested at twice the holiday peak",
                    "No layout shift while loading"],
    "onboarding": ["Can be skipped and resumed", "Measured in the activation funnel",
                   "Help centre article"],
    "search": ["Results in under 200 ms", "Handles German and Dutch plurals", "Zero-result searches logged"],
    "analytics": ["Numbers match the orders export", "Explained in a tooltip", "Updated every hour"],
    "international": ["Prices rounded the local way", "Translated into German, Dutch and French"],
    "compliance": ["Reviewed by legal", "Audit log entry for every change"],
}
GENERIC_REQUIREMENTS = ["Behind a feature flag for a gradual rollout", "Usable by keyboard and screen reader",
                        "Help centre article updated", "Release note written"]


@dataclass(frozen=True)
class F:
    """A demo feature. `status` None means: what its release's phase suggests."""

    title: str
    estimate: int | None
    tags: tuple[str, ...] = ()
    status: str | None = None
    initiative: str | None = None
    description: str = ""
    ends_late: int = 0  # days after the release date the feature is planned to end
    requirements: tuple[str, ...] | None = None  # None: picked from its tags
    added_late: bool = False  # joined the release after it started (scope change)
    usage_key: str = ""  # the feature key of the demo's usage events (roadmap seeds them)


@dataclass(frozen=True)
class R:
    name: str
    version: str
    theme: str
    features: tuple[F, ...]
    capacity: int | None = None  # None: the planned estimate with some room to spare


@dataclass
class Plan:
    releases: list[R]
    backlog: list[F] = field(default_factory=list)


CHECKOUT = "One-page checkout"
SETUP = "Guided store setup"
PUSH = "Personalised push offers"
CARTS = "Saved carts across devices"
INSTANT = "Instant payouts"
BENCHMARKS = "Merchant benchmarks"

PLANS: dict[str, Plan] = {
    "SHOP": Plan(
        releases=[
            R("Faster storefront", "4.8", "Pages that load fast on any phone, with any catalogue.", (
                F("Image CDN with automatic WebP", 5, ("performance",)),
                F("Lazy-load product images below the fold", 3, ("performance",)),
                F("Cache category pages at the edge", 8, ("performance",)),
                F("Lighthouse score in the theme editor", 3, ("performance", "themes"), status="Won't do",
                  description="Dropped: the score moved around too much between runs to guide merchants."),
            )),
            R("Search that finds", "4.9", "Shoppers find the product on the first try.", (
                F("Typo-tolerant product search", 8, ("search",)),
                F("Search synonyms managed by merchants", 5, ("search",)),
                F("Filter by size, colour and price", 8, ("search",)),
                F("Zero-results page with suggestions", 3, ("search",)),
            )),
            R("Checkout foundations", "5.0", "The groundwork for the one-page checkout.", (
                F("Address autocomplete", 5, ("checkout",), initiative=CHECKOUT),
                F("Show shipping costs in the cart", 3, ("checkout",), initiative=CHECKOUT,
                  description="Unexpected shipping costs are the first reason shoppers give for leaving."),
                F("Guest checkout without an account", 5, ("checkout",), initiative=CHECKOUT),
                F("Saved addresses for returning customers", 5, ("checkout",), status="In review",
                  initiative=CHECKOUT,
                  description="Still in review when 5.0 shipped: the address book migration needs another pass."),
            )),
            R("One-page checkout", "5.1", "Address, delivery and payment on one page.", (
                F("One-page checkout layout", 13, ("checkout",), status="In development", initiative=CHECKOUT,
                  description="Address, delivery and payment on **one page**, with a summary that stays in "
                              "view.\n\n- Collapses finished steps\n- Keeps what was typed when the shopper "
                              "goes back",
                  requirements=("Works with guest checkout", "Keeps the cart when payment fails",
                                "Conversion tracked for every step", "Usable by keyboard and screen reader")),
                F("iDEAL and Bancontact at checkout", 8, ("checkout", "payments"), status="Shipped",
                  initiative=CHECKOUT),
                F("Inline card validation", 3, ("checkout",), status="Shipped", initiative=CHECKOUT),
                F("Express checkout with Apple Pay and Google Pay", 8, ("checkout", "payments"), status="In design",
                  initiative=CHECKOUT, ends_late=10,
                  description="Waits for wallet payments in Northwind Pay; planned to finish ten days after "
                              "5.1 ships."),
                F("Checkout funnel analytics", 3, ("checkout", "analytics"), status="In review",
                  added_late=True),
            )),
            R("Guided setup", "5.2", "A new shop makes its first sale in its first week.", (
                F("Store setup checklist", 8, ("onboarding",), status="In design", initiative=SETUP,
                  requirements=("Can be skipped and resumed", "Measured in the activation funnel",
                                "Ticks itself off as the merchant goes")),
                F("Sample products for new shops", 5, ("onboarding",), initiative=SETUP),
                F("Theme picker with live preview", 8, ("onboarding", "themes"), initiative=SETUP),
                F("Import products from CSV", 8, ("onboarding",), initiative=SETUP),
            ), capacity=20),
            R("Holiday readiness", "5.3", "Promotions and headroom for the busiest weeks of the year.", (
                F("Discount codes with usage limits", 5, ("promotions",)),
                F("Gift cards", 8, ("promotions",)),
                F("Queue page for traffic spikes", 5, ("performance",)),
                F("Back-in-stock emails", 3, ("growth",)),
                F("Free shipping threshold banner", 2, ("promotions", "checkout")),
            )),
            R("Sell abroad", "5.4", "Prices, taxes and language for shoppers in other countries.", (
                F("Prices in the shopper's currency", 13, ("international",), initiative=CHECKOUT),
                F("VAT rates per destination country", 8, ("international", "compliance")),
                F("Translated storefront in German, Dutch and French", 8, ("international",)),
            )),
            R("Themes 2.0", "6.0", "Themes merchants can make their own without code.", (
                F("Section-based theme editor", 13, ("themes",)),
                F("Theme marketplace reviews", 5, ("themes",)),
                F("Custom fonts in themes", 2, ("themes",)),
            )),
        ],
        backlog=[
            F("Product bundles", 8, ("merchandising",), status="Backlog"),
            F("Recently viewed products", 3, ("growth",), status="Backlog"),
            F("Product reviews with photos", 8, ("growth",), status="Backlog"),
            F("Subscription products", 13, ("payments",), status="Backlog"),
            F("Wishlist for shoppers", None, ("growth",), status="Idea"),
            F("Product comparison table", None, ("search",), status="Idea"),
            F("B2B price lists", 13, ("pricing",), status="Idea"),
            F("Store pickup option at checkout", 5, ("checkout",), status="Idea"),
        ],
    ),
    "MOB": Plan(
        releases=[
            R("Push offers", "3.0", "Offers each shopper actually wants to open.", (
                F("Personalised push offers pilot", 8, ("mobile", "notifications"), initiative=PUSH),
                F("Quiet hours for notifications", 3, ("notifications",), initiative=PUSH),
                F("Push offer A/B testing", 5, ("notifications",), initiative=PUSH),
                F("Rich push with product images", 3, ("notifications",), initiative=PUSH),
            )),
            R("Saved carts", "3.1", "Nothing a shopper picked gets lost.", (
                F("Saved carts on the device", 5, ("mobile",)),
                F("Back-in-stock alerts", 5, ("notifications",), initiative=PUSH),
                F("Offer inbox", 3, ("notifications",), initiative=PUSH),
                F("Dark mode", 5, ("mobile",), usage_key="dark-mode"),
                F("Shake to report a bug", 2, ("mobile",), status="Won't do"),
            )),
            R("Faster app", "3.2", "Open, browse and buy without waiting.", (
                F("Cold start under 2 seconds", 8, ("performance", "mobile")),
                F("Image caching on the device", 3, ("performance",)),
                F("Offline product browsing", 8, ("mobile",), usage_key="offline-sync"),
                F("Personalised offers for all shops", 5, ("notifications",), initiative=PUSH),
            )),
            R("Cart everywhere", "3.3", "A cart started on the web continues in the app, and back.", (
                F("Cart sync between web and app", 13, ("mobile", "checkout"), status="In development",
                  initiative=CARTS,
                  description="One cart per shopper across web and app, updated within seconds.",
                  requirements=("Same behaviour on iOS and Android", "Works on a slow connection",
                                "Conflicts resolved by the latest change", "Behind a feature flag for a "
                                "gradual rollout")),
                F("Sign in with a magic link", 5, ("mobile", "onboarding"), status="Shipped", initiative=CARTS),
                F("Merge carts on sign-in", 5, ("checkout",), status="In design", initiative=CARTS),
                F("Cart reminder push after 24 hours", 3, ("notifications",), status="Planned", initiative=CARTS),
                F("Accessibility pass on product pages", 3, ("accessibility",), status="Shipped"),
            )),
            R("Pay with a tap", "3.4", "Wallets and saved cards through Northwind Pay.", (
                F("Apple Pay in the app", 8, ("payments", "checkout")),
                F("Google Pay in the app", 5, ("payments", "checkout")),
                F("Saved cards with Northwind Pay", 8, ("payments",),
                  description="Cards saved once in Northwind Pay work in every shop's app."),
                F("Order tracking screen", 5, ("mobile",)),
            )),
            R("Discover", "3.5", "New reasons to open the app every week.", (
                F("Home feed of new arrivals", 8, ("mobile", "growth")),
                F("Visual search from a photo", 13, ("search",), status="In design"),
                F("Follow a shop", 5, ("growth",)),
                F("Trending near you", 5, ("growth", "mobile")),
            )),
            R("Loyalty", "4.0", "Reward the shoppers who come back.", (
                F("Loyalty points in the app", 13, ("growth",)),
                F("Referral codes", 5, ("growth",)),
                F("Home-screen widget with offers", 5, ("mobile",)),
            )),
            R("Tablet", "4.1", "A layout made for bigger screens.", (
                F("Tablet layout", 8, ("mobile",)),
                F("In-app chat with the shop", 8, ("support",)),
            )),
        ],
        backlog=[
            F("Share a cart with a friend", 3, ("growth",), status="Backlog"),
            F("Shop-the-look collections", 5, ("merchandising",), status="Backlog"),
            F("Biometric sign-in", 3, ("mobile",), status="Backlog"),
            F("Augmented reality product preview", 13, ("mobile",), status="Idea"),
            F("Order notifications on Apple Watch", None, ("notifications",), status="Idea"),
            F("Voice search", None, ("search",), status="Idea"),
            F("Home-screen widgets for Android", 3, ("mobile",), status="Idea"),
        ],
    ),
    "PAY": Plan(
        releases=[
            R("Private beta", "0.5", "Ten merchants take card payments through Pay.", (
                F("Card payments through Northwind Pay", 13, ("payments",)),
                F("Merchant onboarding with KYC checks", 8, ("payments", "onboarding", "compliance")),
                F("Daily payouts to a bank account", 8, ("payouts",)),
                F("Payments dashboard", 5, ("payments", "analytics")),
            )),
            R("Local methods", "0.6", "The payment methods shoppers in the Benelux expect.", (
                F("iDEAL payments", 5, ("payments",)),
                F("SEPA Direct Debit", 8, ("payments",)),
                F("Bancontact payments", 3, ("payments",)),
                F("Klarna buy now, pay later", 8, ("payments",), status="Won't do",
                  description="Postponed: the partner contract is not signed yet."),
            )),
            R("Reconciliation", "0.7", "Payouts that match orders, without a spreadsheet.", (
                F("Payouts matched to orders", 8, ("payouts",)),
                F("Refunds from the order page", 5, ("payments",)),
                F("IBAN validation at onboarding", 2, ("payouts", "onboarding")),
                F("Retry payouts on bank timeouts", 3, ("payouts",)),
            )),
            R("Instant payouts beta", "0.8", "Payouts within minutes of an order.", (
                F("Instant payouts to debit cards", 13, ("payouts",), status="In development", initiative=INSTANT,
                  description="Pushes a payout to the merchant's debit card within minutes, for a 1 % fee.",
                  requirements=("Failed payouts retried and reported", "Merchant notified by email",
                                "Daily limit per merchant", "Shown in the payouts report")),
                F("Instant payout fee settings", 3, ("payouts",), status="Shipped", initiative=INSTANT),
                F("Payout schedule per merchant", 5, ("payouts",), status="Shipped", initiative=INSTANT),
                F("Wallet payments (Apple Pay, Google Pay)", 8, ("payments",), status="In review"),
                F("3-D Secure 2 exemptions", 5, ("payments", "compliance"), status="In development",
                  added_late=True),
            )),
            R("Disputes", "0.9", "Chargebacks handled next to the order.", (
                F("Dispute inbox", 8, ("payments",)),
                F("Evidence upload for chargebacks", 5, ("payments",)),
                F("Fraud rules per merchant", 8, ("payments", "risk"), status="In design"),
                F("Chargeback notifications", 2, ("payments", "notifications")),
            )),
            R("General availability", "1.0", "Pay for every Northwind merchant.", (
                F("Self-serve Pay onboarding", 8, ("onboarding", "payments"), initiative=INSTANT),
                F("Fee table in merchant settings", 3, ("payments",)),
                F("Pay on every Northwind plan", 5, ("payments",)),
                F("Monthly fee invoices", 5, ("billing",)),
            )),
            R("Multi-currency payouts", "1.1", "Payouts in the merchant's own currency.", (
                F("Payouts in GBP and CHF", 8, ("payouts", "international")),
                F("FX rates shown before a payout", 3, ("payouts", "international")),
                F("Split payouts across bank accounts", 5, ("payouts",)),
            )),
            R("Terminal", "1.2", "Sell in person at markets and pop-up shops.", (
                F("Tap to pay on iPhone", 13, ("payments", "mobile")),
                F("Card reader pairing", 8, ("payments",)),
                F("In-person sales in the order list", 3, ("payments",)),
            )),
        ],
        backlog=[
            F("Payment links by email", 3, ("payments",), status="Backlog"),
            F("Recurring payments for subscriptions", 8, ("payments",), status="Backlog"),
            F("Payout reports as CSV", 2, ("payouts",), status="Backlog"),
            F("Merchant cash advances", 13, ("payments",), status="Idea"),
            F("Split payments for marketplaces", 13, ("payments", "payouts"), status="Idea"),
            F("Crypto payments", 8, ("payments",), status="Won't do",
              description="Not for our merchants: almost no demand and a heavy compliance burden."),
        ],
    ),
    "INS": Plan(
        releases=[
            R("Beta", "0.9", "The first reports for twenty beta shops.", (
                F("Sales overview dashboard", 8, ("analytics",)),
                F("Top products report", 3, ("analytics",)),
                F("Traffic sources report", 5, ("analytics",)),
                F("Weekly summary email", 3, ("analytics", "email")),
            )),
            R("Launch", "1.0", "Insights as a paid add-on.", (
                F("Customer cohorts", 8, ("analytics",)),
                F("Repeat purchase rate", 3, ("analytics",)),
                F("Insights add-on billing", 5, ("billing",)),
                F("Export reports to CSV", 2, ("analytics",), usage_key="csv-export"),
            )),
            R("Funnels", "1.1", "Where shoppers drop off, step by step.", (
                F("Checkout funnel report", 8, ("analytics", "checkout")),
                F("Product page conversion", 5, ("analytics",)),
                F("Campaign UTM tracking", 5, ("analytics", "marketing")),
                F("Search terms report", 3, ("analytics", "search")),
            )),
            R("Advice", "1.2", "Tell every merchant what to do next, every Monday.", (
                F("Plain-language weekly advice", 8, ("analytics", "email"), status="In development",
                  description="Three suggestions a week, each with the number behind it and a link to act.",
                  requirements=("Explained in a tooltip", "Suggestions link to the page to act on",
                                "Unsubscribe in one click")),
                F("Anomaly alerts on sales drops", 8, ("analytics", "alerts"), status="In design",
                  description="Alerts when sales fall well below the forecast for the day."),
                F("Goals for merchants", 5, ("analytics",), status="Shipped"),
                F("Mobile app sales in reports", 3, ("analytics", "mobile"), status="Shipped"),
            )),
            R("Benchmarks", "1.3", "Compare with similar shops.", (
                F("Benchmarks against similar shops", 13, ("analytics",), initiative=BENCHMARKS),
                F("Peer group selection", 5, ("analytics",), initiative=BENCHMARKS),
                F("Benchmark privacy thresholds", 3, ("analytics", "compliance"), initiative=BENCHMARKS),
            )),
            R("Forecasts", "1.4", "What the next ninety days will bring.", (
                F("Sales forecast for the next 90 days", 13, ("analytics",)),
                F("Stock-out predictions", 8, ("analytics",)),
                F("Seasonality in forecasts", 5, ("analytics",)),
            )),
            R("Agencies", "1.5", "Reports that freelancers can hand to their clients.", (
                F("Multi-shop reports for agencies", 8, ("analytics",)),
                F("Scheduled PDF reports", 5, ("analytics",)),
                F("Client-ready report branding", 3, ("analytics",)),
                F("Read-only access for clients", 3, ("analytics",)),
            )),
            R("Data", "2.0", "Take the numbers anywhere.", (
                F("Data warehouse export", 8, ("analytics",)),
                F("Custom metrics", 8, ("analytics",)),
                F("Public API for reports", 8, ("analytics", "api")),
            )),
        ],
        backlog=[
            F("Customer lifetime value", 8, ("analytics",), status="Backlog"),
            F("Return rate report", 3, ("analytics",), status="Backlog"),
            F("Cohort retention heatmap", 5, ("analytics",), status="Backlog"),
            F("Slack notifications", 3, ("alerts",), status="Backlog"),
            F("Ad spend import from social channels", None, ("analytics", "marketing"), status="Idea"),
            F("Net promoter score surveys", 5, ("analytics",), status="Idea"),
        ],
    ),
}

# (product key, feature title) depends on (product key, feature title)
DEPENDENCIES = [
    (("SHOP", "Express checkout with Apple Pay and Google Pay"), ("PAY", "Wallet payments (Apple Pay, Google Pay)")),
    (("SHOP", "One-page checkout layout"), ("SHOP", "Address autocomplete")),
    (("SHOP", "Checkout funnel analytics"), ("SHOP", "One-page checkout layout")),
    (("SHOP", "iDEAL and Bancontact at checkout"), ("PAY", "iDEAL payments")),
    (("SHOP", "Sample products for new shops"), ("SHOP", "Import products from CSV")),
    (("SHOP", "Store setup checklist"), ("SHOP", "Theme picker with live preview")),
    (("SHOP", "Prices in the shopper's currency"), ("SHOP", "VAT rates per destination country")),
    (("SHOP", "Theme marketplace reviews"), ("SHOP", "Section-based theme editor")),
    (("MOB", "Merge carts on sign-in"), ("MOB", "Cart sync between web and app")),
    (("MOB", "Cart reminder push after 24 hours"), ("MOB", "Cart sync between web and app")),
    (("MOB", "Cart sync between web and app"), ("MOB", "Sign in with a magic link")),
    (("MOB", "Apple Pay in the app"), ("PAY", "Wallet payments (Apple Pay, Google Pay)")),
    (("MOB", "Google Pay in the app"), ("PAY", "Wallet payments (Apple Pay, Google Pay)")),
    (("MOB", "Saved cards with Northwind Pay"), ("PAY", "Card payments through Northwind Pay")),
    (("MOB", "Loyalty points in the app"), ("MOB", "Follow a shop")),
    (("PAY", "Instant payouts to debit cards"), ("PAY", "Payout schedule per merchant")),
    (("PAY", "Evidence upload for chargebacks"), ("PAY", "Dispute inbox")),
    (("PAY", "Self-serve Pay onboarding"), ("PAY", "Merchant onboarding with KYC checks")),
    (("PAY", "Payouts in GBP and CHF"), ("PAY", "FX rates shown before a payout")),
    (("INS", "Benchmarks against similar shops"), ("INS", "Peer group selection")),
    (("INS", "Benchmark privacy thresholds"), ("INS", "Peer group selection")),
    (("INS", "Stock-out predictions"), ("INS", "Sales forecast for the next 90 days")),
    # Deliberate conflict: the alerts compare sales with a forecast that comes two releases later.
    (("INS", "Anomaly alerts on sales drops"), ("INS", "Sales forecast for the next 90 days")),
    (("INS", "Mobile app sales in reports"), ("MOB", "Saved carts on the device")),
]

# (product key, feature title, author email, body)
COMMENTS = [
    ("SHOP", "One-page checkout layout", "priya@waymark.test",
     "Usability tests with six shoppers: all finished the checkout, two missed the delivery options. "
     "Moving them above the fold."),
    ("SHOP", "One-page checkout layout", "jordan@waymark.test",
     "The summary panel re-renders on every keystroke; fixed in the branch, **p75 down to 1.4 s**."),
    ("SHOP", "Express checkout with Apple Pay and Google Pay", "chris@waymark.test",
     "This ends after 5.1 ships. Either we wait for wallets in Pay or we move it to 5.2."),
    ("SHOP", "Saved addresses for returning customers", "sofia@waymark.test",
     "Migration script handles 98 % of address books; the rest have addresses without a country."),
    ("MOB", "Cart sync between web and app", "mateo@waymark.test",
     "Last change wins for now. We will revisit merging quantities after the beta."),
    ("MOB", "Saved cards with Northwind Pay", "priya@waymark.test",
     "Shoppers will only see this in shops that use Pay; the app should hide it elsewhere."),
    ("PAY", "Instant payouts to debit cards", "jordan@waymark.test",
     "Card network certification booked for the last week of the release."),
    ("PAY", "Wallet payments (Apple Pay, Google Pay)", "sofia@waymark.test",
     "Domain verification for Apple Pay works for custom shop domains too."),
    ("INS", "Plain-language weekly advice", "chris@waymark.test",
     "First drafts read well. Keep each suggestion under 30 words."),
    ("INS", "Anomaly alerts on sales drops", "mateo@waymark.test",
     "Could the app send these as push notifications too?"),
    ("INS", "Anomaly alerts on sales drops", "priya@waymark.test",
     "These need the forecast, which only lands in 1.4. Ship a simple week-over-week rule first?"),
]


# --- seeding ----------------------------------------------------------------


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour, 15), tzinfo=timezone.get_current_timezone())


def _release_status(start: date, end: date, today: date) -> str:
    if end < today:
        return Release.Status.RELEASED
    if start <= today:
        return Release.Status.IN_PROGRESS
    return Release.Status.PLANNED


def _statuses(workspace: Workspace) -> dict[str, WorkflowStatus]:
    """The demo's status names mapped to the workspace's statuses; a renamed status is found by its category."""
    active = list(WorkflowStatus.objects.filter(workspace=workspace, retired_at__isnull=True))
    if not active:
        active = [s for s in services.workflow_defaults_create(workspace=workspace) if not s.retired_at]
    by_name = {s.name.lower(): s for s in active}
    first_of = {}
    for status in active:
        first_of.setdefault(status.category, status)
    result = {}
    for name, category in services.DEFAULT_WORKFLOW:
        result[name] = by_name.get(name.lower()) or first_of.get(category) or active[0]
    return result


def _phase_status(spec: F, phase: str, index_after_current: int) -> str:
    if spec.status:
        return spec.status
    if phase == Release.Status.RELEASED:
        return "Shipped"
    if phase == Release.Status.IN_PROGRESS:
        return "Planned"
    return "Planned" if index_after_current <= 2 else "Backlog"


def _rice(rng: random.Random, spec: F) -> dict:
    if spec.estimate is None or rng.random() < 0.12:
        return {}
    return {"reach": rng.choice(REACHES), "impact": rng.choice(IMPACTS), "confidence": rng.choice(CONFIDENCES),
            "effort": max(Decimal("0.5"), (Decimal(spec.estimate) / 4).quantize(Decimal("0.1")))}


def _requirements(rng: random.Random, spec: F) -> list[str]:
    if spec.requirements is not None:
        return list(spec.requirements)
    if rng.random() < 0.35:
        return []
    pool = [text for tag in spec.tags for text in REQUIREMENTS.get(tag, [])]
    pool += [text for text in GENERIC_REQUIREMENTS if text not in pool]
    return rng.sample(list(dict.fromkeys(pool)), rng.randint(2, 4))


def _backdate(plans: dict[int, list[date]]) -> None:
    """Date the versions of each feature in `plans` (feature id -> days): its first version on
    the first day, and each change of status on the next day (a version that changed something
    else keeps the day before it). One read and one bulk update."""
    history = Feature.history.model
    versions = history.objects.filter(id__in=plans).order_by("id", "history_date", "history_id").values_list(
        "id", "history_id", "status_id")
    dated, previous = [], None
    for feature_id, history_id, status_id in versions:
        if previous is None or previous[0] != feature_id:
            step, i = 0, 0
        elif status_id != previous[1]:
            step, i = min(step + 1, len(plans[feature_id]) - 1), i + 1
        else:
            i += 1
        previous = (feature_id, status_id)
        dated.append(history(history_id=history_id, history_date=_at(plans[feature_id][step], hour=9 + min(i, 8))))
    history.objects.bulk_update(dated, ["history_date"], batch_size=500)


class _Seeder:
    def __init__(self, workspace: Workspace, today: date) -> None:
        self.workspace = workspace
        self.today = today
        self.actor = User.objects.get(email=DEMO_EMAIL)
        self.people = {u.email: u for u in User.objects.filter(memberships__workspace=workspace)}
        self.statuses = _statuses(workspace)
        self.initiatives = {(i.product_id, i.name): i for i in
                            Initiative.objects.filter(workspace=workspace).prefetch_related("goals")}
        self.backdates: dict[int, list[date]] = {}

    def _initiative(self, product: Product, name: str | None) -> Initiative | None:
        if name is None:
            return None
        return self.initiatives.get((product.pk, name))

    def _assignee(self, rng: random.Random, product: Product, status: str) -> User | None:
        if status in ("Idea", "Backlog"):
            return None
        email = LEAD[product.key] if rng.random() < 0.3 else rng.choice(PEOPLE)
        return self.people.get(email)

    def _create(self, product: Product, spec: F, *, release: Release | None, status: str,
                end_date: date | None = None) -> Feature:
        rng = random.Random(f"{product.key}:{spec.title}")
        initiative = self._initiative(product, spec.initiative)
        feature = services.feature_create(
            actor=self.actor, product=product, title=spec.title, description=spec.description,
            status=self.statuses[status], release=release, initiative=initiative,
            goals=list(initiative.goals.all()) if initiative else [],
            estimate=Decimal(spec.estimate) if spec.estimate is not None else None, tags=list(spec.tags),
            assignee=self._assignee(rng, product, status), end_date=end_date, usage_key=spec.usage_key,
            **_rice(rng, spec),
        )
        for text in _requirements(rng, spec):
            requirement = services.requirement_create(actor=self.actor, feature=feature, text=text)
            if status == "Shipped" or (self.statuses[status].category == StatusCategory.IN_PROGRESS
                                       and rng.random() < 0.5):
                services.requirement_update(actor=self.actor, requirement=requirement, done=True)
        return feature

    def _move_through(self, feature: Feature, steps: list[str]) -> Feature:
        for step in steps:
            feature = services.feature_update(actor=self.actor, feature=feature, status=self.statuses[step])
        return feature

    def _seed_release_features(self, product: Product, release: Release, specs: tuple[F, ...], phase: str,
                               after_current: int) -> None:
        start, end = release.start_date, release.release_date
        span = (end - start).days
        last_day = min(end, self.today - timedelta(days=1))
        for n, spec in enumerate(specs):
            rng = random.Random(f"{product.key}:{spec.title}:dates")
            status = _phase_status(spec, phase, after_current)
            end_date = end + timedelta(days=spec.ends_late) if spec.ends_late else None
            if phase == Release.Status.PLANNED:
                self._create(product, spec, release=release, status=status, end_date=end_date)
                continue
            # Past and current releases: plan it, then walk it through the workflow, dated so
            # that the burn-up shows the release's weeks.
            category = self.statuses[status].category
            path = {StatusCategory.DONE: ["In development", status],
                    StatusCategory.IN_PROGRESS: ["In design", status] if status != "In design" else [status],
                    }.get(category, [status] if status != "Planned" else [])
            feature = self._create(product, spec, release=release, status="Planned", end_date=end_date)
            feature = self._move_through(feature, [step for step in path if step != "Planned"])
            created = (start + timedelta(days=span // 3 + n) if spec.added_late
                       else start - timedelta(days=rng.randint(3, 20)))
            created = min(created, last_day)
            days = [created]
            room = max((last_day - created).days, 1)
            for i in range(1, len(path) + 1):
                share = rng.uniform(0.15, 0.45) if i < len(path) else rng.uniform(0.55, 0.97)
                days.append(min(created + timedelta(days=max(1, round(room * share))), last_day))
            self.backdates[feature.pk] = sorted(days)

    def seed_product(self, product: Product, plan: Plan, first_start: int) -> None:
        releases = []
        current = None
        for i, spec in enumerate(plan.releases):
            start = self.today + timedelta(days=first_start + i * CADENCE)
            end = start + timedelta(days=CADENCE - 1)
            status = _release_status(start, end, self.today)
            if status == Release.Status.IN_PROGRESS and current is None:
                current = i
            planned = sum(f.estimate or 0 for f in spec.features if f.status != "Won't do")
            capacity = spec.capacity if spec.capacity is not None else 5 * ((planned + 4) // 5) + 5
            release = services.release_create(
                actor=self.actor, product=product, name=spec.name, version_label=spec.version, theme=spec.theme,
                start_date=start, release_date=end, status=status, capacity=Decimal(capacity),
            )
            milestones = [("Design sign-off", start + timedelta(days=7)),
                          (BETA[product.key], end - timedelta(days=12)),
                          ("Launch", end)]
            if i % 3 == 1:
                milestones = [("Code freeze", end - timedelta(days=10)), ("Launch", end)]
            for name, day in milestones:
                services.milestone_create(actor=self.actor, release=release, name=name, date=day)
            releases.append((release, spec, status))
        for i, (release, spec, status) in enumerate(releases):
            after_current = i - current if current is not None else i
            self._seed_release_features(product, release, spec.features, status, after_current)
        for spec in plan.backlog:
            self._create(product, spec, release=None, status=spec.status or "Backlog")

    def seed_dependencies(self, seeded: set[str]) -> None:
        features = {(key, title): pk for key, title, pk in Feature.objects.filter(workspace=self.workspace)
                    .values_list("product__key", "title", "pk")}
        existing = set(Dependency.objects.filter(feature__workspace=self.workspace)
                       .values_list("feature_id", "depends_on_id"))
        loaded = {f.pk: f for f in Feature.objects.filter(pk__in=features.values()).select_related("product")}
        for dependent, prerequisite in DEPENDENCIES:
            if dependent[0] not in seeded or dependent not in features or prerequisite not in features:
                continue
            pair = (features[dependent], features[prerequisite])
            if pair not in existing:
                services.dependency_add(actor=self.actor, feature=loaded[pair[0]], depends_on=loaded[pair[1]])

    def seed_comments(self, seeded: set[str]) -> None:
        features = {(f.product.key, f.title): f for f in Feature.objects.filter(
            workspace=self.workspace, product__key__in=seeded).select_related("product")}
        for key, title, email, body in COMMENTS:
            feature, author = features.get((key, title)), self.people.get(email)
            if feature is not None and author is not None:
                services.comment_create(actor=author, feature=feature, body=body)

    def seed_inbox(self, seeded: set[str]) -> None:
        """What teammates did that the demo admin hears of, through the services that tell them."""
        if not seeded:
            return
        features = {(f.product.key, f.title): f for f in Feature.objects.filter(
            workspace=self.workspace, product__key__in=seeded).select_related("product", "status")}
        for key, title, email, before in INBOX_MOVES:
            feature, actor = features.get((key, title)), self.people.get(email)
            if feature is not None and actor is not None:  # the step it made last, as its followers heard of it
                services.notify_feature_changes(actor=actor, changes=[
                    services.FeatureChange(feature, self.statuses[before].pk, feature.assignee_id)])
        # Two open features of the admin's, as assigned to them by a teammate.
        assigned = [f for f in features.values() if f.assignee_id == self.actor.pk
                    and f.status.category == StatusCategory.NOT_STARTED][:2]
        if assigned and "priya@waymark.test" in self.people:
            services.notify_feature_changes(actor=self.people["priya@waymark.test"], changes=[
                services.FeatureChange(f, f.status_id, None) for f in assigned])
        for key, title, email, body in INBOX_COMMENTS:
            feature, author = features.get((key, title)), self.people.get(email)
            if feature is not None and author is not None:
                services.comment_create(actor=author, feature=feature, body=body)
        # Spread over the last days, newest first as listed; the older half already read.
        mine = list(Notification.objects.filter(workspace=self.workspace, recipient=self.actor)
                    .order_by("-id").values_list("pk", flat=True))
        now = timezone.now()
        for age, pk in enumerate(mine):
            when = now - timedelta(hours=3 + age * 7)
            Notification.objects.filter(pk=pk).update(
                created_at=when, read_at=when + timedelta(hours=1) if age >= len(mine) // 2 else None)


# Teammates' comments that @mention the demo admin, and status steps of features the admin
# follows (the status each came from).
INBOX_COMMENTS = [
    ("SHOP", "Express checkout with Apple Pay and Google Pay", "priya@waymark.test",
     "@demo can you confirm with the Pay team whether wallets make 5.1? Then we keep this in the release."),
    ("INS", "Anomaly alerts on sales drops", "chris@waymark.test",
     "@demo let's take this to Thursday's roadmap review: week-over-week rule first, forecast later."),
    ("MOB", "Cart sync between web and app", "jordan@waymark.test",
     "Beta build is out to 200 testers. @demo the sync banner copy needs your sign-off."),
]
INBOX_MOVES = [
    ("SHOP", "One-page checkout layout", "priya@waymark.test", "Planned"),
    ("MOB", "Cart sync between web and app", "mateo@waymark.test", "Planned"),
    ("INS", "Anomaly alerts on sales drops", "priya@waymark.test", "Planned"),
    ("SHOP", "Saved addresses for returning customers", "sofia@waymark.test", "In development"),
]


@transaction.atomic
def seed_releases(workspace: Workspace, *, today: date | None = None) -> None:
    """Add the demo releases and features to each demo product that has neither releases nor features yet."""
    seeder = _Seeder(workspace, today or timezone.localdate())
    products = {p.key: p for p in workspace.products.filter(key__in=PLANS)}
    planned = set(Release.objects.filter(product__in=products.values()).values_list("product__key", flat=True))
    planned |= set(Feature.objects.filter(product__in=products.values()).values_list("product__key", flat=True))
    seeded = set()
    for key, plan in PLANS.items():
        if key in products and key not in planned:
            seeder.seed_product(products[key], plan, FIRST_START[key])
            seeded.add(key)
    seeder.seed_dependencies(seeded)
    seeder.seed_comments(seeded)
    seeder.seed_inbox(seeded)
    demo_launch.seed_launch(actor=seeder.actor, workspace=workspace, people=seeder.people, today=seeder.today,
                            products=[products[key] for key in sorted(seeded)])
    _backdate(seeder.backdates)
    # Seeding is history: nobody is emailed about it (the queued emails find nothing to send).
    now = timezone.now()
    Notification.objects.filter(workspace=workspace, emailed_at__isnull=True).update(emailed_at=now, digested_at=now)
    Mention.objects.filter(comment__feature__workspace=workspace, emailed_at__isnull=True).update(emailed_at=now)
    # The delivery snapshots the pages show, computed now rather than by the worker later.
    for key in sorted(seeded):
        services.delivery_snapshots_write(product_id=products[key].pk, today=seeder.today)
