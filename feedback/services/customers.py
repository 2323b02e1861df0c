"""Write operations for customers and their contacts.

Invariants protected here:
- a customer's name is unique in its workspace (any case), and so is a contact's email;
- a contact belongs to a customer of its own workspace; the account owner is a member;
- revenue is never negative, and a change of it recomputes the weighted demand of every
  idea the customer stands behind (and queues the features' recount);
- a customer edited from a stale copy is refused."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from strategy import access
from strategy.background import queue_after_commit
from strategy.models import Membership, User, Workspace
from strategy.services.records import assign

from .. import tasks
from ..models import Contact, Customer
from . import demand
from .records import check, locked

CUSTOMER_FIELDS = ("name", "domain", "segment", "plan", "annual_revenue", "owner", "external_id", "external_url")
CONTACT_FIELDS = ("customer", "name", "email")


def _customer_errors(customer: Customer) -> dict:
    errors: dict = {}
    if customer.name and Customer.objects.filter(workspace_id=customer.workspace_id).annotate(
            lname=Lower("name")).filter(lname=customer.name.lower()).exclude(pk=customer.pk).exists():
        errors["name"] = _("There is already a customer called %(name)s.") % {"name": customer.name}
    if customer.owner_id and not Membership.objects.filter(
            workspace_id=customer.workspace_id, user_id=customer.owner_id).exists():
        errors["owner"] = _("The account owner must be a member of this workspace.")
    customer.domain = (customer.domain or "").lower().removeprefix("https://").removeprefix("http://").strip("/")
    return errors


@transaction.atomic
def customer_create(*, actor: User, workspace: Workspace, name: str, domain: str = "",
                    segment: str = Customer.Segment.SMB, plan: str = "",
                    annual_revenue: Decimal | int = 0, owner: User | None = None, external_id: str = "",
                    external_url: str = "") -> Customer:
    """Add a customer. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", workspace)
    customer = Customer(workspace=workspace)
    assign(customer, {"name": name, "domain": domain, "segment": segment, "plan": plan,
                      "annual_revenue": annual_revenue, "owner": owner, "external_id": external_id,
                      "external_url": external_url}, CUSTOMER_FIELDS)
    check(customer, _customer_errors(customer))
    customer.save()
    return customer


@transaction.atomic
def customer_update(*, actor: User, customer: Customer, version: int | None = None, **changes) -> Customer:
    """Change a customer; a new revenue reweighs the demand of what they asked for.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", customer)
    current = locked(customer, version)
    previous_revenue = current.annual_revenue
    assign(current, changes, CUSTOMER_FIELDS)
    check(current, _customer_errors(current))
    current.save()
    if current.annual_revenue != previous_revenue:
        demand.ideas_recount(idea_ids=demand.customer_idea_ids(customer_ids=[current.pk]))
        feature_ids = demand.customer_feature_ids(customer_ids=[current.pk])
        if feature_ids:
            queue_after_commit(tasks.features_demand_refresh_task, feature_ids)
    return current


@transaction.atomic
def customer_delete(*, actor: User, customer: Customer) -> None:
    """Delete a customer and its contacts (their votes go too; notes stay, without a
    customer), and recount what they stood behind. Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", customer)
    idea_ids = demand.customer_idea_ids(customer_ids=[customer.pk])
    feature_ids = demand.customer_feature_ids(customer_ids=[customer.pk])
    customer.delete()
    demand.ideas_recount(idea_ids=idea_ids)
    if feature_ids:
        queue_after_commit(tasks.features_demand_refresh_task, feature_ids)


def _contact_errors(contact: Contact) -> dict:
    errors: dict = {}
    if contact.customer is not None and contact.customer.workspace_id != contact.workspace_id:
        errors["customer"] = _("Choose a customer of this workspace.")
    contact.email = (contact.email or "").lower()
    if contact.email and Contact.objects.filter(workspace_id=contact.workspace_id, email__iexact=contact.email).exclude(
            pk=contact.pk).exists():
        errors["email"] = _("Another contact already has this email address.")
    return errors


@transaction.atomic
def contact_create(*, actor: User, customer: Customer, name: str, email: str = "") -> Contact:
    """Add a person at `customer`. Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", customer)
    contact = Contact(workspace_id=customer.workspace_id)
    assign(contact, {"customer": customer, "name": name, "email": email}, CONTACT_FIELDS)
    check(contact, _contact_errors(contact))
    contact.save()
    return contact


@transaction.atomic
def contact_update(*, actor: User, contact: Contact, **changes) -> Contact:
    """Change a contact; moving them to another customer moves the demand of their votes.
    Raises PermissionDenied or ValidationError."""
    access.ensure_can(actor, "feedback.edit", contact)
    current = Contact.objects.select_for_update().get(pk=contact.pk)
    previous_customer_id = current.customer_id
    assign(current, changes, CONTACT_FIELDS)
    check(current, _contact_errors(current))
    current.save()
    if current.customer_id != previous_customer_id:
        customers = [previous_customer_id, current.customer_id]
        demand.ideas_recount(idea_ids=demand.customer_idea_ids(customer_ids=customers))
        feature_ids = demand.customer_feature_ids(customer_ids=customers)
        if feature_ids:
            queue_after_commit(tasks.features_demand_refresh_task, feature_ids)
    return current


@transaction.atomic
def contact_delete(*, actor: User, contact: Contact) -> None:
    """Delete a contact with their votes (their notes stay with the customer), and recount
    the ideas they voted for. Raises PermissionDenied."""
    access.ensure_can(actor, "feedback.edit", contact)
    idea_ids = list(contact.votes.values_list("idea_id", flat=True))
    feature_ids = demand.customer_feature_ids(customer_ids=[contact.customer_id])
    contact.delete()
    demand.ideas_recount(idea_ids=idea_ids)
    if feature_ids:
        queue_after_commit(tasks.features_demand_refresh_task, feature_ids)
