"""The participation box on the public concept page: the idea deadline, open public
questionnaires and the newest approved questions and opinions, with links to take part."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from deliberation.models import Concept
from participation import selectors, services
from participation.forms import OpinionForm

register = template.Library()


@register.inclusion_tag("participation/_concept_box.html", takes_context=True)
def participation_box(context: dict[str, Any], concept: Concept) -> dict[str, Any]:
    deadline = concept.ideas_deadline
    user = context.get("user")
    return {
        "concept": concept,
        "user": user,
        "csrf_token": context.get("csrf_token"),
        # the form right on the concept page, for signed-in people
        "form": OpinionForm() if getattr(user, "is_authenticated", False) else None,
        "ideas_deadline": deadline,
        "ideas_closed": deadline is not None and timezone.now() >= deadline,
        "contact_email": services.contact_email(concept),
        "questionnaires": selectors.open_public_questionnaires(concept),
        # The box shows body, kind and author: the list's other joins would cost more than
        # the rest of the box.
        "opinions": list(
            selectors.public_contributions(concept, kinds=["question", "opinion"])
            .select_related(None)
            .select_related("author")[:3]
        ),
    }
