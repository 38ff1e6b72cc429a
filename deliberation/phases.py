"""The phase-feature table: which actions a room's state allows, whoever asks.

A room is in free discussion (no round open) or in its active round's phase. This table is
the one answer to "may this be done now?": the rules' phase predicates ask it
(``deliberation.rules``), the services ask it through those rules under the room lock, and the
room page embeds it so the posting box, the rating form and the idea form follow the phase
exactly as the server decides. *Who* may act is the roles' business (``deliberation.rules``);
this table only says *when*.

Adding an action: name it in ``Action``, list it under the phases that allow it, add a
permission in ``deliberation.rules`` that combines a role predicate with
``phase_allows(Action.X)``, and ask that permission in the service.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

FREE = "free"  # no round open: free discussion


class Action(StrEnum):
    COMMENT = "comment"  # post, reply
    RATE = "rate"  # rate a goal on the agenda
    PROPOSE_IDEA = "propose_idea"  # propose a new goal
    RUN_AGENDA = "run_agenda"  # start an agenda item's countdown
    SET_DISPOSITION = "set_disposition"  # decide on a piece of feedback
    PUBLISH_REVISION = "publish_revision"  # publish a goal's new version


PHASE_FEATURES: dict[str, frozenset[Action]] = {
    FREE: frozenset({Action.COMMENT, Action.PUBLISH_REVISION}),
    "discussion": frozenset({Action.COMMENT, Action.RATE, Action.PROPOSE_IDEA, Action.RUN_AGENDA}),
    "evaluation": frozenset({Action.SET_DISPOSITION, Action.RUN_AGENDA}),
    "revision": frozenset({Action.PUBLISH_REVISION}),
}


def phase_key(phase: str | None) -> str:
    """The table's key for a round phase (``None`` or ``"closed"``: free discussion)."""
    if phase is None or phase == "closed":
        return FREE
    return phase


def allows(phase: str | None, action: Action) -> bool:
    """Whether a room whose active round is in ``phase`` (``None``: no round) allows ``action``."""
    return action in PHASE_FEATURES.get(phase_key(phase), frozenset())


def table() -> dict[str, list[str]]:
    """The table as JSON for the room page: ``{"free": ["comment", …], "discussion": …}``."""
    return {key: sorted(str(a) for a in actions) for key, actions in PHASE_FEATURES.items()}


def active_phase(obj: Any) -> str | None:
    """The phase of the active round of ``obj`` (a Round, a Circle, or anything with a
    ``circle``); ``None`` when no round is open. A Round is taken as it is (services hold it
    under the room lock); a Circle costs one query."""
    from deliberation.models import Circle, Round
    from deliberation.rounds.selectors import active_rounds

    if isinstance(obj, Round):
        return None if obj.phase == Round.Phase.CLOSED else obj.phase
    circle = obj if isinstance(obj, Circle) else getattr(obj, "circle", None)
    if circle is None:
        return None
    return active_rounds(circle).values_list("phase", flat=True).first()
