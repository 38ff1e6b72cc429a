"""Template helpers that show where feedback goes: the concerns and vetoes of a vote."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from deliberation.rounds import selectors as round_selectors

register = template.Library()


@register.simple_tag
def motion_vote_reasons(motion: Any) -> list[dict[str, Any]]:
    """The concerns and vetoes a closed vote handed to the goal's revision, each with a link
    to where it is evaluated: the report of the round that took it over (at its item), or
    the room until the goal's next round opens there."""
    found = []
    for item, round_ in round_selectors.motion_vote_reasons(motion.pk):
        reason = item.obj
        if round_ is not None:
            url = reverse("rounds:report", args=[round_.circle.slug, round_.number])
            url += f"#rueckmeldung-vote_reason-{reason.pk}"
        else:
            url = reverse("frontend:room", args=[motion.circle.slug])
        found.append({"item": item, "reason": reason, "round": round_, "url": url})
    return found
