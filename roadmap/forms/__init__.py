"""Input shapes of the roadmap's pages, one module per topic."""

from .bindings import KeyResultBindingForm
from .sharing import ShareLinkForm, SharePasswordForm
from .usage import IngestKeyForm
from .webhooks import WebhookForm

__all__ = ["IngestKeyForm", "KeyResultBindingForm", "ShareLinkForm", "SharePasswordForm", "WebhookForm"]
