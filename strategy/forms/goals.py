"""Forms for goals, key results, check-ins and initiatives. They shape and check input;
saving goes through strategy.services (never `form.save()`), whose ValidationErrors the
views fold back with `strategy.forms.kit.apply_service_errors`."""

from __future__ import annotations

from datetime import date

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ..limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH, DateFormField
from ..models import Initiative, KeyResult, Product, User
from .kit import DateInput, VersionedFormMixin

DECIMAL = {"max_digits": 14, "decimal_places": 2}


def quarter_bounds(today: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter `today` is in."""
    first_month = (today.month - 1) // 3 * 3 + 1
    start = date(today.year, first_month, 1)
    end = date(today.year + 1, 1, 1) if first_month == 10 else date(today.year, first_month + 3, 1)
    return start, date.fromordinal(end.toordinal() - 1)


class GoalForm(VersionedFormMixin, forms.Form):
    product = forms.ModelChoiceField(
        label=_("For"), queryset=Product.objects.none(), required=False, empty_label=_("Company-wide"),
        help_text=_("A goal of one product, or company-wide for the whole workspace."),
    )
    name = forms.CharField(
        label=_("Goal"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Become the easiest shop to start on mobile")}),
    )
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why this matters and how you will know. Markdown is supported."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=User.objects.none(), required=False, empty_label=_("— nobody yet —"),
    )
    start_date = DateFormField(label=_("Starts"), widget=DateInput)
    end_date = DateFormField(label=_("Ends"), widget=DateInput)

    def __init__(self, *args, products: QuerySet[Product], members: QuerySet[User], version: int | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.add_version_field(version)
        self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = lambda product: product.name
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda user: user.display_name


class KeyResultForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Metric"), max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Weekly active shoppers")}),
    )
    direction = forms.ChoiceField(
        label=_("Direction"), choices=KeyResult.Direction.choices, initial=KeyResult.Direction.UP,
        widget=forms.RadioSelect,
    )
    start_value = forms.DecimalField(label=_("Start value"), **DECIMAL,
                                     help_text=_("Where the metric was when the goal began."))
    target_value = forms.DecimalField(label=_("Target value"), **DECIMAL,
                                      help_text=_("Where it should be by the goal's end date."))
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False,
                           help_text=_("For example %, €, users, ms."))
    current_value = forms.DecimalField(
        label=_("Current value"), required=False, **DECIMAL,
        help_text=_("Recorded as the first check-in. Leave empty to start from the start value."),
    )

    def __init__(self, *args, creating: bool = True, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["current_value"]
            self.add_version_field(version)


class CheckInForm(forms.Form):
    value = forms.DecimalField(label=_("New value"), **DECIMAL)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": _("What moved it? (optional)")}),
    )


class InitiativeForm(VersionedFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=150,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. Self-serve onboarding")}),
    )
    status = forms.ChoiceField(label=_("Status"), choices=Initiative.Status.choices,
                               initial=Initiative.Status.PROPOSED)
    colour = forms.RegexField(
        label=_("Colour"), regex=r"^#[0-9a-fA-F]{6}$", initial="#0ea5e9",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("Marks the initiative on roadmaps."),
        error_messages={"invalid": _("Use a hex colour such as #4f46e5.")},
    )
    start_date = DateFormField(label=_("Starts"), required=False, widget=DateInput)
    end_date = DateFormField(label=_("Ends"), required=False, widget=DateInput)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("The problem it tackles and the bet it makes. Markdown is supported."),
    )
    goals = forms.ModelMultipleChoiceField(
        label=_("Goals served"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Goals of this product, its product line, and company-wide goals."),
    )

    def __init__(self, *args, goals: QuerySet, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if version is not None:
            self.add_version_field(version)
        self.fields["goals"].queryset = goals
        self.fields["goals"].label_from_instance = lambda goal: goal.name
