"""Serializer fields the topic modules of the releases API share: choice fields documented
as named enums, and the `version` an update names to be refused when stale."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


def enum_field(name: str, choices, description: str):
    """A choice field documented as its own named enum component, so that two `status` fields
    with different choices (a release's, an initiative's) do not collide in the schema."""

    @extend_schema_field(
        {"type": "string", "enum": [value for value, _label in choices],
         "description": description + " " + "; ".join(f"`{value}`: {label}" for value, label in choices)},
        component_name=name,
    )
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices, **kwargs)

    EnumField.__name__ = name
    return EnumField


def version_field(what: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, min_value=0, write_only=True,
        help_text=f"The version of the {what} you read. If someone saved it since, the update is refused with 409.",
    )
