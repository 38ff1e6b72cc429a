"""What each role may do in each phase, asked of the services (the enforcement) and of the
rules (what doors show): the moderator, an expert, a drafter of the field's working group,
an outsider and the anonymous viewer, in discussion, evaluation and revision."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import transaction

from deliberation import services
from deliberation.models import Comment, Disposition, Idea, Round
from deliberation.rounds import services as round_services
from kernel.errors import Conflict, DomainError, Forbidden, Invalid
from tests.rounds.conftest import Demo, comment, open_round, to_phase

pytestmark = pytest.mark.django_db

OK = "ok"
F = Forbidden
C = Conflict
PERSONAS = ("moderator", "expert", "drafter", "outsider", "anonymous")
PHASES = ("discussion", "evaluation", "revision")


def _comment(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    services.comment_post(actor=actor, circle=demo.circle, goal_id=demo.goals[0].pk, body="Hm.")


def _rate(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    round_services.rating_set(actor=actor, circle=demo.circle, goal_id=demo.goals[0].pk, support=4)


def _idea(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    round_services.idea_propose(actor=actor, circle=demo.circle, title="Neu", text="Eine Idee.")


def _dispose(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    round_services.disposition_set(
        actor=actor,
        circle=demo.circle,
        comment_id=setup["comment"].pk,
        value=Disposition.Value.ANSWERED,
        response="Danke.",
    )


def _publish(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    round_services.goal_version_publish(
        actor=actor, circle=demo.circle, goal_id=demo.goals[0].pk, text="Neu gefasst."
    )


def _start_item(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    item = setup["round"].agenda.order_by("order").first()
    round_services.agenda_item_start(actor=actor, circle=demo.circle, item_id=item.pk)


def _next_phase(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    following = {"discussion": "evaluation", "evaluation": "revision", "revision": "closed"}
    round_services.round_set_phase(
        actor=actor, circle=demo.circle, phase=following[setup["round"].phase]
    )


def _decide_idea(demo: Demo, actor: Any, setup: dict[str, Any]) -> None:
    round_services.idea_decline(
        actor=actor, circle=demo.circle, idea_id=setup["idea"].pk, reason="Passt nicht."
    )


Action = Callable[[Demo, Any, dict[str, Any]], None]

# action, permission doors ask, and per phase the outcome for
# (moderator, expert, drafter, outsider, anonymous)
MATRIX: list[tuple[str, Action, str | None, dict[str, tuple[Any, ...]]]] = [
    (
        "comment",
        _comment,
        "deliberation.comment_now",
        {
            "discussion": (OK, OK, F, F, F),
            "evaluation": (C, C, F, F, F),
            "revision": (C, C, F, F, F),
        },
    ),
    (
        "rate",
        _rate,
        "deliberation.rate_goal",
        {
            "discussion": (OK, OK, F, F, F),
            "evaluation": (C, C, F, F, F),
            "revision": (C, C, F, F, F),
        },
    ),
    (
        "propose idea",
        _idea,
        "deliberation.propose_idea",
        {
            "discussion": (OK, OK, F, F, F),
            "evaluation": (C, C, F, F, F),
            "revision": (C, C, F, F, F),
        },
    ),
    (
        "set disposition",
        _dispose,
        "deliberation.set_disposition",
        {
            "discussion": (C, F, C, F, F),
            "evaluation": (OK, F, OK, F, F),
            "revision": (C, F, C, F, F),
        },
    ),
    (
        "publish version",
        _publish,
        "deliberation.publish_revision",
        {
            "discussion": (C, F, C, F, F),
            "evaluation": (C, F, C, F, F),
            "revision": (OK, F, OK, F, F),
        },
    ),
    (
        "start agenda item",
        _start_item,
        "deliberation.run_agenda",
        {
            "discussion": (OK, F, F, F, F),
            "evaluation": (OK, F, F, F, F),
            "revision": (C, F, F, F, F),
        },
    ),
    (
        "switch phase",
        _next_phase,
        "deliberation.manage_rounds",
        {phase: (OK, F, F, F, F) for phase in PHASES},
    ),
    (
        "decide idea",
        _decide_idea,
        "deliberation.decide_idea",
        {phase: (OK, F, F, F, F) for phase in PHASES},
    ),
]

CASES = [
    pytest.param(action, perm, phase, outcomes[phase], id=f"{name}-{phase}")
    for name, action, perm, outcomes in MATRIX
    for phase in PHASES
]


@contextmanager
def _undone() -> Iterator[None]:
    """Whatever happens inside is rolled back, so every persona starts from the same room."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _round_at(demo: Demo, phase: str) -> dict[str, Any]:
    round_ = open_round(demo)
    said = comment(demo, demo.experts[1], demo.goals[0], "Ein Beitrag.")
    idea, _created = round_services.idea_propose(
        actor=demo.experts[1], circle=demo.circle, title="Idee", text="Text"
    )
    if phase in ("evaluation", "revision"):
        to_phase(demo, Round.Phase.EVALUATION)
    if phase == "revision":
        to_phase(demo, Round.Phase.REVISION)
    round_.refresh_from_db()
    return {"round": round_, "comment": said, "idea": idea}


@pytest.mark.parametrize(("action", "perm", "phase", "outcomes"), CASES)
def test_phase_decides_what_each_role_may_do(
    demo: Demo, action: Action, perm: str, phase: str, outcomes: tuple[Any, ...]
) -> None:
    setup = _round_at(demo, phase)
    for persona, expected in zip(PERSONAS, outcomes, strict=True):
        actor = demo.persona(persona)
        assert actor.has_perm(perm, demo.circle) is (expected == OK), persona
        with _undone():
            if expected == OK:
                action(demo, actor, setup)
            else:
                with pytest.raises(expected):
                    action(demo, actor, setup)


def test_expert_learns_why_commenting_is_refused_during_evaluation(demo: Demo) -> None:
    open_round(demo)
    to_phase(demo, Round.Phase.EVALUATION)
    with pytest.raises(Conflict) as refused:
        comment(demo, demo.expert, demo.goals[0], "Noch ein Gedanke.")
    assert "Runde 1" in refused.value.message and "Diskussionsphase" in refused.value.message
    assert not Comment.objects.exists()


def test_expert_cannot_edit_own_comment_during_evaluation(demo: Demo) -> None:
    open_round(demo)
    said = comment(demo, demo.expert, demo.goals[0], "Erste Fassung meines Beitrags.")
    to_phase(demo, Round.Phase.EVALUATION)
    with pytest.raises(Conflict):
        services.comment_edit(actor=demo.expert, circle=demo.circle, comment_id=said.pk, body="X")
    said.refresh_from_db()
    assert said.body == "Erste Fassung meines Beitrags."


def test_commenting_is_free_without_a_round_and_after_the_last_one_closed(demo: Demo) -> None:
    before = comment(demo, demo.expert, demo.goals[0], "Vor der Runde.")
    assert not hasattr(before, "round_link") or before.round_link is None
    open_round(demo)
    to_phase(demo, Round.Phase.EVALUATION, Round.Phase.REVISION, Round.Phase.CLOSED)
    after = comment(demo, demo.expert, demo.goals[0], "Nach der Runde.")
    assert Comment.objects.filter(pk=after.pk, round_link__isnull=True).exists()


def test_drafter_comments_in_the_working_group_but_never_rates(demo: Demo) -> None:
    services.comment_post(
        actor=demo.drafter, circle=demo.working_group, goal_id=demo.goals[0].pk, body="Notiz."
    )
    round_services.round_open(
        actor=demo.moderator, circle=demo.working_group, agenda=[demo.goals[0].pk]
    )
    services.comment_post(
        actor=demo.drafter, circle=demo.working_group, goal_id=demo.goals[0].pk, body="Und jetzt."
    )
    with pytest.raises(Forbidden):
        round_services.rating_set(
            actor=demo.drafter, circle=demo.working_group, goal_id=demo.goals[0].pk, support=5
        )


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ((), "revision"),
        ((), "closed"),
        ((), "discussion"),
        (("evaluation",), "discussion"),
        (("evaluation",), "closed"),
        (("evaluation", "revision"), "discussion"),
        (("evaluation", "revision"), "evaluation"),
    ],
)
def test_illegal_phase_jump_is_refused_and_changes_nothing(
    demo: Demo, path: tuple[str, ...], target: str
) -> None:
    round_ = open_round(demo)
    to_phase(demo, *path)
    round_.refresh_from_db()
    before = (round_.phase, round_.phase_changed_at, demo.circle.events.count())
    with pytest.raises(Conflict):
        round_services.round_set_phase(actor=demo.moderator, circle=demo.circle, phase=target)
    round_.refresh_from_db()
    assert (round_.phase, round_.phase_changed_at, demo.circle.events.count()) == before


def test_unknown_phase_is_invalid(demo: Demo) -> None:
    open_round(demo)
    with pytest.raises(Invalid):
        round_services.round_set_phase(actor=demo.moderator, circle=demo.circle, phase="vote")


def test_a_stale_confirmation_does_not_switch_twice(demo: Demo) -> None:
    open_round(demo)
    round_services.round_set_phase(
        actor=demo.moderator, circle=demo.circle, phase="evaluation", expected_phase="discussion"
    )
    with pytest.raises(Conflict):
        round_services.round_set_phase(
            actor=demo.moderator,
            circle=demo.circle,
            phase="revision",
            expected_phase="discussion",
        )
    assert Round.objects.get().phase == Round.Phase.EVALUATION


@pytest.mark.parametrize("phase", ["discussion", "evaluation"])
def test_no_new_round_while_one_is_in_discussion_or_evaluation(demo: Demo, phase: str) -> None:
    open_round(demo)
    if phase == "evaluation":
        to_phase(demo, Round.Phase.EVALUATION)
    with pytest.raises(Conflict):
        open_round(demo)
    assert Round.objects.count() == 1


def test_switching_phase_without_a_round_is_a_conflict(demo: Demo) -> None:
    with pytest.raises(Conflict):
        round_services.round_set_phase(actor=demo.moderator, circle=demo.circle, phase="evaluation")


@pytest.mark.parametrize("persona", ["expert", "drafter", "outsider", "anonymous"])
def test_only_the_moderator_opens_a_round(demo: Demo, persona: str) -> None:
    with pytest.raises(Forbidden):
        round_services.round_open(
            actor=demo.persona(persona), circle=demo.circle, agenda=[demo.goals[0].pk]
        )
    assert not Round.objects.exists()


def test_idea_already_decided_cannot_be_decided_again(demo: Demo) -> None:
    open_round(demo)
    idea, _ = round_services.idea_propose(
        actor=demo.expert, circle=demo.circle, title="T", text="X"
    )
    round_services.idea_decline(
        actor=demo.moderator, circle=demo.circle, idea_id=idea.pk, reason="R"
    )
    with pytest.raises(Conflict):
        round_services.idea_accept(actor=demo.moderator, circle=demo.circle, idea_id=idea.pk)
    assert Idea.objects.get().state == Idea.State.DECLINED


def test_goal_under_discussion_elsewhere_gets_no_new_version(demo: Demo) -> None:
    """The working group cannot rewrite a goal while the expert circle still discusses it."""
    open_round(demo)
    with pytest.raises(DomainError) as refused:
        round_services.goal_version_publish(
            actor=demo.drafter,
            circle=demo.working_group,
            goal_id=demo.goals[0].pk,
            text="Heimlich geändert.",
        )
    assert isinstance(refused.value, Conflict)
    assert demo.goals[0].versions.count() == 1


@pytest.mark.parametrize(("action", "perm", "phase", "outcomes"), CASES)
def test_a_superuser_may_do_in_a_round_only_what_an_outsider_may(
    demo: Demo, action: Action, perm: str, phase: str, outcomes: tuple[Any, ...]
) -> None:
    """A superuser is an administrator, not a member: Django's ``has_perm`` says yes to it for
    everything, the rules (asked through ``can``) do not."""
    from django.contrib.auth import get_user_model

    from kernel.permissions import can

    admin = get_user_model().objects.create_superuser("root", "root@example.org", "pw-root-1")
    setup = _round_at(demo, phase)
    expected = outcomes[PERSONAS.index("outsider")]
    assert admin.has_perm(perm, demo.circle)  # the shortcut the probe exploited
    assert can(admin, perm, demo.circle) is (expected == OK)
    with _undone():
        if expected == OK:
            action(demo, admin, setup)
        else:
            with pytest.raises(expected):
                action(demo, admin, setup)
