"""Input shapes of the roadmap's pages, one module per topic."""

from .sharing import ShareLinkForm, SharePasswordForm

__all__ = ["ShareLinkForm", "SharePasswordForm"]
