"""The REST API's shapes: explicit output serializers and the inputs of the read endpoints.

Output serializers only describe data the selectors already loaded; they never query. Markdown
fields come twice: the raw source (``text``) and the sanitised HTML (``text_html``).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.fields import UtcDateTimeField
from deliberation.lines import numbered
from deliberation.models import Circle, Concept, Goal
from kernel.rendering import render_markdown


@extend_schema_field(OpenApiTypes.STR)
class MarkdownHtmlField(serializers.Field):
    """A Markdown attribute rendered to sanitised HTML (see ``kernel.rendering``)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> str:
        return render_markdown(value)


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, as ``get_<field>_display`` gives it, from a table
    translated once per language: ``get_FOO_display`` rebuilds and hashes the choices for
    every object, and DRF inspects the method's signature each time (a third of a goal
    list). Still a string in the schema."""

    def __init__(self, choices: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.choices = choices
        self._tables: dict[str, dict[Any, str]] = {}

    def to_representation(self, value: Any) -> str:
        language = get_language() or ""
        table = self._tables.get(language)
        if table is None:
            table = self._tables[language] = {v: str(label) for v, label in self.choices}
        return table.get(value, str(value))


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.SerializerMethodField()

    def get_name(self, user: Any) -> str:
        return str(user.get_full_name() or user.get_username())


class ActionFieldRefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    order = serializers.IntegerField()


class ConceptSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    period_start = serializers.IntegerField()
    period_end = serializers.IntegerField()
    resolution_reference = serializers.CharField()
    summary = serializers.CharField()
    preamble = serializers.CharField()
    preamble_html = MarkdownHtmlField(source="preamble")
    status = serializers.ChoiceField(choices=Concept.Status.choices)
    status_label = ChoiceLabelField(Concept.Status.choices, source="status")
    ideas_deadline = UtcDateTimeField(allow_null=True)
    contact_email = serializers.CharField()
    owner = serializers.CharField()
    action_fields = ActionFieldRefSerializer(many=True)


class GoalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    status_label = ChoiceLabelField(Goal.Status.choices, source="status")
    current_version_number = serializers.SerializerMethodField()

    def get_current_version_number(self, goal: Goal) -> int | None:
        return goal.current_version.number if goal.current_version else None


class ActionFieldSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    concept = serializers.SlugField(source="concept.slug")
    initial_situation = serializers.CharField()
    initial_situation_html = MarkdownHtmlField(source="initial_situation")
    goals = GoalRefSerializer(many=True)


class VersionLineSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text='Runs through the version: "Zeile 12".')
    paragraph = serializers.IntegerField(help_text="1 = the version's first paragraph.")
    text = serializers.CharField(help_text="The line's Markdown source.")


@extend_schema_field(VersionLineSerializer(many=True))
class VersionLinesField(serializers.Field):
    """The version's numbered lines (``deliberation.lines``: 80 characters, words never split),
    the numbers the pages, the room and the exports show."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, value: str) -> list[dict[str, Any]]:
        return [
            {"number": line.number, "paragraph": paragraph.number, "text": line.text}
            for paragraph in numbered(value)
            for line in paragraph.lines
        ]


class GoalVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    text = serializers.CharField()
    text_html = MarkdownHtmlField(source="text")
    lines = VersionLinesField(source="text")
    rationale = serializers.CharField()
    rationale_html = MarkdownHtmlField(source="rationale")
    change_note = serializers.CharField()
    author = PersonSerializer(allow_null=True)
    created_at = UtcDateTimeField()


class GoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    order = serializers.IntegerField()
    action_field = serializers.SlugField(source="action_field.slug")
    status = serializers.ChoiceField(choices=Goal.Status.choices)
    status_label = ChoiceLabelField(Goal.Status.choices, source="status")
    status_changed_at = UtcDateTimeField(allow_null=True)
    created_at = UtcDateTimeField()
    current_version = GoalVersionSerializer(allow_null=True)


class CircleSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Circle.Kind.choices)
    kind_label = ChoiceLabelField(Circle.Kind.choices, source="kind")
    is_public = serializers.BooleanField()
    action_field = serializers.SlugField(source="action_field.slug")


# Inputs: the filters of the list endpoints, validated before any query runs.


class ActionFieldFilterSerializer(serializers.Serializer):
    concept = serializers.SlugField(
        required=False, help_text="Only the action fields of this concept (its slug)."
    )


class GoalFilterSerializer(serializers.Serializer):
    action_field = serializers.SlugField(
        required=False, help_text="Only the goals of this action field (its slug)."
    )
    status = serializers.ChoiceField(
        choices=Goal.Status.choices, required=False, help_text="Only goals in this status."
    )


class CircleFilterSerializer(serializers.Serializer):
    action_field = serializers.SlugField(
        required=False, help_text="Only the circles of this action field (its slug)."
    )
