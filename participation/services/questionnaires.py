"""Questionnaires, their questions, opening and closing, and personal invitations."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from deliberation.models import ActionField, Concept, Goal
from kernel import checks
from kernel.errors import Conflict, Invalid, NotFound
from kernel.types import Actor, user_of
from participation.models import (
    Choice,
    Invitation,
    Question,
    Questionnaire,
)
from participation.services._common import (
    CHOICE_MAX_LENGTH,
    CHOICES_MAX,
    CHOICES_MIN,
    INTRO_MAX_LENGTH,
    INVITATIONS_MAX,
    KEEP,
    QUESTION_MAX_LENGTH,
    QUESTIONS_MAX,
    TITLE_MAX_LENGTH,
    _deadline,
    _now,
    _require_manage,
    _when,
)


def _locked_questionnaire(questionnaire_id: Any) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.select_for_update()
        .filter(pk=checks.integer(questionnaire_id, "questionnaire"))
        .first()
    )
    if questionnaire is None:
        raise NotFound(_("Diesen Fragebogen gibt es nicht."), field="questionnaire")
    return questionnaire


def _require_draft(questionnaire: Questionnaire) -> None:
    if questionnaire.status != Questionnaire.Status.DRAFT:
        raise Conflict(
            _(
                "Fragen ändern sich nur im Entwurf: ein geöffneter Fragebogen bleibt, wie er "
                "beantwortet wird."
            ),
            field="status",
        )


def _scope_goal(questionnaire: Questionnaire, goal_id: Any) -> Goal | None:
    if goal_id is None:
        return None
    goals = Goal.objects.filter(
        pk=checks.integer(goal_id, "goal"), action_field__concept_id=questionnaire.concept_id
    )
    if questionnaire.action_field_id is not None:
        goals = goals.filter(action_field_id=questionnaire.action_field_id)
    goal = goals.first()
    if goal is None:
        raise Invalid(_("Dieses Ziel gehört nicht zu diesem Fragebogen."), field="goal")
    return goal


def questionnaire_create(
    *,
    actor: Actor,
    concept: Concept,
    action_field: ActionField | None = None,
    title: str,
    intro: str = "",
    distribution: str = Questionnaire.Distribution.PUBLIC,
    deadline: datetime | None = None,
) -> Questionnaire:
    """A new questionnaire (a draft) for the concept or one of its action fields."""
    if action_field is not None and action_field.concept_id != concept.pk:
        raise Invalid(_("Das Handlungsfeld gehört nicht zu diesem Konzept."), field="action_field")
    _require_manage(actor, action_field or concept)
    title = checks.text(
        title, "title", label=_("Der Titel"), required=True, max_length=TITLE_MAX_LENGTH
    )
    intro = checks.text(
        intro, "intro", label=_("Die Einleitung"), required=False, max_length=INTRO_MAX_LENGTH
    )
    if distribution not in Questionnaire.Distribution.values:
        raise Invalid(_("Unbekannte Verteilung: %(v)s") % {"v": distribution}, field="distribution")
    return Questionnaire.objects.create(
        concept=concept,
        action_field=action_field,
        title=title,
        intro=intro,
        distribution=distribution,
        deadline=_deadline(deadline),
        created_by=user_of(actor),
        created_at=_now(),
    )


def questionnaire_update(
    *,
    actor: Actor,
    questionnaire_id: int,
    title: str | None = None,
    intro: str | None = None,
    distribution: str | None = None,
    deadline: Any = KEEP,
) -> Questionnaire:
    """Change title, introduction, distribution (in the draft only) or the deadline (until it
    is closed; an open questionnaire's new deadline must lie ahead)."""
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.status == Questionnaire.Status.CLOSED:
            raise Conflict(_("Dieser Fragebogen ist geschlossen."), field="status")
        if title is not None:
            questionnaire.title = checks.text(
                title, "title", label=_("Der Titel"), required=True, max_length=TITLE_MAX_LENGTH
            )
        if intro is not None:
            questionnaire.intro = checks.text(
                intro,
                "intro",
                label=_("Die Einleitung"),
                required=False,
                max_length=INTRO_MAX_LENGTH,
            )
        if distribution is not None and distribution != questionnaire.distribution:
            if distribution not in Questionnaire.Distribution.values:
                raise Invalid(
                    _("Unbekannte Verteilung: %(v)s") % {"v": distribution}, field="distribution"
                )
            _require_draft(questionnaire)
            questionnaire.distribution = distribution
        if deadline is not KEEP:
            deadline = _deadline(deadline)
            if (
                questionnaire.status == Questionnaire.Status.OPEN
                and deadline is not None
                and deadline <= _now()
            ):
                raise Conflict(_("Die neue Frist liegt in der Vergangenheit."), field="deadline")
            questionnaire.deadline = deadline
        questionnaire.save()
    return questionnaire


def _clean_question(
    questionnaire: Questionnaire,
    *,
    kind: Any,
    text: Any,
    hint: Any,
    required: Any,
    goal_id: Any,
    choices: Any,
) -> tuple[dict[str, Any], list[str]]:
    if kind not in Question.Kind.values:
        raise Invalid(_("Unbekannte Art der Frage: %(v)s") % {"v": kind}, field="kind")
    if not isinstance(required, bool):
        raise Invalid(_("required muss wahr oder falsch sein."), field="required")
    fields = {
        "kind": kind,
        "text": checks.text(
            text, "text", label=_("Die Frage"), required=True, max_length=QUESTION_MAX_LENGTH
        ),
        "hint": checks.text(
            hint, "hint", label=_("Der Hinweis"), required=False, max_length=QUESTION_MAX_LENGTH
        ),
        "required": required,
        "goal": _scope_goal(questionnaire, goal_id),
    }
    if not isinstance(choices, list | tuple):
        raise Invalid(_("Die Antwortmöglichkeiten müssen eine Liste sein."), field="choices")
    labels = [
        checks.text(
            c,
            "choices",
            label=_("Eine Antwortmöglichkeit"),
            required=False,
            max_length=CHOICE_MAX_LENGTH,
        )
        for c in choices
    ]
    labels = [label for label in labels if label]
    if kind in (Question.Kind.SINGLE, Question.Kind.MULTIPLE):
        if not CHOICES_MIN <= len(labels) <= CHOICES_MAX:
            raise Invalid(
                _("Eine Auswahlfrage braucht %(min)s bis %(max)s Antwortmöglichkeiten.")
                % {"min": CHOICES_MIN, "max": CHOICES_MAX},
                field="choices",
            )
        if len({label.casefold() for label in labels}) != len(labels):
            raise Invalid(_("Eine Antwortmöglichkeit steht doppelt da."), field="choices")
    elif labels:
        raise Invalid(_("Nur Auswahlfragen haben Antwortmöglichkeiten."), field="choices")
    return fields, labels


def question_add(
    *,
    actor: Actor,
    questionnaire_id: int,
    kind: str,
    text: str,
    hint: str = "",
    required: bool = True,
    goal_id: int | None = None,
    choices: Sequence[str] = (),
) -> Question:
    """Append a question to a draft questionnaire."""
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        _require_draft(questionnaire)
        fields, labels = _clean_question(
            questionnaire,
            kind=kind,
            text=text,
            hint=hint,
            required=required,
            goal_id=goal_id,
            choices=list(choices),
        )
        count = questionnaire.questions.count()
        if count >= QUESTIONS_MAX:
            raise Invalid(
                _("Ein Fragebogen hat höchstens %(n)s Fragen.") % {"n": QUESTIONS_MAX},
                field="questions",
            )
        last = questionnaire.questions.aggregate(n=Max("order"))["n"] or 0
        question = Question.objects.create(questionnaire=questionnaire, order=last + 1, **fields)
        Choice.objects.bulk_create(
            Choice(question=question, order=n, label=label) for n, label in enumerate(labels, 1)
        )
    return question


def _locked_question(question_id: Any) -> tuple[Questionnaire, Question]:
    found = Question.objects.filter(pk=checks.integer(question_id, "question")).values_list(
        "questionnaire_id", flat=True
    )
    questionnaire_id = found.first()
    if questionnaire_id is None:
        raise NotFound(_("Diese Frage gibt es nicht."), field="question")
    questionnaire = _locked_questionnaire(questionnaire_id)
    return questionnaire, Question.objects.get(pk=question_id)


def question_update(
    *,
    actor: Actor,
    question_id: int,
    kind: str,
    text: str,
    hint: str = "",
    required: bool = True,
    goal_id: int | None = None,
    choices: Sequence[str] = (),
) -> Question:
    """Rewrite a question of a draft questionnaire (its choices are replaced)."""
    with transaction.atomic():
        questionnaire, question = _locked_question(question_id)
        _require_manage(actor, questionnaire)
        _require_draft(questionnaire)
        fields, labels = _clean_question(
            questionnaire,
            kind=kind,
            text=text,
            hint=hint,
            required=required,
            goal_id=goal_id,
            choices=list(choices),
        )
        for name, value in fields.items():
            setattr(question, name, value)
        question.save()
        question.choices.all().delete()
        Choice.objects.bulk_create(
            Choice(question=question, order=n, label=label) for n, label in enumerate(labels, 1)
        )
    return question


def question_delete(*, actor: Actor, question_id: int) -> None:
    """Remove a question from a draft questionnaire; the ones after it move up."""
    with transaction.atomic():
        questionnaire, question = _locked_question(question_id)
        _require_manage(actor, questionnaire)
        _require_draft(questionnaire)
        order = question.order
        question.delete()
        # one by one, lowest first: each step moves into the place the previous one freed
        for later in questionnaire.questions.filter(order__gt=order).order_by("order"):
            later.order -= 1
            later.save(update_fields=["order"])


def question_move(*, actor: Actor, question_id: int, direction: str) -> Question:
    """Swap a question with its neighbour above (``"up"``) or below (``"down"``)."""
    if direction not in ("up", "down"):
        raise Invalid(_("Richtung muss up oder down sein."), field="direction")
    with transaction.atomic():
        questionnaire, question = _locked_question(question_id)
        _require_manage(actor, questionnaire)
        _require_draft(questionnaire)
        siblings = questionnaire.questions.exclude(pk=question.pk)
        neighbour = (
            siblings.filter(order__lt=question.order).order_by("-order").first()
            if direction == "up"
            else siblings.filter(order__gt=question.order).order_by("order").first()
        )
        if neighbour is None:
            return question
        mine, theirs = question.order, neighbour.order
        question.order = 0  # free my place first: (questionnaire, order) is unique
        question.save(update_fields=["order"])
        neighbour.order = mine
        neighbour.save(update_fields=["order"])
        question.order = theirs
        question.save(update_fields=["order"])
    return question


def questionnaire_open(
    *, actor: Actor, questionnaire_id: int, deadline: Any = KEEP
) -> Questionnaire:
    """Open a draft (or reopen a closed) questionnaire for responses, optionally with a new
    deadline, which must lie ahead."""
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.status == Questionnaire.Status.OPEN:
            raise Conflict(_("Dieser Fragebogen ist schon offen."), field="status")
        if not questionnaire.questions.exists():
            raise Conflict(
                _("Ein Fragebogen ohne Fragen kann nicht geöffnet werden."), field="questions"
            )
        if deadline is not KEEP:
            questionnaire.deadline = _deadline(deadline)
        now = _now()
        if questionnaire.deadline is not None and questionnaire.deadline <= now:
            raise Conflict(
                _("Die Frist (%(when)s) ist schon vorbei; setzen Sie eine neue.")
                % {"when": _when(questionnaire.deadline)},
                field="deadline",
            )
        questionnaire.status = Questionnaire.Status.OPEN
        questionnaire.opened_at = now
        questionnaire.closed_at = None
        questionnaire.save()
    return questionnaire


def questionnaire_close(*, actor: Actor, questionnaire_id: int) -> Questionnaire:
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.status != Questionnaire.Status.OPEN:
            raise Conflict(_("Nur ein offener Fragebogen kann geschlossen werden."), field="status")
        questionnaire.status = Questionnaire.Status.CLOSED
        questionnaire.closed_at = _now()
        questionnaire.save(update_fields=["status", "closed_at"])
    return questionnaire


@dataclass
class InvitationBatch:
    created: list[Invitation] = field(default_factory=list)
    existing: list[Invitation] = field(default_factory=list)

    @property
    def all(self) -> list[Invitation]:
        return sorted(self.created + self.existing, key=lambda i: i.pk)


def new_token() -> str:
    """An invitation's key: 256 random bits, URL-safe (43 characters)."""
    return secrets.token_urlsafe(32)


def invitations_create(
    *, actor: Actor, questionnaire_id: int, emails: Iterable[str]
) -> InvitationBatch:
    """One personal invitation per address (addresses already invited keep theirs). All or
    nothing: one bad address refuses the whole list, naming the bad ones."""
    addresses: dict[str, None] = {}
    bad: list[str] = []
    for raw in emails:
        if not isinstance(raw, str):
            raise Invalid(_("Adressen müssen Text sein."), field="emails")
        address = raw.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            bad.append(raw.strip())
            continue
        addresses[address] = None
    if bad:
        raise Invalid(
            _("Keine gültigen E-Mail-Adressen: %(list)s") % {"list": ", ".join(bad[:10])},
            field="emails",
        )
    if not addresses:
        raise Invalid(_("Bitte mindestens eine E-Mail-Adresse angeben."), field="emails")
    if len(addresses) > INVITATIONS_MAX:
        raise Invalid(
            _("Höchstens %(n)s Adressen auf einmal.") % {"n": INVITATIONS_MAX}, field="emails"
        )
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.distribution != Questionnaire.Distribution.INVITATION:
            raise Conflict(
                _("Dieser Fragebogen ist öffentlich; er braucht keine Einladungen."),
                field="distribution",
            )
        if questionnaire.status == Questionnaire.Status.CLOSED:
            raise Conflict(_("Dieser Fragebogen ist geschlossen."), field="status")
        batch = InvitationBatch(
            existing=list(questionnaire.invitations.filter(email__in=list(addresses)))
        )
        known = {invitation.email for invitation in batch.existing}
        now = _now()
        batch.created = Invitation.objects.bulk_create(
            Invitation(
                questionnaire=questionnaire,
                email=address,
                token=new_token(),
                created_by=user_of(actor),
                created_at=now,
            )
            for address in addresses
            if address not in known
        )
        if not batch.created or batch.created[0].pk is None:  # backends without RETURNING
            batch.created = list(
                questionnaire.invitations.filter(email__in=list(addresses)).exclude(email__in=known)
            )
    return batch
