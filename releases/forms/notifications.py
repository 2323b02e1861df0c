"""Input of notification pages: the email choice per kind of notification."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import EmailChoice, NotificationKind

HELP = {
    NotificationKind.MENTION: _("Someone @mentions you in a comment."),
    NotificationKind.ASSIGNED: _("Someone assigns a feature to you."),
    NotificationKind.STATUS: _("A feature you follow changes status."),
    NotificationKind.COMMENT: _("Someone comments on a feature you own."),
}


class NotificationSettingsForm(forms.Form):
    """One choice (right away, daily digest, off) per kind; the field names are the kinds."""

    mention = forms.ChoiceField(label=_("Mentions"), choices=EmailChoice.choices, help_text=HELP["mention"])
    assigned = forms.ChoiceField(label=_("Assignments"), choices=EmailChoice.choices, help_text=HELP["assigned"])
    status = forms.ChoiceField(label=_("Status changes"), choices=EmailChoice.choices, help_text=HELP["status"])
    comment = forms.ChoiceField(label=_("Comments"), choices=EmailChoice.choices, help_text=HELP["comment"])
