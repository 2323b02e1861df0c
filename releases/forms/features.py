"""Forms for the feature pages. They shape and check input; saving goes through
releases.services (never `form.save()`), whose ValidationErrors the views fold back with
`strategy.forms.apply_service_errors`."""

from __future__ import annotations

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from strategy.forms import DateInput
from strategy.limits import (
    COMMENT_MAX_LENGTH,
    TAG_MAX_LENGTH,
    TAGS_MAX_COUNT,
    TEXT_MAX_LENGTH,
    DateFormField,
    too_many_message,
)
from strategy.models import Goal, Initiative, User

from ..models import USAGE_KEY_MAX_LENGTH, Feature, Release, WorkflowStatus, usage_key_validator
from ..render import KeptWidgetBoundField

# The five RICE impact values, as the select offers them (values match the stored decimals).
IMPACT_CHOICES = [("", _("— not rated —"))] + [
    (format(Decimal(str(value)).normalize(), "f"), label) for value, label in Feature.IMPACT_CHOICES
]
FEATURE_KEY = re.compile(r"^\s*([A-Za-z][A-Za-z0-9]*)-(\d+)\b")


def impact_value(value) -> str:
    """A stored impact (Decimal("0.50")) as the select's value ("0.5")."""
    if value in (None, ""):
        return ""
    return format(Decimal(value).normalize(), "f")


class TagsField(forms.CharField):
    """Comma-separated text in, a list of at most TAGS_MAX_COUNT tags out, each at most
    TAG_MAX_LENGTH characters."""

    def __init__(self, **kwargs):
        # Room for every tag at its longest with ", " between them.
        super().__init__(max_length=TAGS_MAX_COUNT * (TAG_MAX_LENGTH + 2), **kwargs)

    def to_python(self, value) -> list[str]:
        text = super().to_python(value)
        return [tag.strip() for tag in text.split(",") if tag.strip()]

    def validate(self, value) -> None:
        super().validate(value)
        if len({tag.lower() for tag in value}) > TAGS_MAX_COUNT:
            raise ValidationError(too_many_message(TAGS_MAX_COUNT, _("tags")), code="max_tags")
        long = [tag for tag in value if len(tag) > TAG_MAX_LENGTH]
        if long:
            raise ValidationError(_("Keep each tag to %(limit)d characters: %(tag)s is longer.") % {
                "limit": TAG_MAX_LENGTH, "tag": long[0][:TAG_MAX_LENGTH] + "…"}, code="tag_length")

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return ", ".join(value)
        return value


class FeatureForm(forms.Form):
    # Basics
    title = forms.CharField(
        label=_("Title"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Offline mode for the shopping list")}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 7}),
        help_text=_("The problem, who has it, and what done looks like. Markdown is supported."),
    )
    # Planning
    status = forms.ModelChoiceField(label=_("Status"), queryset=WorkflowStatus.objects.none(), empty_label=None)
    release = forms.ModelChoiceField(label=_("Release"), queryset=Release.objects.none(), required=False,
                                     empty_label=_("— not scheduled —"))
    initiative = forms.ModelChoiceField(label=_("Initiative"), queryset=Initiative.objects.none(), required=False,
                                        empty_label=_("— none —"))
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals served"), queryset=Goal.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Goals of this product, its product line, and company-wide goals."),
    )
    estimate = forms.DecimalField(label=_("Estimate"), required=False, min_value=0, max_digits=6, decimal_places=1,
                                  help_text=_("In points."),
                                  error_messages={"min_value": _("An estimate cannot be negative.")},
                                  widget=forms.NumberInput(attrs={"step": "0.5", "min": "0"}))
    start_date = DateFormField(label=_("Starts"), required=False, widget=DateInput,
                                 help_text=_("Leave empty to follow the release."))
    end_date = DateFormField(label=_("Ends"), required=False, widget=DateInput,
                               help_text=_("Leave empty to follow the release."))
    assignee = forms.ModelChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False,
                                      empty_label=_("— nobody yet —"))
    tags = TagsField(label=_("Tags"), required=False,
                     widget=forms.TextInput(attrs={"placeholder": _("e.g. ios, onboarding")}),
                     help_text=_("Separate tags with commas."))
    usage_key = forms.CharField(
        label=_("Usage key"), required=False, max_length=USAGE_KEY_MAX_LENGTH, validators=[usage_key_validator],
        widget=forms.TextInput(attrs={"placeholder": _("e.g. csv-export"), "autocomplete": "off",
                                      "spellcheck": "false"}),
        help_text=_("The feature key your product sends with usage events, to measure adoption. Unique per product."),
    )
    # Prioritisation (RICE)
    reach = forms.IntegerField(label=_("Reach"), required=False, min_value=0,
                               help_text=_("People or events per quarter."),
                               widget=forms.NumberInput(attrs={"min": "0"}))
    impact = forms.TypedChoiceField(label=_("Impact"), required=False, choices=IMPACT_CHOICES, coerce=Decimal,
                                    empty_value=None, help_text=_("How much it moves each person reached."))
    confidence = forms.IntegerField(label=_("Confidence"), required=False, min_value=0, max_value=100,
                                    help_text=_("0–100 %: how sure you are of reach and impact."),
                                    error_messages={"min_value": _("Confidence is a percentage from 0 to 100."),
                                                    "max_value": _("Confidence is a percentage from 0 to 100.")},
                                    widget=forms.NumberInput(attrs={"min": "0", "max": "100"}))
    effort = forms.DecimalField(label=_("Effort"), required=False, min_value=Decimal("0.1"), max_digits=6,
                                decimal_places=1, help_text=_("Person-months."),
                                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.1"}))
    # Release notes
    customer_description = forms.CharField(
        label=_("Customer-facing description"), required=False, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What customers read about this feature in the release notes. Markdown is supported."))
    in_release_notes = forms.BooleanField(
        label=_("Include in the release notes"), required=False,
        help_text=_("Once shipped, it is part of the notes drafted for its release."))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    BASICS = ("title", "description")
    PLANNING = ("status", "release", "initiative", "goals", "estimate", "start_date", "end_date", "assignee", "tags",
                "usage_key")
    PRIORITISATION = ("reach", "impact", "confidence", "effort")
    RELEASE_NOTES = ("customer_description", "in_release_notes")

    def __init__(self, *args, statuses: QuerySet[WorkflowStatus], releases: QuerySet[Release],
                 initiatives: QuerySet[Initiative], goals: QuerySet[Goal], members: QuerySet[User],
                 editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].queryset = statuses
        self.fields["release"].queryset = releases
        self.fields["release"].label_from_instance = _release_label
        self.fields["initiative"].queryset = initiatives
        self.fields["initiative"].label_from_instance = lambda initiative: initiative.name
        self.fields["goals"].queryset = goals
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: user.display_name
        if not editing:
            del self.fields["version"]

    def clean(self) -> dict:
        data = super().clean()
        # The model's own rule about its dates, checked here too so that every error shows at once.
        try:
            Feature(start_date=data.get("start_date"), end_date=data.get("end_date")).clean()
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)
        return data

    def service_data(self) -> dict:
        """cleaned_data as the services take it (without the version)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


def _release_label(release: Release) -> str:
    return f"{release} · {release.release_date.day} {release.release_date:%b %Y}"


def _plain(value: Decimal | None) -> str | None:
    """13.0 as "13", 2.5 as "2.5"."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def feature_initial(feature: Feature) -> dict:
    """The edit form's starting values from a loaded feature (goals prefetched)."""
    return {
        "title": feature.title, "description": feature.description, "status": feature.status_id,
        "release": feature.release_id, "initiative": feature.initiative_id,
        "goals": [goal.pk for goal in feature.goals.all()], "estimate": _plain(feature.estimate),
        "start_date": feature.start_date, "end_date": feature.end_date, "assignee": feature.assignee_id,
        "tags": feature.tags, "usage_key": feature.usage_key, "reach": feature.reach,
        "impact": impact_value(feature.impact),
        "confidence": feature.confidence, "effort": _plain(feature.effort), "version": feature.version,
        "customer_description": feature.customer_description, "in_release_notes": feature.in_release_notes,
    }


class RequirementForm(forms.Form):
    bound_field_class = KeptWidgetBoundField  # drawn once while unbound: on every feature page

    text = forms.CharField(
        label=_("New requirement"), max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("Add a requirement…"), "autocomplete": "off"}),
        error_messages={"required": _("Write the requirement.")},
    )


class DependencyForm(forms.Form):
    bound_field_class = KeptWidgetBoundField  # drawn once while unbound: on every feature page

    depends_on = forms.CharField(
        label=_("Depends on"), max_length=60,
        widget=forms.TextInput(attrs={"placeholder": _("Feature key, e.g. MOB-12"), "autocomplete": "off",
                                      "list": "feature-keys", "spellcheck": "false"}),
        error_messages={"required": _("Type the key of the feature this one waits for, e.g. MOB-12.")},
    )

    def clean_depends_on(self) -> tuple[str, int]:
        """("MOB", 12) from "MOB-12" (or "mob-12 Offline mode", as a datalist may fill it)."""
        match = FEATURE_KEY.match(self.cleaned_data["depends_on"])
        if match is None:
            raise forms.ValidationError(_("Type a feature key such as MOB-12."))
        return match.group(1).upper(), int(match.group(2))


class CommentForm(forms.Form):
    bound_field_class = KeptWidgetBoundField  # drawn once while unbound: on every feature page

    body = forms.CharField(
        label=_("Comment"), max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": _("Write a comment…")}),
        help_text=_("Mention people with @ and their email name, e.g. @priya. Markdown is supported."),
        error_messages={"required": _("Write a comment.")},
    )
