"""The demo workspace, seeded through the services: its people and portfolio
(`seed_workspace`, demo/tenancy.py), then its strategy (`seed_strategy`: demo/positioning.py
and demo/goals.py). Later layers add their own demo data."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from ..models import User, Workspace
from .goals import seed_goals
from .positioning import seed_positioning
from .tenancy import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    PEOPLE,
    PORTFOLIO,
    WORKSPACE_NAME,
    WORKSPACE_SLUG,
    products_by_key,
    seed_workspace,
)

__all__ = [
    "DEMO_EMAIL", "DEMO_PASSWORD", "PEOPLE", "PORTFOLIO", "WORKSPACE_NAME", "WORKSPACE_SLUG", "products_by_key",
    "seed_goals", "seed_positioning", "seed_strategy", "seed_workspace",
]


@transaction.atomic
def seed_strategy(workspace: Workspace, *, today: date | None = None) -> None:
    """Add the demo strategy to the demo workspace where missing, written by the demo admin."""
    today = today or timezone.localdate()
    actor = User.objects.get(email=DEMO_EMAIL)
    products = products_by_key(workspace)
    seed_positioning(actor, products)
    seed_goals(actor, workspace, products, today)
