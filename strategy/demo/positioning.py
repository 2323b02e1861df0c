"""The demo workspace's positioning: visions, personas, and competitors with a comparison.

Every record is written through the services, by the demo admin. Idempotent: records are
found by their product and name, and what exists is left as it is, so seeding twice changes
nothing."""

from __future__ import annotations

from .. import services
from ..models import (
    ComparisonCriterion,
    Competitor,
    CompetitorRating,
    Persona,
    Product,
    User,
    Vision,
)

# --- visions ----------------------------------------------------------------

VISIONS = {
    "NWC": {
        "statement": "Give every independent shop the commerce tools that used to belong only to the big "
                     "retailers: **one place to sell, get paid and grow**, online and on the phone.",
        "target_market": "Independent retailers and direct-to-consumer brands in Europe with 1–50 staff and "
                         "€100k–€10m in yearly online sales.",
        "customer_needs": "- Start selling in days, not months\n"
                          "- One view of orders, stock and money across web and mobile\n"
                          "- Fees that stay predictable as the shop grows",
        "value_proposition": "Storefront, mobile app and payments that share one catalogue, one customer list "
                             "and one payout, so a small team can run a shop like a large one.",
        "differentiators": "1. **Everything included**: no paid plug-ins needed for the basics\n"
                           "2. **European by default**: VAT, local payment methods and multi-currency built in\n"
                           "3. **Human support** from people who have run shops themselves",
        "business_model": "Monthly subscription per shop (Starter, Growth, Scale) plus payment fees on "
                          "Northwind Pay. Expansion revenue comes from Insights and extra staff seats.",
    },
    "SHOP": {
        "statement": "The storefront small shops are proud of: **fast, beautiful and converting** "
                     "without a developer.",
        "target_market": "Shops moving off marketplaces or outgrowing a website builder; 60 % homeware, "
                         "fashion and food.",
        "customer_needs": "- A shop that looks like *their* brand\n"
                          "- A checkout that does not lose customers\n"
                          "- Search and filters that find the product on the first try",
        "value_proposition": "Themes that are easy to make your own, and a checkout tuned on millions of orders.",
        "differentiators": "- One-page checkout with local payment methods\n"
                           "- Search with typo tolerance and synonyms out of the box\n"
                           "- Page speed that stays fast with 10,000 products",
        "business_model": "Included in every plan; themes from the marketplace share revenue 70/30 with "
                          "their designers.",
    },
    "MOB": {
        "statement": "Make buying from a favourite small shop as easy as from the biggest marketplace, "
                     "**right from the shopper's pocket**.",
        "target_market": "Repeat shoppers of Northwind shops: 70 % of them browse on the phone, 40 % buy there.",
        "customer_needs": "- Pick up the cart where they left it on the web\n"
                          "- Offers that are relevant, not noisy\n"
                          "- Pay with a tap",
        "value_proposition": "A branded app for every shop, with saved carts, wallets and push offers, "
                             "at no extra effort for the merchant.",
        "differentiators": "- Generated from the storefront: no second catalogue to maintain\n"
                           "- Push offers that learn from what each shopper opens",
        "business_model": "Part of the Growth and Scale plans; drives GMV and therefore payment revenue.",
    },
    "PAY": {
        "statement": "Payments and payouts **built into the shop**, so merchants get paid faster and "
                     "never reconcile a spreadsheet again.",
        "target_market": "Northwind merchants with €20k+ monthly GMV, starting with the ten beta merchants "
                         "in Germany and the Netherlands.",
        "customer_needs": "- Next-day (or instant) payouts\n"
                          "- Cards, wallets, iDEAL, SEPA and *buy now, pay later* in one contract\n"
                          "- Disputes handled in the same place as the order",
        "value_proposition": "One onboarding, one fee table and payouts matched to orders automatically.",
        "differentiators": "- Reconciliation with the order and refund in one click\n"
                           "- Payouts in the merchant's currency with no hidden FX margin",
        "business_model": "Blended fee of 1.4 % + €0.20 per transaction; instant payouts for 1 % extra.",
    },
    "INS": {
        "statement": "Tell every merchant **what to do next** to sell more, in plain language, every Monday.",
        "target_market": "Owners and marketers of shops on the Growth and Scale plans.",
        "customer_needs": "- Know which products and channels make money\n"
                          "- Compare with similar shops without a data team",
        "value_proposition": "Sales, customer and funnel analytics with benchmarks against similar shops.",
        "differentiators": "| What | Insights | Typical analytics add-on |\n"
                           "| --- | --- | --- |\n"
                           "| Setup | none | tracking code and tagging |\n"
                           "| Benchmarks | included | not available |\n"
                           "| Weekly advice | yes | no |",
        "business_model": "Add-on at €29 per shop per month; included in Scale.",
    },
}

# --- personas ---------------------------------------------------------------

# (product key, name, role, description, goals, pains, quote, colour, importance)
PERSONAS = [
    ("NWC", "Maya Chen", "Owner of a three-person homeware shop",
     "Started on a marketplace, moved to her own shop two years ago. Does the buying, the photos and the "
     "social media herself; her partner packs the orders.",
     "- Grow without hiring\n- Keep her brand front and centre",
     "- Evenings lost to admin\n- Marketplace fees eating her margin",
     "I want to spend my time on products, not on plug-ins.", "#6366f1", Persona.Importance.PRIMARY),
    ("NWC", "Tom Becker", "Operations lead at a fashion brand",
     "Runs fulfilment and finance for a 25-person brand selling in six countries.",
     "- One source of truth for stock and money\n- Fewer chargebacks",
     "- Reconciling payouts by hand\n- Stock out of sync between channels",
     "If the numbers don't match, nothing else matters.", "#0ea5e9", Persona.Importance.PRIMARY),
    ("MOB", "Leah Novak", "Repeat shopper, buys on her commute",
     "Follows a dozen small brands; buys two or three times a month, nearly always on her phone.",
     "- Find the new drop before it sells out\n- Pay without typing a card number",
     "- Carts that vanish between phone and laptop\n- Too many notifications",
     "Just tell me when the thing I like is back.", "#f97316", Persona.Importance.PRIMARY),
    ("INS", "Raj Patel", "Growth marketer for three shops",
     "Freelancer who runs ads and email for several Northwind merchants.",
     "- Prove which campaigns pay off\n- Report to clients in minutes",
     "- Exporting CSVs from five tools\n- No idea what 'good' looks like",
     "Show me the one number my client should worry about.", "#14b8a6", Persona.Importance.SECONDARY),
]

# --- competitors and the comparison -----------------------------------------

# (product key, name, website, positioning, strengths, weaknesses, pricing notes, threat)
COMPETITORS = [
    ("SHOP", "Shopwave", "https://shopwave.example",
     "The default choice for new online shops; huge app marketplace.",
     "- Brand awareness\n- Thousands of apps and themes",
     "- Basics need paid apps\n- Support is slow for small plans",
     "From €29/month plus 2 % unless you use their payments.", Competitor.Threat.HIGH),
    ("SHOP", "CartCraft", "https://cartcraft.example",
     "Open-source shop software with hosted plans for agencies.",
     "- Fully customisable\n- Strong agency network",
     "- Needs a developer\n- Slow page loads on big catalogues",
     "Free software; hosting €15–€200/month; agency fees on top.", Competitor.Threat.MEDIUM),
    ("SHOP", "Bazaarly", "https://bazaarly.example",
     "Website builder that added a shop.",
     "- Beautiful templates\n- Easy to start",
     "- Weak checkout and search\n- Few payment methods outside the US",
     "€18–€45/month, 3 % transaction fee on the cheapest plan.", Competitor.Threat.MEDIUM),
    ("SHOP", "Stallhub", "https://stallhub.example",
     "Marketplace with 'storefront' pages for sellers.",
     "- Built-in traffic",
     "- Merchants don't own the customer\n- 12 % commission",
     "No monthly fee; 12 % commission per order.", Competitor.Threat.LOW),
    ("MOB", "PocketCart", "https://pocketcart.example",
     "Turns any shop into an app for a monthly fee.",
     "- Quick to launch\n- Works with every shop platform",
     "- Separate catalogue sync\n- Generic look",
     "€99/month per app.", Competitor.Threat.HIGH),
    ("MOB", "Appify Commerce", "https://appify.example",
     "Agency-built native apps for mid-size brands.",
     "- Polished, custom apps",
     "- Six-figure projects\n- Months to change anything",
     "Project pricing, typically €60k+.", Competitor.Threat.LOW),
]

# product key -> (competitor names as columns after the product itself, [(criterion, [scores])])
COMPARISONS = {
    "SHOP": (
        ["Shopwave", "CartCraft", "Bazaarly", "Stallhub"],
        [
            ("Ease of setup", [4, 4, 2, 5, 5]),
            ("Theme customisation", [4, 4, 5, 4, 1]),
            ("Checkout conversion", [4, 5, 3, 2, 4]),
            ("App ecosystem", [2, 5, 4, 2, 1]),
            ("Price for small shops", [4, 3, 4, 3, 2]),
            ("Multi-currency selling", [5, 3, 3, 1, 2]),
        ],
    ),
    "MOB": (
        ["PocketCart", "Appify Commerce"],
        [
            ("Time to launch", [5, 4, 1]),
            ("Catalogue stays in sync", [5, 2, 3]),
            ("Brand look and feel", [3, 2, 5]),
            ("Push offers", [4, 3, 4]),
            ("Cost for the merchant", [5, 3, 1]),
        ],
    ),
}

# --- goals, key results and initiatives --------------------------------------


def _seed_visions(actor: User, products: dict[str, Product]) -> None:
    have = set(Vision.objects.filter(product__in=products.values()).values_list("product__key", flat=True))
    for key, content in VISIONS.items():
        if key in products and key not in have:
            services.vision_save(actor=actor, product=products[key], **content)


def _seed_personas(actor: User, products: dict[str, Product]) -> None:
    have = set(Persona.objects.filter(product__in=products.values()).values_list("product__key", "name"))
    for key, name, role, description, goals, pains, quote, colour, importance in PERSONAS:
        if key in products and (key, name) not in have:
            services.persona_create(
                actor=actor, product=products[key], name=name, role=role, description=description, goals=goals,
                pains=pains, quote=quote, colour=colour, importance=importance,
            )


def _seed_competitors(actor: User, products: dict[str, Product]) -> None:
    have = {(key, name.lower()) for key, name in
            Competitor.objects.filter(product__in=products.values()).values_list("product__key", "name")}
    for key, name, website, positioning, strengths, weaknesses, pricing, threat in COMPETITORS:
        if key in products and (key, name.lower()) not in have:
            services.competitor_create(
                actor=actor, product=products[key], name=name, website=website, positioning=positioning,
                strengths=strengths, weaknesses=weaknesses, pricing_notes=pricing, threat=threat,
            )


def _seed_comparisons(actor: User, products: dict[str, Product]) -> None:
    for key, (competitor_names, rows) in COMPARISONS.items():
        product = products.get(key)
        if product is None:
            continue
        criteria = {c.name: c for c in ComparisonCriterion.objects.filter(product=product)}
        for name, _scores in rows:
            if name not in criteria:
                criteria[name] = services.criterion_create(actor=actor, product=product, name=name)
        competitors = {c.name: c for c in Competitor.objects.filter(product=product, name__in=competitor_names)}
        cells = []
        for name, (own_score, *scores) in rows:
            cells.append((criteria[name], None, own_score))
            # a demo competitor someone has deleted is not rated again
            cells += [(criteria[name], competitors[competitor], score)
                      for competitor, score in zip(competitor_names, scores, strict=True) if competitor in competitors]
        rated = set(CompetitorRating.objects.filter(criterion__product=product)
                    .values_list("criterion_id", "competitor_id"))
        missing = [(criterion, competitor, score) for criterion, competitor, score in cells
                   if (criterion.pk, competitor.pk if competitor else None) not in rated]
        if missing:
            services.comparison_rate(actor=actor, product=product, ratings=missing)


def seed_positioning(actor: User, products: dict[str, Product]) -> None:
    """Add the demo visions, personas, competitors and comparisons where missing."""
    _seed_visions(actor, products)
    _seed_personas(actor, products)
    _seed_competitors(actor, products)
    _seed_comparisons(actor, products)
