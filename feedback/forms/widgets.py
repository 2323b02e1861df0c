"""A <select> for long lists (a workspace's contacts and customers run to thousands): its
options are joined in Python instead of rendered one template at a time, and read as plain
rows rather than model instances; together that took over a second at 1,500 contacts."""

from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString

from strategy.html import e, safe_join


class LongSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None) -> SafeString:
        chosen = "" if value is None else str(value)
        attributes = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(option_value)
            selected = " selected" if option_value == chosen else ""
            options.append(f'<option value="{e(option_value)}"{selected}>{e(label)}</option>')
        return safe_join([f"<select{flatatt(attributes)}>", *options, "</select>"])


def contact_choices(field: forms.ModelChoiceField, contacts) -> None:
    """Give `field` (a ModelChoiceField of `contacts`, rendered by LongSelect) its options as
    "name · customer" from plain rows; the queryset still validates what is posted."""
    field.queryset = contacts
    field.widget.choices = [("", field.empty_label)] + [
        (pk, f"{name} · {customer}") for pk, name, customer in contacts.values_list("pk", "name", "customer__name")]


def plain_choices(field: forms.ModelChoiceField, queryset, label: str = "name") -> None:
    """As contact_choices, for rows labelled by one column."""
    field.queryset = queryset
    field.widget.choices = [("", field.empty_label)] + list(queryset.values_list("pk", label))
