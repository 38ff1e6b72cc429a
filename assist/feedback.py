"""The feedback of a round as the assistance sees it: every comment, idea, free-text answer
and public contribution, each under a short reference (``c12``, ``i3``, ``a7``, ``p5``) that
summaries cite and clusters name."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from deliberation.models import Round
from deliberation.rounds import selectors as round_selectors
from deliberation.rounds.feedback_sources import public_feedback
from deliberation.rounds.selectors import FeedbackItem

PREFIX = {"comment": "c", "idea": "i", "answer": "a", "contribution": "p"}
KIND_OF_PREFIX = {prefix: kind for kind, prefix in PREFIX.items()}
KIND_LABELS = {
    "comment": _("Kommentar"),
    "idea": _("Idee"),
    "answer": _("Antwort"),
    "contribution": _("Beitrag"),
}


def ref(item: FeedbackItem) -> str:
    return f"{PREFIX[item.kind]}{item.pk}"


def round_items(round_: Round) -> dict[str, FeedbackItem]:
    """Every piece of feedback said in ``round_`` (its comments and ideas) and the public's
    feedback it evaluates, by reference; vote reasons are not feedback of a round."""
    goal_ids = [item.goal_id for item in round_selectors.round_agenda(round_)]
    items = round_selectors.round_feedback(round_) + public_feedback(round_, goal_ids=goal_ids).all
    return {ref(item): item for item in items if item.kind in PREFIX}


def goal_items(items: dict[str, FeedbackItem], goal_id: int) -> dict[str, FeedbackItem]:
    return {key: item for key, item in items.items() if item.goal_id == goal_id}
