"""Every write of wider participation: questionnaires and their questions, invitations,
responses, the public's contributions and their moderation, citizens' sign-up, and the
dispositions of the public's feedback.

Keyword-only, ``actor`` first, as every door calls them (pages, REST API, admin). Each checks
who may act (``Forbidden``), whether the state allows it now (``Conflict``: a closed
questionnaire, a passed deadline, a response already submitted) and its input (``Invalid``);
then it writes in one transaction. Deadlines are decided by the server's clock
(``timezone.now()``), never by a client. E-mails leave after the commit.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from deliberation.errors import Conflict, Forbidden, Invalid, NotFound
from deliberation.eventlog import lock_room
from deliberation.models import ActionField, Circle, Concept, Disposition, Goal, GoalVersion
from deliberation.participation import ratelimit
from deliberation.participation.models import (
    SCALE_MAX,
    SCALE_MIN,
    Answer,
    Choice,
    Contribution,
    ContributionReport,
    Invitation,
    Question,
    Questionnaire,
    Response,
)
from deliberation.rendering import render_markdown
from deliberation.round_services import (
    _active_round,
    _authorize,
    _dispose,
    _int,
    _not_now,
    _text,
)
from deliberation.rules import may_evaluate

TITLE_MAX_LENGTH = 200
INTRO_MAX_LENGTH = 10_000
QUESTION_MAX_LENGTH = 500
CHOICE_MAX_LENGTH = 200
CHOICES_MIN = 2
CHOICES_MAX = 20
QUESTIONS_MAX = 100
ANSWER_MAX_LENGTH = 5000
INVITATIONS_MAX = 5000
CONTRIBUTION_TITLE_MAX_LENGTH = 200
CONTRIBUTION_BODY_MAX_LENGTH = 4000
REPORT_REASON_MAX_LENGTH = 500
REASON_MAX_LENGTH = 2000
RESPONSE_MAX_LENGTH = 5000
NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 150  # the address is the username, which holds 150 characters
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out on the phone

# "Keep the current value" for optional keyword arguments where None is a value (no deadline).
KEEP: Any = object()


def _now() -> datetime:
    return timezone.now()


def _when(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _deadline(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime) or timezone.is_naive(value):
        raise Invalid(_("Die Frist muss ein Zeitpunkt mit Zeitzone sein."), field="deadline")
    return value


def _honeypot(value: Any) -> None:
    """The form's hidden ``website`` field: people never see it, robots fill it in."""
    if value:
        raise Invalid(
            _("Diese Einsendung sieht automatisch erzeugt aus und wurde nicht angenommen."),
            field="website",
        )


# --- questionnaires --------------------------------------------------------------------------


def _require_manage(actor: Any, obj: Any) -> None:
    if actor is None or not actor.has_perm("participation.manage_questionnaire", obj):
        raise Forbidden(_("Nur die Verwaltung und die Moderation bearbeiten Fragebögen."))


def _locked_questionnaire(questionnaire_id: Any) -> Questionnaire:
    questionnaire = (
        Questionnaire.objects.select_for_update()
        .filter(pk=_int(questionnaire_id, "questionnaire"))
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
        pk=_int(goal_id, "goal"), action_field__concept_id=questionnaire.concept_id
    )
    if questionnaire.action_field_id is not None:
        goals = goals.filter(action_field_id=questionnaire.action_field_id)
    goal = goals.first()
    if goal is None:
        raise Invalid(_("Dieses Ziel gehört nicht zu diesem Fragebogen."), field="goal")
    return goal


def questionnaire_create(
    *,
    actor: Any,
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
    title = _text(title, "title", label=_("Der Titel"), required=True, max_length=TITLE_MAX_LENGTH)
    intro = _text(
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
        created_by=actor,
        created_at=_now(),
    )


def questionnaire_update(
    *,
    actor: Any,
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
            questionnaire.title = _text(
                title, "title", label=_("Der Titel"), required=True, max_length=TITLE_MAX_LENGTH
            )
        if intro is not None:
            questionnaire.intro = _text(
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
        "text": _text(
            text, "text", label=_("Die Frage"), required=True, max_length=QUESTION_MAX_LENGTH
        ),
        "hint": _text(
            hint, "hint", label=_("Der Hinweis"), required=False, max_length=QUESTION_MAX_LENGTH
        ),
        "required": required,
        "goal": _scope_goal(questionnaire, goal_id),
    }
    if not isinstance(choices, list | tuple):
        raise Invalid(_("Die Antwortmöglichkeiten müssen eine Liste sein."), field="choices")
    labels = [
        _text(
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
    actor: Any,
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
    found = Question.objects.filter(pk=_int(question_id, "question")).values_list(
        "questionnaire_id", flat=True
    )
    questionnaire_id = found.first()
    if questionnaire_id is None:
        raise NotFound(_("Diese Frage gibt es nicht."), field="question")
    questionnaire = _locked_questionnaire(questionnaire_id)
    return questionnaire, Question.objects.get(pk=question_id)


def question_update(
    *,
    actor: Any,
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


def question_delete(*, actor: Any, question_id: int) -> None:
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


def question_move(*, actor: Any, question_id: int, direction: str) -> Question:
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


def questionnaire_open(*, actor: Any, questionnaire_id: int, deadline: Any = KEEP) -> Questionnaire:
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


def questionnaire_close(*, actor: Any, questionnaire_id: int) -> Questionnaire:
    with transaction.atomic():
        questionnaire = _locked_questionnaire(questionnaire_id)
        _require_manage(actor, questionnaire)
        if questionnaire.status != Questionnaire.Status.OPEN:
            raise Conflict(_("Nur ein offener Fragebogen kann geschlossen werden."), field="status")
        questionnaire.status = Questionnaire.Status.CLOSED
        questionnaire.closed_at = _now()
        questionnaire.save(update_fields=["status", "closed_at"])
    return questionnaire


# --- invitations -----------------------------------------------------------------------------


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
    *, actor: Any, questionnaire_id: int, emails: Iterable[str]
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
                created_by=actor,
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


# --- responses -------------------------------------------------------------------------------


def accepting_problem(questionnaire: Questionnaire, now: datetime | None = None) -> str | None:
    """Why the questionnaire takes no answers now, or None when it does."""
    now = now or _now()
    if questionnaire.status == Questionnaire.Status.DRAFT:
        return _("Dieser Fragebogen ist noch nicht geöffnet.")
    if questionnaire.status == Questionnaire.Status.CLOSED:
        return _("Dieser Fragebogen ist geschlossen; Antworten sind nicht mehr möglich.")
    if questionnaire.deadline is not None and now >= questionnaire.deadline:
        return _("Die Frist für Antworten ist am %(when)s abgelaufen.") % {
            "when": _when(questionnaire.deadline)
        }
    return None


@dataclass
class CleanAnswer:
    question: Question
    choices: list[Choice] = field(default_factory=list)
    scale: int | None = None
    text: str = ""


def _choice_id(value: Any, field_name: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    return _int(value, field_name)


def clean_answers(
    questions: Sequence[Question], answers: Mapping[Any, Any], *, complete: bool
) -> dict[int, CleanAnswer]:
    """Raw answers ``{question id: value}`` → checked answers of the given questions.

    Values: a choice id (single choice), a list of choice ids (multiple), 1–5 (scale), text
    (free text); None, "" or [] leave a question unanswered. With ``complete`` every required
    question must be answered. Keys that are not questions of the questionnaire are refused.
    """
    by_id = {question.pk: question for question in questions}
    given: dict[int, Any] = {}
    for key, value in answers.items():
        question_id = _choice_id(key, "answers")
        if question_id not in by_id:
            raise Invalid(
                _("Frage %(id)s gehört nicht zu diesem Fragebogen.") % {"id": question_id},
                field="answers",
            )
        given[question_id] = value
    cleaned: dict[int, CleanAnswer] = {}
    for question in questions:
        value = given.get(question.pk)
        field_name = f"q{question.pk}"
        if value is None or value == "" or value == []:
            if complete and question.required:
                raise Invalid(
                    _("Bitte beantworten Sie die Frage „%(q)s“.") % {"q": question.text},
                    field=field_name,
                )
            continue
        answer = CleanAnswer(question=question)
        choices = {choice.pk: choice for choice in question.choices.all()}
        if question.kind == Question.Kind.SINGLE:
            choice_id = _choice_id(value, field_name)
            if choice_id not in choices:
                raise Invalid(_("Diese Antwortmöglichkeit gibt es nicht."), field=field_name)
            answer.choices = [choices[choice_id]]
        elif question.kind == Question.Kind.MULTIPLE:
            if not isinstance(value, list | tuple):
                value = [value]
            ids = list(dict.fromkeys(_choice_id(v, field_name) for v in value))
            if any(i not in choices for i in ids):
                raise Invalid(_("Diese Antwortmöglichkeit gibt es nicht."), field=field_name)
            answer.choices = [choices[i] for i in ids]
        elif question.kind == Question.Kind.SCALE:
            scale = _choice_id(value, field_name)
            if not SCALE_MIN <= scale <= SCALE_MAX:
                raise Invalid(
                    _("Ein Skalenwert liegt zwischen %(min)s und %(max)s.")
                    % {"min": SCALE_MIN, "max": SCALE_MAX},
                    field=field_name,
                )
            answer.scale = scale
        else:
            answer.text = _text(
                value,
                field_name,
                label=_("Die Antwort"),
                required=False,
                max_length=ANSWER_MAX_LENGTH,
            )
            if not answer.text:
                if complete and question.required:
                    raise Invalid(
                        _("Bitte beantworten Sie die Frage „%(q)s“.") % {"q": question.text},
                        field=field_name,
                    )
                continue
        cleaned[question.pk] = answer
    return cleaned


def _receipt() -> str:
    while True:
        code = "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(8))
        receipt = f"{code[:4]}-{code[4:]}"
        if not Response.objects.filter(receipt=receipt).exists():
            return receipt


def response_save(
    *,
    actor: Any,
    answers: Mapping[Any, Any],
    submit: bool,
    questionnaire_id: int | None = None,
    token: str | None = None,
) -> Response:
    """Save a draft of one's answers, or submit them (final; a receipt number is issued).

    Either by a signed-in account for a public questionnaire (``questionnaire_id``), one
    response per account, or by invitation (``token``, no account), one per invitation.
    Refused once the questionnaire is closed or its deadline passed, and once submitted."""
    if not isinstance(submit, bool):
        raise Invalid(_("submit muss wahr oder falsch sein."), field="submit")
    if not isinstance(answers, Mapping):
        raise Invalid(
            _("Die Antworten müssen eine Zuordnung Frage → Antwort sein."), field="answers"
        )
    try:
        with transaction.atomic():
            invitation = None
            if token is not None:
                invitation = (
                    Invitation.objects.select_for_update()
                    .filter(token=token if isinstance(token, str) else "")
                    .first()
                )
                if invitation is None:
                    raise NotFound(_("Dieser Einladungslink ist ungültig."), field="token")
                questionnaire = Questionnaire.objects.get(pk=invitation.questionnaire_id)
                response = (
                    Response.objects.select_for_update().filter(invitation=invitation).first()
                )
            else:
                if not getattr(actor, "is_authenticated", False):
                    raise Forbidden(
                        _("Bitte melden Sie sich an, um diesen Fragebogen auszufüllen.")
                    )
                found = Questionnaire.objects.filter(
                    pk=_int(questionnaire_id, "questionnaire")
                ).first()
                if found is None or found.status == Questionnaire.Status.DRAFT:
                    raise NotFound(_("Diesen Fragebogen gibt es nicht."), field="questionnaire")
                questionnaire = found
                if questionnaire.distribution != Questionnaire.Distribution.PUBLIC:
                    raise Forbidden(
                        _("Diesen Fragebogen beantworten nur Eingeladene über ihren Link.")
                    )
                response = (
                    Response.objects.select_for_update()
                    .filter(questionnaire=questionnaire, respondent=actor)
                    .first()
                )
            if response is not None and response.state == Response.State.SUBMITTED:
                raise Conflict(
                    _(
                        "Dieser Fragebogen ist schon abgeschickt (Eingangsnummer %(receipt)s); "
                        "er kann nur einmal beantwortet werden."
                    )
                    % {"receipt": response.receipt},
                    field="response",
                )
            now = _now()
            problem = accepting_problem(questionnaire, now)
            if problem:
                raise Conflict(problem, field="deadline")
            questions = list(questionnaire.questions.prefetch_related("choices").order_by("order"))
            cleaned = clean_answers(questions, answers, complete=submit)
            if response is None:
                response = Response.objects.create(
                    questionnaire=questionnaire,
                    respondent=None if invitation else actor,
                    invitation=invitation,
                    created_at=now,
                    updated_at=now,
                )
            _write_answers(response, questions, cleaned)
            response.updated_at = now
            if submit:
                response.state = Response.State.SUBMITTED
                response.submitted_at = now
                response.receipt = _receipt()
            response.save()
    except IntegrityError:
        # Two first saves of the same respondent at once: the database let one through.
        raise Conflict(
            _("Dieser Fragebogen wurde gerade gleichzeitig gespeichert; bitte laden Sie neu."),
            field="response",
        ) from None
    return response


def _write_answers(
    response: Response, questions: Sequence[Question], cleaned: Mapping[int, CleanAnswer]
) -> None:
    existing = {answer.question_id: answer for answer in response.answers.all()}
    unanswered = [existing[q.pk].pk for q in questions if q.pk in existing and q.pk not in cleaned]
    if unanswered:
        Answer.objects.filter(pk__in=unanswered).delete()
    for question_id, clean in cleaned.items():
        answer = existing.get(question_id)
        if answer is None:
            answer = Answer(response=response, question=clean.question, goal=clean.question.goal)
        answer.scale = clean.scale
        answer.text = clean.text
        answer.save()
        if clean.question.has_choices:
            answer.choices.set(clean.choices)


# --- the public's feedback: goals and dispositions -------------------------------------------


def answer_link_goal(*, actor: Any, answer_id: int, goal_id: int | None) -> Answer:
    """Link a free-text answer to a goal of its questionnaire's scope (or unlink it): it then
    appears in the evaluation of the rounds on that goal, like a comment on it."""
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .select_related("response__questionnaire", "question")
            .filter(
                pk=_int(answer_id, "answer"),
                question__kind=Question.Kind.TEXT,
                response__state=Response.State.SUBMITTED,
            )
            .first()
        )
        if answer is None:
            raise NotFound(_("Diese Freitext-Antwort gibt es nicht."), field="answer")
        questionnaire = answer.response.questionnaire
        if actor is None or not actor.has_perm("participation.link_answer", questionnaire):
            raise Forbidden(_("Nur die Moderation und die Arbeitsgruppe ordnen Antworten zu."))
        goal = _scope_goal(questionnaire, goal_id)
        _require_undecided(answer)
        answer.goal = goal
        answer.save(update_fields=["goal"])
    return answer


def _require_undecided(feedback: Answer | Contribution) -> None:
    if Disposition.objects.filter(
        **{"answer" if isinstance(feedback, Answer) else "contribution": feedback}
    ).exists():
        raise Conflict(
            _("Über diese Rückmeldung ist schon entschieden; ihr Ziel bleibt."), field="goal"
        )


def feedback_disposition_set(
    *,
    actor: Any,
    circle: Circle,
    value: str,
    response: str,
    contribution_id: int | None = None,
    answer_id: int | None = None,
    addressed_in: int | None = None,
) -> Disposition:
    """Give a piece of the public's feedback its disposition, exactly as a comment gets one:
    in the room's evaluation phase, by its moderators and the field's drafters
    (``deliberation.set_disposition``). The feedback must concern the circle's action field:
    an approved contribution for it or linked to one of its goals, or a submitted free-text
    answer linked to one of its goals. ``addressed_in``: the number of the version of the
    linked goal that took it up, if any. Setting it again changes it."""
    if (contribution_id is None) == (answer_id is None):
        raise Invalid(_("Bitte genau einen Beitrag oder eine Antwort angeben."), field="feedback")
    if value not in Disposition.Value.values:
        raise Invalid(_("Unbekannte Entscheidung: %(v)s") % {"v": value}, field="value")
    response = _text(
        response, "response", label=_("Die Antwort"), required=True, max_length=RESPONSE_MAX_LENGTH
    )
    with transaction.atomic():
        lock_room(circle.pk)
        round_ = _active_round(circle)
        _authorize(
            actor,
            "deliberation.set_disposition",
            round_ or circle,
            who=may_evaluate,
            forbidden=_("Nur die Arbeitsgruppe und die Moderation bewerten Rückmeldungen."),
            not_now=_not_now(round_, _("Rückmeldungen zu bewerten")),
        )
        field_id = circle.action_field_id
        target: Answer | Contribution | None
        if contribution_id is not None:
            target = (
                Contribution.objects.filter(
                    pk=_int(contribution_id, "contribution"), state=Contribution.State.APPROVED
                )
                .filter(Q(action_field_id=field_id) | Q(goal__action_field_id=field_id))
                .first()
            )
            if target is None:
                raise NotFound(
                    _("Diesen Beitrag gibt es für dieses Handlungsfeld nicht."),
                    field="contribution",
                )
        else:
            target = (
                Answer.objects.filter(
                    pk=_int(answer_id, "answer"),
                    question__kind=Question.Kind.TEXT,
                    response__state=Response.State.SUBMITTED,
                    goal__action_field_id=field_id,
                )
                .exclude(text="")
                .first()
            )
            if target is None:
                raise NotFound(
                    _("Diese Antwort ist keinem Ziel dieses Handlungsfelds zugeordnet."),
                    field="answer",
                )
        version = None
        if addressed_in is not None:
            if target.goal_id is None:
                raise Invalid(
                    _("Ohne zugeordnetes Ziel gibt es keine Fassung, die sie aufnimmt."),
                    field="addressed_in",
                )
            version = GoalVersion.objects.filter(
                goal_id=target.goal_id, number=_int(addressed_in, "addressed_in")
            ).first()
            if version is None:
                raise Invalid(
                    _("Das zugeordnete Ziel hat keine Fassung mit dieser Nummer."),
                    field="addressed_in",
                )
        disposition, _changed = _dispose(
            contribution=target if isinstance(target, Contribution) else None,
            answer=target if isinstance(target, Answer) else None,
            value=value,
            response=response,
            actor=actor,
            round_=round_,
            now=_now(),
            addressed_in=version,
        )
    return disposition


# --- contributions ---------------------------------------------------------------------------


def contribution_submit(
    *,
    actor: Any,
    concept: Concept,
    kind: str,
    body: str,
    title: str = "",
    action_field: ActionField | None = None,
    website: str = "",
) -> Contribution:
    """A registered citizen's idea for an action field (until the concept's deadline for
    ideas), or a question or opinion on the concept. It waits for moderation.

    ``website`` is the forms' honeypot; rate-limited per account."""
    _honeypot(website)
    if actor is None or not actor.has_perm("participation.submit_contribution", concept):
        raise Forbidden(_("Bitte melden Sie sich mit einem bestätigten Konto an."))
    if kind not in Contribution.Kind.values:
        raise Invalid(_("Unbekannte Art: %(v)s") % {"v": kind}, field="kind")
    if kind == Contribution.Kind.IDEA:
        if action_field is None or action_field.concept_id != concept.pk:
            raise Invalid(
                _("Bitte wählen Sie ein Handlungsfeld dieses Konzepts."), field="action_field"
            )
        deadline = concept.ideas_deadline
        if deadline is not None and _now() >= deadline:
            raise Conflict(
                _(
                    "Die Frist für Ideen ist am %(when)s abgelaufen; Einsendungen sind "
                    "geschlossen. Schreiben Sie gern an %(email)s."
                )
                % {"when": _when(deadline), "email": contact_email(concept)},
                field="deadline",
            )
    elif action_field is not None:
        raise Invalid(_("Fragen und Meinungen gelten dem ganzen Konzept."), field="action_field")
    title = _text(
        title,
        "title",
        label=_("Der Titel"),
        required=kind == Contribution.Kind.IDEA,
        max_length=CONTRIBUTION_TITLE_MAX_LENGTH,
    )
    body = _text(
        body, "body", label=_("Der Text"), required=True, max_length=CONTRIBUTION_BODY_MAX_LENGTH
    )
    ratelimit.hit("contribution", f"user:{actor.pk}")
    return Contribution.objects.create(
        concept=concept,
        action_field=action_field,
        kind=kind,
        author=actor,
        title=title,
        body=body,
        body_html=render_markdown(body),
        created_at=_now(),
    )


def contact_email(concept: Concept) -> str:
    return concept.contact_email or settings.CONTACT_EMAIL


def _locked_contribution(contribution_id: Any) -> Contribution:
    contribution = (
        Contribution.objects.select_for_update()
        .filter(pk=_int(contribution_id, "contribution"))
        .first()
    )
    if contribution is None:
        raise NotFound(_("Diesen Beitrag gibt es nicht."), field="contribution")
    return contribution


def _require_moderate(actor: Any, contribution: Contribution) -> None:
    if actor is None or not actor.has_perm("participation.moderate_contribution", contribution):
        raise Forbidden(_("Nur die Moderation gibt Beiträge frei."))


def _resolve_reports(contribution: Contribution, actor: Any, now: datetime) -> int:
    return contribution.reports.filter(resolved_at__isnull=True).update(
        resolved_at=now, resolved_by=actor
    )


def contribution_moderate(
    *, actor: Any, contribution_id: int, decision: str, reason: str = ""
) -> Contribution:
    """``approve``: the contribution becomes public. ``reject`` (with a reason the author
    sees): it stays hidden, also after it was public (e.g. after a report). Either settles
    the open reports about it."""
    if decision not in ("approve", "reject"):
        raise Invalid(_("Entscheidung muss approve oder reject sein."), field="decision")
    reason = _text(
        reason,
        "reason",
        label=_("Die Begründung"),
        required=decision == "reject",
        max_length=REASON_MAX_LENGTH,
    )
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        now = _now()
        contribution.state = (
            Contribution.State.APPROVED if decision == "approve" else Contribution.State.REJECTED
        )
        contribution.record_moderation(actor=actor, reason=reason, at=now)
        contribution.save(update_fields=["state", *Contribution.MODERATION_FIELDS])
        _resolve_reports(contribution, actor, now)
    return contribution


def contribution_reports_dismiss(*, actor: Any, contribution_id: int) -> int:
    """The reports about a contribution were unfounded: it stays public. Returns how many."""
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        return _resolve_reports(contribution, actor, _now())


def contribution_report(
    *, actor: Any, contribution_id: int, reason: str = "", client_key: str
) -> ContributionReport:
    """Anyone may flag a public contribution (rate-limited per client address); it goes back
    to the moderation queue until moderation decides."""
    reason = _text(
        reason, "reason", label=_("Der Grund"), required=False, max_length=REPORT_REASON_MAX_LENGTH
    )
    contribution = Contribution.objects.filter(pk=_int(contribution_id, "contribution")).first()
    if contribution is None or not _can(actor, "participation.report_contribution", contribution):
        raise NotFound(_("Diesen Beitrag gibt es nicht."), field="contribution")
    ratelimit.hit("report", client_key)
    return ContributionReport.objects.create(
        contribution=contribution,
        reporter=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason,
        created_at=_now(),
    )


def _can(actor: Any, perm: str, obj: Any) -> bool:
    return bool((actor or AnonymousUser()).has_perm(perm, obj))


def contribution_link_goal(
    *, actor: Any, contribution_id: int, goal_id: int | None
) -> Contribution:
    """Link a contribution to a goal of its concept (an idea: of its action field), or
    unlink it; linked, it appears in the evaluation of the rounds on that goal."""
    with transaction.atomic():
        contribution = _locked_contribution(contribution_id)
        _require_moderate(actor, contribution)
        goal = None
        if goal_id is not None:
            goals = Goal.objects.filter(
                pk=_int(goal_id, "goal"), action_field__concept_id=contribution.concept_id
            )
            if contribution.action_field_id is not None:
                goals = goals.filter(action_field_id=contribution.action_field_id)
            goal = goals.first()
            if goal is None:
                raise Invalid(_("Dieses Ziel passt nicht zu diesem Beitrag."), field="goal")
        _require_undecided(contribution)
        contribution.goal = goal
        contribution.save(update_fields=["goal"])
    return contribution


# --- sign-up with e-mail confirmation --------------------------------------------------------


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """Confirmation links: valid for ``PASSWORD_RESET_TIMEOUT`` and only until the account is
    active (the state is part of the hash, so a used link stops working)."""

    key_salt = "deliberation.participation.SignUpTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


sign_up_tokens = SignUpTokenGenerator()


def _send(to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    body = render_to_string(template, context)
    # after the commit: no mail for an account that rolled back
    transaction.on_commit(lambda: send_mail(subject, body, None, [to], fail_silently=False))


def citizen_sign_up(
    *,
    email: str,
    name: str,
    password: str,
    base_url: str,
    client_key: str,
    website: str = "",
) -> None:
    """Register a citizen: an inactive account (username = e-mail address) and a mail with
    the confirmation link. The answer is the same whether the address is known or not (no
    account enumeration): a known active address gets a "you have an account" mail, a known
    unconfirmed one its link again. Rate-limited per client address; honeypot ``website``.
    ``base_url`` is the site's address for the link (``https://host``)."""
    _honeypot(website)
    ratelimit.hit("signup", client_key)
    address = _text(
        email, "email", label=_("Die E-Mail-Adresse"), required=True, max_length=EMAIL_MAX_LENGTH
    ).lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(_("Bitte geben Sie eine gültige E-Mail-Adresse an."), field="email") from None
    name = _text(name, "name", label=_("Der Name"), required=True, max_length=NAME_MAX_LENGTH)
    if not isinstance(password, str):
        raise Invalid(_("Das Passwort muss Text sein."), field="password")
    user_model = get_user_model()
    with transaction.atomic():
        existing = (
            user_model.objects.select_for_update()
            .filter(Q(username__iexact=address) | Q(email__iexact=address))
            .first()
        )
        if existing is not None:
            if existing.is_active:
                _send(
                    address,
                    _("Ihr Konto bei Konsens"),
                    "participation/email/already_registered.txt",
                    {"name": existing.get_full_name(), "login_url": base_url + reverse("login")},
                )
            else:
                _send_confirmation(existing, base_url)
            return
        user = user_model(username=address, email=address, first_name=name, is_active=False)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), field="password") from None
        user.set_password(password)
        user.save()
        _send_confirmation(user, base_url)


def _send_confirmation(user: Any, base_url: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = base_url + reverse(
        "participation:confirm", kwargs={"uidb64": uid, "token": sign_up_tokens.make_token(user)}
    )
    _send(
        user.email,
        _("Bitte bestätigen Sie Ihre Anmeldung bei Konsens"),
        "participation/email/confirm.txt",
        {"name": user.get_full_name(), "link": link},
    )


def citizen_confirm(*, uidb64: str, token: str) -> Any:
    """Activate the account of a confirmation link; the link works once."""
    user_model = get_user_model()
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        pk = None
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(pk=pk).first() if pk else None
        if user is None or user.is_active or not sign_up_tokens.check_token(user, token):
            raise Invalid(
                _("Dieser Bestätigungslink ist ungültig, schon benutzt oder abgelaufen."),
                field="token",
            )
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
