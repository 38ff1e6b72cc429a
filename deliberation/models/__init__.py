"""The integration concept's domain models, by part: ``concept`` (concept, fields, circles,
goals, versions), ``room`` (comments, hands, the event log) and ``rounds`` (rounds, agenda,
ratings, ideas, dispositions). All in the ``deliberation`` app.

Models hold data and constraints only. Every change goes through a service
(``deliberation.services``, ``deliberation.rounds.services``); reads through selectors.
"""

from deliberation.models.concept import (
    ActionField,
    Circle,
    Concept,
    Goal,
    GoalStatusChange,
    GoalVersion,
    Membership,
)
from deliberation.models.drafting import AnchorPlacement, PlainText
from deliberation.models.proposals import ChangeProposal, ProposalBallot, ProposalVote
from deliberation.models.room import (
    Comment,
    HandRaise,
    ModerationRecord,
    Pulse,
    PulseAnswer,
    RoomEvent,
)
from deliberation.models.rounds import (
    DISPOSITION_TARGETS,
    EXACTLY_ONE_DISPOSITION_TARGET,
    EXACTLY_ONE_FEEDBACK,
    AgendaItem,
    CarriedFeedback,
    Disposition,
    Idea,
    Rating,
    Round,
    RoundComment,
    VersionFeedbackLink,
    VoteReason,
)

__all__ = [
    "DISPOSITION_TARGETS",
    "EXACTLY_ONE_DISPOSITION_TARGET",
    "EXACTLY_ONE_FEEDBACK",
    "ActionField",
    "AgendaItem",
    "AnchorPlacement",
    "CarriedFeedback",
    "ChangeProposal",
    "Circle",
    "Comment",
    "Concept",
    "Disposition",
    "Goal",
    "GoalStatusChange",
    "GoalVersion",
    "HandRaise",
    "Idea",
    "Membership",
    "ModerationRecord",
    "PlainText",
    "ProposalBallot",
    "ProposalVote",
    "Pulse",
    "PulseAnswer",
    "Rating",
    "RoomEvent",
    "Round",
    "RoundComment",
    "VersionFeedbackLink",
    "VoteReason",
]
