"""Saved views: a person's named filters, grouping, zoom and window of one page of a product."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .tenancy import Product, TimeStampedModel, User, Workspace, WorkspaceScopedQuerySet

SAVED_VIEW_NAME_MAX_LENGTH = 80
SAVED_VIEW_QUERY_MAX_LENGTH = 2000


class SavedViewQuerySet(WorkspaceScopedQuerySet):
    def visible_to(self, user) -> SavedViewQuerySet:
        """A member's own views and the views shared with their workspaces."""
        if not user.is_authenticated:
            return self.none()
        return super().visible_to(user).filter(models.Q(shared=True) | models.Q(owner=user))


class SavedView(TimeStampedModel):
    """A named way of looking at one page of a product (its backlog, board or timeline): the
    page's query string (filters, grouping, zoom, window), kept by its owner, private or
    shared with the workspace. Opening it opens the page with that query string."""

    class Kind(models.TextChoices):
        BACKLOG = "backlog", _("Backlog")
        BOARD = "board", _("Board")
        TIMELINE = "timeline", _("Timeline")

    # The page each kind opens (URL names; the pages live in the apps above).
    PAGES = {
        Kind.BACKLOG: "releases:backlog",
        Kind.BOARD: "releases:board",
        Kind.TIMELINE: "roadmap:product_timeline",
    }

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="saved_views")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="saved_views")
    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    kind = models.CharField(_("page"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=SAVED_VIEW_NAME_MAX_LENGTH)
    query = models.CharField(_("query string"), max_length=SAVED_VIEW_QUERY_MAX_LENGTH, blank=True)
    shared = models.BooleanField(_("shared with the workspace"), default=False)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint("owner", "product", "kind", Lower("name"),
                                    name="strategy_savedview_unique_name_per_owner_page"),
        ]
        indexes = [models.Index(fields=["product", "kind"], name="strategy_savedview_product")]

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        """The page with the view's query string (needs `product` and its `workspace` loaded)."""
        path = reverse(self.PAGES[self.kind], args=[self.product.workspace.slug, self.product.key])
        return f"{path}?{self.query}" if self.query else path
