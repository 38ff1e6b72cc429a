"""Feedback from outside the circle that a round evaluates, by registration.

A round's report and evaluation list the circle's own feedback (comments, ideas) and the
public's (questionnaire answers, contributions: ``participation``). The rounds do not import
participation — it sits above them and depends on them. Instead, participation registers a
source when it starts (``ParticipationConfig.ready``); each source answers, for a round and
the goals on its agenda, with the items it holds. Without a registered source a round simply
has no public feedback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from deliberation.models import Round
from deliberation.rounds.selectors import FeedbackItem


@dataclass
class PublicFeedback:
    by_goal: dict[int, list[FeedbackItem]] = field(default_factory=dict)
    ideas: list[FeedbackItem] = field(default_factory=list)  # unlinked ideas of the field

    @property
    def all(self) -> list[FeedbackItem]:
        return [item for items in self.by_goal.values() for item in items] + self.ideas


Source = Callable[..., PublicFeedback]  # (round_, *, goal_ids: Iterable[int])

_sources: dict[str, Source] = {}


def register_public_feedback(name: str, source: Source) -> None:
    """Register (or replace) the source called ``name``: idempotent, so a second ``ready()``
    (tests, autoreload) does not count its feedback twice."""
    _sources[name] = source


def public_feedback(round_: Round, *, goal_ids: Iterable[int]) -> PublicFeedback:
    """Every registered source's feedback for ``round_``, merged."""
    goal_ids = list(goal_ids)
    merged = PublicFeedback()
    for source in _sources.values():
        found = source(round_, goal_ids=goal_ids)
        for goal_id, items in found.by_goal.items():
            merged.by_goal.setdefault(goal_id, []).extend(items)
        merged.ideas.extend(found.ideas)
    return merged
