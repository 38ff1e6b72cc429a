"""Every read about rounds: the active round, agenda, ratings, ideas, feedback and its trail.

"Feedback" is what a round's evaluation answers: the visible top-level comments said in a
room (replies belong to their thread), the ideas proposed there, and the concerns and vetoes
given in a vote on one of its goals (``VoteReason``), which the goal's next round takes over.
A piece of feedback is *settled* when its disposition needs nothing more: "not accepted"
and "answered" at once, "accepted" and "partially accepted" once a version has taken it up.
Everything else is *open*, and a new round on the same goals carries it over.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from deliberation import payloads
from deliberation.models import (
    AgendaItem,
    CarriedFeedback,
    Circle,
    Comment,
    Disposition,
    Goal,
    GoalVersion,
    Idea,
    Rating,
    Round,
    RoundComment,
    VersionFeedbackLink,
    VoteReason,
)
from deliberation.rules import visible_circles_filter
from kernel.prepared import Prepared
from kernel.times import utc_iso

SETTLED_WITHOUT_VERSION = frozenset({Disposition.Value.NOT_ACCEPTED, Disposition.Value.ANSWERED})


# --- rounds and agenda ---------------------------------------------------------------------


def active_rounds(circle: Circle | int) -> QuerySet[Round]:
    """The circle's rounds that are not closed: at most one (a database constraint). The one
    place this query is written."""
    return Round.objects.filter(circle=circle).exclude(phase=Round.Phase.CLOSED)


def active_round(circle: Circle | int) -> Round | None:
    """The circle's active round, if any. Under the room lock its phase cannot change."""
    return active_rounds(circle).select_related("circle", "opened_by", "current_item").first()


_active_round_row = Prepared(lambda circle: active_rounds(circle).order_by("pk")[:1])


def active_round_row(circle_id: int) -> Round | None:
    """The circle's active round without its related rows (number, phase, current item id):
    what a room command asks under the room lock, compiled once (``kernel.prepared``)."""
    return _active_round_row.first(circle_id)


def circle_rounds(circle: Circle) -> QuerySet[Round]:
    return Round.objects.filter(circle=circle).select_related("opened_by").order_by("number")


def round_by_number(circle: Circle, number: int) -> Round | None:
    return (
        Round.objects.select_related("circle__action_field", "opened_by", "current_item")
        .filter(circle=circle, number=number)
        .first()
    )


def round_agenda(round_: Round) -> list[AgendaItem]:
    return list(
        AgendaItem.objects.filter(round=round_)
        .select_related("goal__current_version", "version")
        .order_by("order")
    )


def round_state(round_: Round, *, now: datetime | None = None) -> dict[str, Any]:
    """The round as events and snapshots describe it (countdown as of ``now``)."""
    return payloads.round_data(
        round_, agenda=round_agenda(round_), now=now if now is not None else timezone.now()
    )


# --- ratings -------------------------------------------------------------------------------


def rating_aggregates(round_: Round) -> dict[int, dict[str, Any]]:
    """The "Stimmungsbild" of every goal on the agenda, by goal id (one query for ratings)."""
    by_goal: dict[int, list[Rating]] = defaultdict(list)
    for rating in (
        Rating.objects.filter(round=round_).select_related("expert").order_by("updated_at", "pk")
    ):
        by_goal[rating.goal_id].append(rating)
    goal_ids = AgendaItem.objects.filter(round=round_).order_by("order").values_list("goal_id")
    return {
        goal_id: payloads.rating_aggregate_data(round_, goal_id, by_goal.get(goal_id, []))
        for (goal_id,) in goal_ids
    }


_goal_ratings: Prepared[Rating] = Prepared(
    lambda round_, goal: Rating.objects.filter(round_id=round_, goal_id=goal).order_by(
        "updated_at", "pk"
    )
)


def rating_aggregate(round_: Round, goal_id: int) -> dict[str, Any]:
    """One goal's aggregate (every rating asks it: compiled once, ``kernel.prepared``); the
    experts are read only where the round shows the individual ratings."""
    if round_.ratings_public:
        ratings = list(
            Rating.objects.filter(round=round_, goal_id=goal_id)
            .select_related("expert")
            .order_by("updated_at", "pk")
        )
    else:
        ratings = _goal_ratings.all(round_.pk, goal_id)
    return payloads.rating_aggregate_data(round_, goal_id, ratings)


_agenda_item: Prepared[AgendaItem] = Prepared(
    lambda round_, goal: AgendaItem.objects.filter(round_id=round_, goal_id=goal).order_by()[:1]
)
_own_rating: Prepared[Rating] = Prepared(
    lambda round_, goal, expert: Rating.objects.filter(
        round_id=round_, goal_id=goal, expert_id=expert
    ).order_by()[:1]
)


def on_agenda(round_: Round, goal_id: int) -> bool:
    """Whether the goal is on the round's agenda (compiled once: every rating asks it)."""
    return _agenda_item.first(round_.pk, goal_id) is not None


def own_rating(round_: Round, goal_id: int, expert_id: int) -> Rating | None:
    """The expert's rating of the goal in the round (compiled once: every rating asks it)."""
    return _own_rating.first(round_.pk, goal_id, expert_id)


def own_ratings(round_: Round, user: Any) -> list[Rating]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Rating.objects.filter(round=round_, expert=user).select_related("expert").order_by("goal")
    )


# --- ideas ---------------------------------------------------------------------------------


def round_ideas(round_: Round) -> QuerySet[Idea]:
    return (
        Idea.objects.filter(round=round_)
        .select_related("author", "decided_by", "resulting_goal")
        .order_by("created_at", "pk")
    )


def is_settled(disposition: Disposition | None) -> bool:
    if disposition is None:
        return False
    return disposition.value in SETTLED_WITHOUT_VERSION or disposition.addressed_in_id is not None


FeedbackKind = Literal["comment", "idea", "contribution", "answer", "vote_reason"]


@dataclass
class FeedbackItem:
    """One comment or idea with what became of it: its disposition and the versions that
    name it. ``round_number`` is the round it was said in (None: outside any round).

    The public's feedback (``participation``) comes as the same item: ``obj`` is
    a ``Contribution`` or a free-text ``Answer``, which offer ``author``, ``created_at`` and
    ``feedback_text``; ``author`` is None for an invitee without an account.

    A concern or veto from a vote (``kind == "vote_reason"``, ``obj`` a ``VoteReason``)
    has no author when the vote was secret; its ``created_at`` is the close of the vote."""

    kind: FeedbackKind
    obj: Any  # Comment | Idea | VoteReason | participation.Contribution | participation.Answer
    goal_id: int | None
    round_number: int | None
    disposition: Disposition | None
    versions: list[GoalVersion] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.obj.pk

    @property
    def author(self) -> Any:
        return self.obj.author

    @property
    def created_at(self) -> datetime:
        return self.obj.created_at

    @property
    def text(self) -> str:
        if isinstance(self.obj, Idea):
            return f"{self.obj.title}\n\n{self.obj.text}"
        if isinstance(self.obj, Comment):
            return self.obj.body
        if isinstance(self.obj, VoteReason):
            return self.obj.text
        return str(self.obj.feedback_text)

    @property
    def label(self) -> str | None:
        """The item's own title where its kind has one: "Veto aus Abstimmung Nr. 7"."""
        return self.obj.label if isinstance(self.obj, VoteReason) else None

    @property
    def settled(self) -> bool:
        return is_settled(self.disposition)

    def _ref(self) -> dict[str, Any]:
        return {str(self.kind): self.obj}

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            **payloads.feedback_ref(**self._ref()),
            "round_number": self.round_number,
            "author": payloads.person(self.author),
            "created_at": utc_iso(self.created_at),
            "text": self.text,
            "settled": self.settled,
            "disposition": (
                payloads.disposition_data(self.disposition) if self.disposition else None
            ),
            "versions": [
                {"id": v.pk, "goal": v.goal_id, "number": v.number} for v in self.versions
            ],
        }
        if isinstance(self.obj, Idea):
            data["idea"] = payloads.idea_data(self.obj)
        if isinstance(self.obj, VoteReason):
            data["vote_reason"] = payloads.vote_reason_data(self.obj)
        return data


_DISPOSITION_RELATED = (
    "disposition__decided_by",
    "disposition__addressed_in",
    "disposition__comment",
    "disposition__idea",
    "disposition__vote_reason",
)


def _feedback_comments() -> QuerySet[Comment]:
    return (
        Comment.objects.filter(parent__isnull=True, state=Comment.State.VISIBLE)
        .select_related("author", "round_link__round", *_DISPOSITION_RELATED)
        .prefetch_related(
            Prefetch(
                "version_links",
                queryset=VersionFeedbackLink.objects.select_related("version").order_by(
                    "version__number"
                ),
            )
        )
        .order_by("created_at", "pk")
    )


def _feedback_ideas() -> QuerySet[Idea]:
    return (
        Idea.objects.select_related(
            "author", "decided_by", "resulting_goal", "round", *_DISPOSITION_RELATED
        )
        .prefetch_related(
            Prefetch(
                "version_links",
                queryset=VersionFeedbackLink.objects.select_related("version").order_by(
                    "version__number"
                ),
            )
        )
        .order_by("created_at", "pk")
    )


def _feedback_vote_reasons() -> QuerySet[VoteReason]:
    return (
        VoteReason.objects.select_related("author", *_DISPOSITION_RELATED)
        .prefetch_related(
            Prefetch(
                "version_links",
                queryset=VersionFeedbackLink.objects.select_related("version").order_by(
                    "version__number"
                ),
            )
        )
        .order_by("motion_id", "pk")
    )


def _disposition_of(obj: Comment | Idea | VoteReason) -> Disposition | None:
    try:
        return obj.disposition
    except Disposition.DoesNotExist:
        return None


def _comment_item(comment: Comment) -> FeedbackItem:
    try:
        round_number: int | None = comment.round_link.round.number
    except RoundComment.DoesNotExist:
        round_number = None
    return FeedbackItem(
        kind="comment",
        obj=comment,
        goal_id=comment.goal_id,
        round_number=round_number,
        disposition=_disposition_of(comment),
        versions=[link.version for link in comment.version_links.all()],
    )


def _idea_item(idea: Idea) -> FeedbackItem:
    return FeedbackItem(
        kind="idea",
        obj=idea,
        goal_id=None,
        round_number=idea.round.number if idea.round_id and idea.round else None,
        disposition=_disposition_of(idea),
        versions=[link.version for link in idea.version_links.all()],
    )


def _vote_reason_item(reason: VoteReason) -> FeedbackItem:
    return FeedbackItem(
        kind="vote_reason",
        obj=reason,
        goal_id=reason.goal_id,
        round_number=None,
        disposition=_disposition_of(reason),
        versions=[link.version for link in reason.version_links.all()],
    )


def round_feedback(round_: Round) -> list[FeedbackItem]:
    """The feedback said in ``round_``: its comments (oldest first), then its ideas."""
    comments = _feedback_comments().filter(round_link__round=round_)
    ideas = _feedback_ideas().filter(round=round_)
    return [_comment_item(c) for c in comments] + [_idea_item(i) for i in ideas]


def _earlier_comments(round_: Round) -> QuerySet[Comment]:
    """Comments in the room on the round's agenda goals said before the round: in an earlier
    round, or in free discussion before it opened."""
    goal_ids = AgendaItem.objects.filter(round=round_).values("goal_id")
    return _feedback_comments().filter(
        Q(round_link__round__number__lt=round_.number)
        | Q(round_link__isnull=True, created_at__lte=round_.opened_at),
        circle_id=round_.circle_id,
        goal_id__in=goal_ids,
    )


def _earlier_ideas(round_: Round) -> QuerySet[Idea]:
    return _feedback_ideas().filter(
        Q(round__number__lt=round_.number)
        | Q(round__isnull=True, created_at__lte=round_.opened_at),
        circle_id=round_.circle_id,
    )


def _earlier_vote_reasons(round_: Round) -> QuerySet[VoteReason]:
    """Concerns and vetoes from votes in the room on the round's agenda goals that closed
    before the round opened."""
    goal_ids = AgendaItem.objects.filter(round=round_).values("goal_id")
    return _feedback_vote_reasons().filter(
        circle_id=round_.circle_id, goal_id__in=goal_ids, created_at__lte=round_.opened_at
    )


def feedback_to_carry(round_: Round) -> list[FeedbackItem]:
    """What a new round takes over: earlier feedback on its goals (comments, and the
    concerns and vetoes of votes on them) and earlier ideas of the room that is still open.
    Asked once, when the round opens (``CarriedFeedback``)."""
    items = [_comment_item(c) for c in _earlier_comments(round_)]
    items += [_idea_item(i) for i in _earlier_ideas(round_)]
    items += [_vote_reason_item(r) for r in _earlier_vote_reasons(round_)]
    return [item for item in items if not item.settled]


def carried_feedback(round_: Round) -> list[FeedbackItem]:
    """The earlier feedback the round took over when it opened, as it stands now: comments,
    ideas, then the concerns and vetoes of votes (by vote, in their stored order)."""
    carried = CarriedFeedback.objects.filter(round=round_)
    comments = _feedback_comments().filter(pk__in=carried.values("comment_id"))
    ideas = _feedback_ideas().filter(pk__in=carried.values("idea_id"))
    reasons = _feedback_vote_reasons().filter(pk__in=carried.values("vote_reason_id"))
    return (
        [_comment_item(c) for c in comments]
        + [_idea_item(i) for i in ideas]
        + [_vote_reason_item(r) for r in reasons]
    )


def carried_vote_reasons(round_: Round) -> list[VoteReason]:
    """The concerns and vetoes the round took over, for its snapshot."""
    carried = CarriedFeedback.objects.filter(round=round_, vote_reason__isnull=False)
    return list(
        VoteReason.objects.filter(pk__in=carried.values("vote_reason_id"))
        .select_related("author")
        .order_by("motion_id", "pk")
    )


def motion_vote_reasons(motion_id: int) -> list[tuple[FeedbackItem, Round | None]]:
    """The concerns and vetoes a vote handed to the revision, each with the round of its
    room that took it over (None until the goal's next round opens); for the result page."""
    items = [_vote_reason_item(r) for r in _feedback_vote_reasons().filter(motion_id=motion_id)]
    rounds: dict[int, Round] = {}
    for carried in (
        CarriedFeedback.objects.filter(vote_reason__motion_id=motion_id)
        .select_related("round__circle")
        .order_by("round__number")
    ):
        assert carried.vote_reason_id is not None
        rounds.setdefault(carried.vote_reason_id, carried.round)
    return [(item, rounds.get(item.pk)) for item in items]


def open_feedback(round_: Round) -> list[FeedbackItem]:
    """The carry-over that is still open: taken over by the round and not yet settled."""
    return [item for item in carried_feedback(round_) if not item.settled]


def comment_trace(comment: Comment | int) -> FeedbackItem | None:
    """What became of a comment: its disposition, the response, the versions that took it up.

    None for replies and hidden comments, which are not feedback."""
    pk = comment if isinstance(comment, int) else comment.pk
    found = _feedback_comments().filter(pk=pk).first()
    return _comment_item(found) if found is not None else None


def comment_traces(comment_ids: Iterable[int]) -> dict[int, FeedbackItem]:
    """:func:`comment_trace` for many comments at once (a goal page's or room's thread)."""
    return {c.pk: _comment_item(c) for c in _feedback_comments().filter(pk__in=list(comment_ids))}


def idea_trace(idea: Idea | int) -> FeedbackItem | None:
    pk = idea if isinstance(idea, int) else idea.pk
    found = _feedback_ideas().filter(pk=pk).first()
    return _idea_item(found) if found is not None else None


def version_feedback(version: GoalVersion) -> list[FeedbackItem]:
    """The feedback that shaped a version: what its drafters linked when publishing it."""
    return goal_versions_feedback(version.goal_id, version_ids=[version.pk]).get(version.pk, [])


def goal_versions_feedback(
    goal: Goal | int, *, version_ids: Iterable[int] | None = None
) -> dict[int, list[FeedbackItem]]:
    """For each version of a goal (by version id), the feedback it took up; for the goal
    page's version history. A bounded number of queries whatever the number of versions."""
    goal_id = goal if isinstance(goal, int) else goal.pk
    links = VersionFeedbackLink.objects.filter(version__goal_id=goal_id)
    if version_ids is not None:
        links = links.filter(version_id__in=list(version_ids))
    pairs = list(
        links.values_list("version_id", "comment_id", "idea_id", "vote_reason_id").order_by("pk")
    )
    comments = {
        c.pk: _comment_item(c)
        for c in _feedback_comments().filter(pk__in={c for _v, c, _i, _r in pairs if c})
    }
    ideas = {
        i.pk: _idea_item(i)
        for i in _feedback_ideas().filter(pk__in={i for _v, _c, i, _r in pairs if i})
    }
    reasons = {
        r.pk: _vote_reason_item(r)
        for r in _feedback_vote_reasons().filter(pk__in={r for _v, _c, _i, r in pairs if r})
    }
    result: dict[int, list[FeedbackItem]] = defaultdict(list)
    for version_id, comment_id, idea_id, reason_id in pairs:
        if comment_id:
            item = comments.get(comment_id)
        elif idea_id:
            item = ideas.get(idea_id)
        else:
            item = reasons.get(reason_id or 0)
        if item is not None:
            result[version_id].append(item)
    return dict(result)


def goal_versions(goal: Goal) -> list[GoalVersion]:
    return list(goal.versions.select_related("author").order_by("number"))


def goal_version(goal: Goal | int, number: int) -> GoalVersion | None:
    return (
        GoalVersion.objects.select_related("author", "goal")
        .filter(goal__pk=goal if isinstance(goal, int) else goal.pk, number=number)
        .first()
    )


def visible_circle_ids(user: Any) -> set[int] | None:
    """Ids of the circles whose room ``user`` may see (the ``view_room`` rule in one query);
    ``None`` means all (staff)."""
    visible = visible_circles_filter(user)
    if visible is None:
        return None
    return set(Circle.objects.filter(visible).values_list("pk", flat=True))


def visible_feedback(items: Iterable[FeedbackItem], user: Any) -> list[FeedbackItem]:
    """Only the feedback said in rooms ``user`` may see: a goal page is public, a private
    circle's comments are not."""
    allowed = visible_circle_ids(user)
    return [item for item in items if allowed is None or item.obj.circle_id in allowed]


def version_pair(
    goal: Goal, *, old: int | None = None, new: int | None = None
) -> tuple[GoalVersion, GoalVersion] | None:
    """Two versions of a goal to compare; by default the current one and the one before.
    None if a number does not exist."""
    numbers = sorted(goal.versions.values_list("number", flat=True))
    if not numbers:
        return None
    if new is None:
        new = goal.current_version.number if goal.current_version else numbers[-1]
    if old is None:
        earlier = [n for n in numbers if n < new]
        old = earlier[-1] if earlier else new
    if old not in numbers or new not in numbers:
        return None
    versions = {
        v.number: v
        for v in GoalVersion.objects.select_related("author").filter(
            goal=goal, number__in=[old, new]
        )
    }
    return versions[old], versions[new]


def round_snapshot(round_: Round, *, now: datetime | None = None) -> dict[str, Any]:
    """The round part of a room's snapshot, in the shapes its events carry: the round with
    agenda and countdown, the rating aggregates, every idea and disposition of the room, and
    the feedback the round took over (a client tells open from settled by its disposition).
    """
    circle_id = round_.circle_id
    dispositions = (
        Disposition.objects.filter(
            Q(comment__circle_id=circle_id)
            | Q(idea__circle_id=circle_id)
            | Q(vote_reason__circle_id=circle_id)
        )
        .select_related("comment", "idea", "vote_reason", "decided_by", "addressed_in")
        .order_by("pk")
    )
    ideas = (
        Idea.objects.filter(circle_id=circle_id)
        .select_related("author", "decided_by")
        .order_by("pk")
    )
    carried = (
        CarriedFeedback.objects.filter(round=round_)
        .select_related("comment__round_link__round", "idea__round", "vote_reason")
        .order_by("pk")
    )
    return {
        "round": round_state(round_, now=now),
        "ratings": list(rating_aggregates(round_).values()),
        "ideas": [payloads.idea_data(idea) for idea in ideas],
        "dispositions": [payloads.disposition_data(d) for d in dispositions],
        # ``from_round``: the round it was said in (None: free discussion, or a vote).
        "carried_over": [
            {
                **payloads.feedback_ref(comment=c.comment, idea=c.idea, vote_reason=c.vote_reason),
                "from_round": _said_in_round(c),
            }
            for c in carried
        ],
        "vote_reasons": [payloads.vote_reason_data(r) for r in carried_vote_reasons(round_)],
    }


def _said_in_round(carried: CarriedFeedback) -> int | None:
    if carried.idea is not None:
        idea_round = carried.idea.round
        return idea_round.number if idea_round is not None else None
    if carried.comment is not None:
        try:
            return carried.comment.round_link.round.number
        except RoundComment.DoesNotExist:
            return None
    return None


def room_round_snapshot(circle: Circle, *, now: datetime | None = None) -> dict[str, Any] | None:
    """:func:`round_snapshot` of the circle's active round; None when there is none."""
    round_ = active_round(circle)
    return round_snapshot(round_, now=now) if round_ is not None else None
