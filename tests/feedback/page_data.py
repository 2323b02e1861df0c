"""Data the page tests of feedback share, built through the services as a product manager
would: two customers with contacts, ideas with votes and a feedback note."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from feedback import services
from feedback.models import Contact, Customer, FeedbackNote, Idea, Vote, voter_key


@dataclass
class FeedbackData:
    big: Customer
    small: Customer
    hank: Contact
    mia: Contact
    export: Idea
    dark: Idea
    note: FeedbackNote


def make_feedback_data(workspace, product, editor, viewer, today) -> FeedbackData:
    """Globex (enterprise, 250k) and Initrode (12k) with a contact each; "Export reports to
    Excel" (public) voted by Globex's contact and the viewer; "Dark mode" voted by
    Initrode's contact; an unprocessed note of Initrode with a highlight, linked to nothing."""
    big = services.customer_create(actor=editor, workspace=workspace, name="Globex", plan="Enterprise",
                                   segment=Customer.Segment.ENTERPRISE, annual_revenue=Decimal("250000"))
    small = services.customer_create(actor=editor, workspace=workspace, name="Initrode",
                                     annual_revenue=Decimal("12000"))
    hank = services.contact_create(actor=editor, customer=big, name="Hank Scorpio", email="hank@globex.test")
    mia = services.contact_create(actor=editor, customer=small, name="Mia Chen", email="mia@initrode.test")
    export = services.idea_create(actor=editor, product=product, title="Export reports to Excel",
                                  description="Finance wants **spreadsheets**.", category="Reporting",
                                  visibility=Idea.Visibility.PUBLIC)
    dark = services.idea_create(actor=editor, product=product, title="Dark mode", category="Design")
    services.vote_add(actor=editor, idea=export, contact=hank)
    services.vote_add(actor=viewer, idea=export)
    services.vote_add(actor=editor, idea=dark, contact=mia)
    note = services.note_create(actor=editor, product=product, customer=small, contact=mia, date=today,
                                text="We export every report by hand. Excel export would save us hours.",
                                highlight="Excel export would save us hours")
    return FeedbackData(big=big, small=small, hank=hank, mia=mia, export=export, dark=dark, note=note)


def many_ideas(product, count: int, *, contact: Contact | None = None) -> list[Idea]:
    """`count` ideas written in bulk (each with a vote of `contact`, if given), for query-count tests."""
    ideas = Idea.objects.bulk_create([
        Idea(workspace_id=product.workspace_id, product=product, title=f"Bulk idea {n} about exports",
             category=f"Area {n % 7}", vote_count=n % 50, demand=Decimal(n * 10))
        for n in range(count)])
    if contact is not None:
        Vote.objects.bulk_create([Vote(idea=idea, contact=contact, voter_key=voter_key(contact=contact),
                                       created_at=timezone.now() - timedelta(days=idea.pk % 60)) for idea in ideas])
    return ideas
