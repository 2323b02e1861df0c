"""Forms of a product's positioning pages: vision, personas, competitors and the comparison grid.
They validate input and hand `cleaned_data` to the services; none of them saves."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Competitor, Persona, Vision, colour_validator
from ..selectors import Comparison
from .kit import VersionedFormMixin

MARKDOWN_HINT = _("Markdown allowed.")


def _help(text: str) -> str:
    return f"{text} {MARKDOWN_HINT}"


class _ServiceModelForm(VersionedFormMixin, forms.ModelForm):
    """A ModelForm for field definitions only: model validation and saving are the service's job.
    Editing an existing record carries its version, so a stale save is refused."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not isinstance(self.instance, Vision):
            self.add_version_field(self.instance.version)

    def _post_clean(self):
        pass


class VisionForm(_ServiceModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Vision
        fields = ["statement", "target_market", "customer_needs", "value_proposition", "differentiators",
                  "business_model"]
        help_texts = {
            "statement": _help(_(
                "One or two sentences on the future this product creates, for whom. Good: ambitious, "
                "concrete, memorable; say the outcome, not the features.")),
            "target_market": _help(_(
                "Who buys and uses it: segment, size, region. Good: narrow enough to say who is not in it.")),
            "customer_needs": _help(_(
                "The problems and jobs customers hire it for, in their words. Good: a short list, most "
                "important first.")),
            "value_proposition": _help(_(
                "Why customers choose it, and what they gain. Good: a measurable benefit such as "
                "“checkout in under 30 seconds”.")),
            "differentiators": _help(_(
                "What sets it apart from the alternatives. Good: things competitors cannot easily copy.")),
            "business_model": _help(_(
                "How it makes money: pricing, channels, costs. Good: the one or two numbers that matter.")),
        }
        widgets = {
            "statement": forms.Textarea(attrs={"rows": 3}),
            "target_market": forms.Textarea(attrs={"rows": 3}),
            "customer_needs": forms.Textarea(attrs={"rows": 4}),
            "value_proposition": forms.Textarea(attrs={"rows": 3}),
            "differentiators": forms.Textarea(attrs={"rows": 4}),
            "business_model": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("version", self.instance.version)


class ColourInput(forms.TextInput):
    input_type = "color"


class PersonaForm(_ServiceModelForm):
    colour = forms.CharField(
        label=_("Colour"), max_length=7, initial="#6366f1", validators=[colour_validator], widget=ColourInput,
        help_text=_("Marks the persona on cards and avatars."),
    )

    class Meta:
        model = Persona
        fields = ["name", "role", "importance", "quote", "description", "goals", "pains", "colour"]
        labels = {"role": _("Role or title")}
        help_texts = {
            "name": _("A memorable first name and a short tag, e.g. “Sam the shop owner”."),
            "role": _("Their job, e.g. “Owner of a 3-person online shop”."),
            "importance": _("Primary personas are the ones the product is designed for first."),
            "quote": _("Something they would say, in their own words."),
            "description": _help(_("Who they are: context, habits, skills, the tools they use today.")),
            "goals": _help(_("What they are trying to achieve, most important first.")),
            "pains": _help(_("What gets in their way today.")),
        }
        widgets = {
            "importance": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 4}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "pains": forms.Textarea(attrs={"rows": 4}),
        }


class CompetitorForm(_ServiceModelForm):
    website = forms.URLField(label=_("Website"), required=False, max_length=200, assume_scheme="https",
                             help_text=_("The product's home page, e.g. https://example.com."))

    class Meta:
        model = Competitor
        fields = ["name", "website", "threat", "positioning", "strengths", "weaknesses", "pricing_notes"]
        help_texts = {
            "threat": _("How likely customers are to choose them over you."),
            "positioning": _help(_("How they describe themselves and whom they target.")),
            "strengths": _help(_("Where they beat you, as customers see it.")),
            "weaknesses": _help(_("Where they fall short: the openings for you.")),
            "pricing_notes": _help(_("Plans, prices and discounts you know of.")),
        }
        widgets = {
            "threat": forms.RadioSelect,
            "positioning": forms.Textarea(attrs={"rows": 3}),
            "strengths": forms.Textarea(attrs={"rows": 4}),
            "weaknesses": forms.Textarea(attrs={"rows": 4}),
            "pricing_notes": forms.Textarea(attrs={"rows": 3}),
        }


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("New criterion"), max_length=120,
                           widget=forms.TextInput(attrs={"placeholder": _("e.g. Ease of setup")}))


RATING_CHOICES = [("", "—")] + [(str(score), str(score)) for score in range(6)]


class ComparisonForm(forms.Form):
    """Every cell of the comparison grid as a 0–5 choice ("" clears it). Cells missing from
    the submitted data (a column added meanwhile) are left as they are."""

    def __init__(self, *args, comparison: Comparison, **kwargs):
        super().__init__(*args, **kwargs)
        self.comparison = comparison
        self._cells: list[tuple[str, object, object]] = []
        for row, criterion in enumerate(comparison.criteria):
            for column in comparison.columns:
                name = self.cell_name(criterion, column.competitor)
                score = column.scores[row]
                label = _("%(column)s on %(criterion)s") % {"column": column.name, "criterion": criterion.name}
                self.fields[name] = forms.ChoiceField(
                    label=label, choices=RATING_CHOICES, required=False,
                    initial="" if score is None else str(score),
                    widget=forms.Select(attrs={"class": "input--sm rating-select", "aria-label": label}),
                )
                self._cells.append((name, criterion, column.competitor))

    @staticmethod
    def cell_name(criterion, competitor) -> str:
        return f"r{criterion.pk}_{competitor.pk if competitor else 'self'}"

    def rows(self) -> list[tuple[object, list]]:
        """(criterion, [bound field per column]) in the grid's order, for the template."""
        columns = self.comparison.columns
        return [
            (criterion, [self[self.cell_name(criterion, column.competitor)] for column in columns])
            for criterion in self.comparison.criteria
        ]

    def ratings(self) -> list[tuple[object, object, int | None]]:
        """The submitted cells as `services.comparison_rate` takes them."""
        submitted = []
        for name, criterion, competitor in self._cells:
            if name not in self.data:
                continue
            value = self.cleaned_data.get(name, "")
            submitted.append((criterion, competitor, None if value == "" else int(value)))
        return submitted
