"""The Markdown exports of the binding text with its line numbers (``deliberation.lines``)
and, beside it, the plain-language twin (``deliberation.plain``): of one version and of the
whole concept's current versions."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from deliberation import lines, plain
from deliberation.models import Concept, Goal, GoalVersion


def version_markdown(version: GoalVersion, *, heading: str = "#") -> str:
    parts = [
        f"{heading} {version.goal.title}",
        _("Fassung %(n)s – verbindlicher Text; über ihn wird abgestimmt.") % {"n": version.number},
        numbered_with_twin(version, heading=f"{heading}#"),
    ]
    return "\n\n".join(parts) + "\n"


def numbered_with_twin(version: GoalVersion, *, heading: str = "####") -> str:
    """The numbered binding text, then (if there is one) the twin with its note."""
    parts = [lines.as_markdown(version.text).rstrip()]
    twin = plain.plain_data(version)
    if twin is not None:
        parts.append(f"{heading} {_('In Leichter Sprache')}")
        parts.append(
            _("Das ist eine Hilfe zum Lesen. Abgestimmt wird nur über den verbindlichen Text.")
        )
        if twin["outdated"]:
            parts.append(
                "**"
                + _("veraltet – bezieht sich auf Fassung %(n)s") % {"n": twin["version"]["number"]}
                + "**"
            )
        parts.append(twin["text"].strip())
    return "\n\n".join(parts)


def concept_markdown(concept: Concept) -> str:
    """Every action field of the concept with its goals' current versions, numbered."""
    parts = [f"# {concept.title}"]
    fields = concept.action_fields.order_by("order", "pk").prefetch_related(
        Prefetch(
            "goals",
            queryset=Goal.objects.select_related("current_version").order_by("order", "pk"),
        )
    )
    for field in fields:
        parts.append(f"## {field.title}")
        for goal in field.goals.all():
            if goal.current_version is not None:
                goal.current_version.goal = goal
                parts.append(version_markdown(goal.current_version, heading="###").rstrip())
    return "\n\n".join(parts) + "\n"
