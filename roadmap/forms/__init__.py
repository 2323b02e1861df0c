"""Input shapes of the roadmap's pages, one module per topic."""

from .sharing import ShareLinkForm, SharePasswordForm
from .usage import IngestKeyForm

__all__ = ["IngestKeyForm", "ShareLinkForm", "SharePasswordForm"]
