"""Rows the portal tests build, written straight to the tables (what a portal shows does not
depend on how the rows came to be), with the ideas' stored counters recounted as the services
keep them."""

from __future__ import annotations

from decimal import Decimal

from feedback.models import Contact, Customer, Idea, IdeaComment, PortalSettings, PortalUser, Vote, voter_key
from feedback.services import ideas_recount


def open_portal(product, **fields) -> PortalSettings:
    portal, _created = PortalSettings.objects.update_or_create(
        product=product, defaults={"workspace_id": product.workspace_id, "enabled": True, **fields})
    return portal


def portal_user(product, email: str = "fan@outside.example", name: str = "Fran Fan") -> PortalUser:
    return PortalUser.objects.create(workspace_id=product.workspace_id, product=product, email=email, name=name)


def customer(workspace, name: str = "Acme Corp", revenue: str = "987654") -> Customer:
    return Customer.objects.create(workspace=workspace, name=name, annual_revenue=Decimal(revenue))


def contact(customer_row: Customer, email: str, name: str = "Cora Contact") -> Contact:
    return Contact.objects.create(workspace_id=customer_row.workspace_id, customer=customer_row, name=name, email=email)


def idea(product, title: str, *, public: bool = True, status: str = Idea.Status.NEW, **fields) -> Idea:
    return Idea.objects.create(
        workspace_id=product.workspace_id, product=product, title=title, status=status,
        visibility=Idea.Visibility.PUBLIC if public else Idea.Visibility.INTERNAL, **fields)


def vote(idea_row: Idea, *, user=None, contact=None, portal_user=None) -> Vote:
    made = Vote.objects.create(idea=idea_row, user=user, contact=contact, portal_user=portal_user,
                               voter_key=voter_key(user=user, contact=contact, portal_user=portal_user))
    ideas_recount(idea_ids=[idea_row.pk])
    return made


def comment(idea_row: Idea, body: str, *, public: bool, author=None, portal_user=None) -> IdeaComment:
    return IdeaComment.objects.create(
        idea=idea_row, body=body, author=author, portal_user=portal_user,
        visibility=IdeaComment.Visibility.PUBLIC if public else IdeaComment.Visibility.INTERNAL)
