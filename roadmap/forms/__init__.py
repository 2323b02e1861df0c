"""Input shapes of the roadmap's pages, one module per topic."""

from .bindings import KeyResultBindingForm
from .sharing import ShareLinkForm, SharePasswordForm

__all__ = ["KeyResultBindingForm", "ShareLinkForm", "SharePasswordForm"]
