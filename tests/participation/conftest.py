"""Wider participation on a small concept: one action field with its expert circle and working
group, a goal in discussion, and the personas of every permission test: staff, the circle's
moderator, a member (expert), a drafter, an outsider citizen (signed in, no role) and the
anonymous visitor. The clock is frozen (time-machine); tests move it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.core.cache import cache
from django.test import Client

from deliberation.models import ActionField, Circle, Concept, Goal, Membership
from participation import services
from participation.models import Question, Questionnaire
from tests.factories import make_circle, make_concept, make_field, make_goal, make_user

NOW = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
IDEAS_DEADLINE = datetime(2025, 8, 31, 21, 59, tzinfo=UTC)
PERSONAS = ("staff", "moderator", "member", "outsider", "anonymous")


@dataclass
class Site:
    concept: Concept
    field: ActionField
    other_field: ActionField
    circle: Circle
    working_group: Circle
    goal: Goal
    other_goal: Goal  # of the other field
    staff: AbstractUser
    moderator: AbstractUser
    member: AbstractUser
    drafter: AbstractUser
    outsider: AbstractUser
    anonymous: AnonymousUser = field(default_factory=AnonymousUser)

    def persona(self, name: str) -> Any:
        return getattr(self, name)

    def client(self, name: str) -> Client:
        client = Client()
        if name != "anonymous":
            client.force_login(self.persona(name))
        return client


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def site(db: None, clock: time_machine.Coordinates) -> Site:
    concept = make_concept(ideas_deadline=IDEAS_DEADLINE, contact_email="beteiligung@example.org")
    field_ = make_field(concept, title="Bildung")
    other = make_field(concept, title="Arbeit")
    circle = make_circle(field_)
    working_group = make_circle(field_, kind=Circle.Kind.WORKING_GROUP)
    goal = make_goal(field_, title="Sprachkurse für alle")
    other_goal = make_goal(other, title="Arbeit finden")
    people = {name: make_user(name) for name in ("moderator", "member", "drafter", "outsider")}
    Membership.objects.create(
        user=people["moderator"], circle=circle, role=Membership.Role.MODERATOR
    )
    Membership.objects.create(user=people["member"], circle=circle, role=Membership.Role.EXPERT)
    Membership.objects.create(
        user=people["drafter"], circle=working_group, role=Membership.Role.DRAFTER
    )
    return Site(
        concept=concept,
        field=field_,
        other_field=other,
        circle=circle,
        working_group=working_group,
        goal=goal,
        other_goal=other_goal,
        staff=make_user("staff", is_staff=True),
        **people,
    )


@pytest.fixture(params=PERSONAS)
def persona(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def build_questionnaire(
    site: Site,
    *,
    distribution: str = Questionnaire.Distribution.INVITATION,
    deadline: datetime | None = None,
    open_it: bool = True,
) -> Questionnaire:
    """A questionnaire of the field with one question of each kind, the free-text one about
    the site's goal."""
    questionnaire = services.questionnaire_create(
        actor=site.moderator,
        concept=site.concept,
        action_field=site.field,
        title="Wie erleben Sie Sprachkurse?",
        intro="Ihre Erfahrungen helfen dem **Expertenkreis**.",
        distribution=distribution,
    )
    services.question_add(
        actor=site.moderator,
        questionnaire_id=questionnaire.pk,
        kind=Question.Kind.SINGLE,
        text="Haben Sie einen Sprachkurs besucht?",
        choices=["Ja", "Nein"],
    )
    services.question_add(
        actor=site.moderator,
        questionnaire_id=questionnaire.pk,
        kind=Question.Kind.MULTIPLE,
        text="Was hat Ihnen geholfen?",
        choices=["Kinderbetreuung", "Abendkurse", "Online-Angebote"],
        required=False,
    )
    services.question_add(
        actor=site.moderator,
        questionnaire_id=questionnaire.pk,
        kind=Question.Kind.SCALE,
        text="Wie zufrieden sind Sie mit dem Angebot?",
    )
    services.question_add(
        actor=site.moderator,
        questionnaire_id=questionnaire.pk,
        kind=Question.Kind.TEXT,
        text="Was sollte sich ändern?",
        required=False,
        goal_id=site.goal.pk,
    )
    if open_it:
        services.questionnaire_open(
            actor=site.moderator,
            questionnaire_id=questionnaire.pk,
            deadline=deadline or NOW + timedelta(days=14),
        )
    questionnaire.refresh_from_db()
    return questionnaire


def question_ids(questionnaire: Questionnaire) -> dict[str, Question]:
    return {q.kind: q for q in questionnaire.questions.prefetch_related("choices")}


def answers_for(
    questionnaire: Questionnaire,
    *,
    single: str = "Ja",
    multiple: tuple[str, ...] = (),
    scale: int | None = 4,
    text: str = "",
) -> dict[int, Any]:
    """Answers by choice label, as the services take them."""
    q = question_ids(questionnaire)

    def choice(kind: str, label: str) -> int:
        return next(c.pk for c in q[kind].choices.all() if c.label == label)

    return {
        q["single"].pk: choice("single", single),
        q["multiple"].pk: [choice("multiple", label) for label in multiple],
        q["scale"].pk: scale,
        q["text"].pk: text,
    }
