"""Helpers and messages shared by participation's API views."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from deliberation.models import ActionField, Concept

TAGS = ["participation"]


NO_QUESTIONNAIRE = _("Kein sichtbarer Fragebogen mit dieser Nummer.")


NO_QUESTION = _("Dieser Fragebogen hat keine Frage mit dieser Nummer.")


NO_INVITATION = _("Dieser Einladungslink ist ungültig.")


NO_CONCEPT = _("Kein Konzept mit diesem Kurznamen.")


NO_FIELD = _("Kein Handlungsfeld mit diesem Kurznamen.")


NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")


NO_CONTRIBUTION = _("Kein sichtbarer Beitrag mit dieser Nummer.")


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _concept(slug: str) -> Concept:
    concept = Concept.objects.filter(slug=slug).first()
    if concept is None:
        raise exceptions.NotFound(NO_CONCEPT)
    return concept


def _field(concept: Concept, slug: str | None) -> ActionField | None:
    if slug is None:
        return None
    field = concept.action_fields.filter(slug=slug).first()
    if field is None:
        raise exceptions.ValidationError({"action_field": [str(NO_FIELD)]})
    return field
