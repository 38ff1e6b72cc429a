"""The rounds on the demo data: the expert circle "Bildung & Sprache" with its personas, a
frozen clock, and helpers that drive a round through its phases with the real services."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder

from deliberation import services
from deliberation.demo import load_demo
from deliberation.models import Circle, Comment, Goal, RoomEvent, Round
from deliberation.rounds import services as round_services
from tests.factories import make_user


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def __call__(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> datetime:
        self.current += timedelta(seconds=seconds)
        return self.current


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    # The demo creates six users; password hashing would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """``django.utils.timezone.now`` frozen at 12 May 2025, 10:00 UTC. Services, ``auto_now``
    fields and selectors all read it, so deadlines are exact and no test sleeps."""
    frozen = Clock(datetime(2025, 5, 12, 10, 0, tzinfo=UTC))
    monkeypatch.setattr("django.utils.timezone.now", frozen)
    return frozen


@dataclass
class Demo:
    circle: Circle  # the expert circle of "Bildung & Sprache"
    working_group: Circle
    moderator: AbstractUser
    experts: list[AbstractUser]
    drafter: AbstractUser
    outsider: AbstractUser
    goals: list[Goal]  # the field's goals in demo order: two in discussion, then drafts
    anonymous: AnonymousUser = field(default_factory=AnonymousUser)

    @property
    def expert(self) -> AbstractUser:
        return self.experts[0]

    def persona(self, name: str) -> Any:
        return {
            "moderator": self.moderator,
            "expert": self.expert,
            "drafter": self.drafter,
            "outsider": self.outsider,
            "anonymous": self.anonymous,
        }[name]

    def refresh(self) -> None:
        for goal in self.goals:
            goal.refresh_from_db()


@pytest.fixture
def demo(db: None, clock: Clock) -> Demo:
    load_demo()
    users = {u.username: u for u in get_user_model().objects.all()}
    circle = Circle.objects.get(slug="bildung-sprache")
    return Demo(
        circle=circle,
        working_group=Circle.objects.get(slug="bildung-sprache-ag"),
        moderator=users["moderator"],
        experts=[users["expert1"], users["expert2"], users["expert3"]],
        drafter=users["drafter"],
        outsider=make_user("outsider"),
        goals=list(Goal.objects.filter(action_field=circle.action_field).order_by("order")),
    )


def open_round(demo: Demo, *, goals: int = 2, ratings_public: bool = False) -> Round:
    return round_services.round_open(
        actor=demo.moderator,
        circle=demo.circle,
        agenda=[{"goal": g.pk, "time_box": 600} for g in demo.goals[:goals]],
        ratings_public=ratings_public,
    )


def to_phase(demo: Demo, *phases: str) -> None:
    for phase in phases:
        round_services.round_set_phase(actor=demo.moderator, circle=demo.circle, phase=phase)


def comment(demo: Demo, author: Any, goal: Goal, body: str) -> Comment:
    made, _created = services.comment_post(
        actor=author, circle=demo.circle, goal_id=goal.pk, body=body
    )
    return made


def events(circle: Circle, kind: str | None = None, *, after: int = 0) -> list[RoomEvent]:
    found = RoomEvent.objects.filter(circle=circle, seq__gt=after).order_by("seq")
    if kind is not None:
        found = found.filter(kind=kind)
    return list(found)


def roundtrip(payload: Any) -> Any:
    """What a client receives: the payload through JSON and back."""
    return json.loads(json.dumps(payload, cls=DjangoJSONEncoder))


@pytest.fixture
def round_in_discussion(demo: Demo) -> Iterator[Round]:
    yield open_round(demo)


@dataclass
class Story:
    """Round 1 of the demo's expert circle, evaluated and revised, with round 2 opened."""

    round1: Round
    round2: Round
    horte: Comment  # accepted, taken up in version 2
    zwei: Comment  # not accepted
    frage: Comment  # never answered: carried over
    idea: Any  # declined
    version2: Any


def tell_story(demo: Demo, clock: Clock) -> Story:
    kita, eltern = demo.goals[0], demo.goals[1]
    clock.advance(3600)
    round1 = open_round(demo)
    horte = comment(demo, demo.experts[0], kita, "Bitte auch die **Horte** einbeziehen.")
    zwei = comment(demo, demo.experts[1], kita, "=SUMME(A1) Zwei Fachkräfte reichen.")
    frage = comment(demo, demo.experts[2], eltern, "Welche Sprachen?")
    for expert, support in zip(demo.experts, (4, 2, 3), strict=True):
        round_services.rating_set(
            actor=expert,
            circle=demo.circle,
            goal_id=kita.pk,
            support=support,
            needs_rework=support < 3,
        )
    idea, _created = round_services.idea_propose(
        actor=demo.experts[2], circle=demo.circle, title="Sprachcafés", text="Jede Woche."
    )
    clock.advance(3600)
    to_phase(demo, Round.Phase.EVALUATION)
    round_services.disposition_set(
        actor=demo.drafter,
        circle=demo.circle,
        comment_id=horte.pk,
        value="accepted",
        response="Die Horte kommen in den Text.",
    )
    round_services.disposition_set(
        actor=demo.moderator,
        circle=demo.circle,
        comment_id=zwei.pk,
        value="not_accepted",
        response="Zwei sind das Minimum, nicht das Ziel.",
    )
    round_services.idea_decline(
        actor=demo.moderator, circle=demo.circle, idea_id=idea.pk, reason="Gibt es schon."
    )
    clock.advance(3600)
    to_phase(demo, Round.Phase.REVISION)
    version2 = round_services.goal_version_publish(
        actor=demo.drafter,
        circle=demo.circle,
        goal_id=kita.pk,
        text=demo.goals[0]
        .versions.get(number=1)
        .text.replace("Kindertagesstätten", "Kindertagesstätten und Horte"),
        change_note="Horte ergänzt.",
        comment_ids=[horte.pk],
    )
    clock.advance(3600)
    round2 = open_round(demo)
    round1.refresh_from_db()
    return Story(round1, round2, horte, zwei, frage, idea, version2)


@pytest.fixture
def story(demo: Demo, clock: Clock) -> Story:
    return tell_story(demo, clock)
