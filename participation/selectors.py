"""Every read of wider participation: questionnaires with their questions, a respondent's
response, the evaluation (counts, distributions, free-text answers) and its CSV exports, the
public's contributions, the moderation queue, and the public feedback a round evaluates.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from deliberation.models import ActionField, Circle, Concept, Disposition, Membership, Round
from deliberation.rounds.feedback_sources import PublicFeedback
from deliberation.rounds.selectors import FeedbackItem, is_settled, round_agenda
from participation.models import (
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

# --- questionnaires --------------------------------------------------------------------------


def questionnaire_by_id(pk: int) -> Questionnaire | None:
    return (
        Questionnaire.objects.select_related("concept", "action_field", "created_by")
        .filter(pk=pk)
        .first()
    )


def questionnaire_questions(questionnaire: Questionnaire) -> list[Question]:
    return list(
        questionnaire.questions.select_related("goal")
        .prefetch_related(Prefetch("choices", queryset=Choice.objects.order_by("order")))
        .order_by("order")
    )


def is_accepting(questionnaire: Questionnaire, now: datetime | None = None) -> bool:
    """Open and before its deadline, by the server's clock."""
    now = now or timezone.now()
    return questionnaire.status == Questionnaire.Status.OPEN and (
        questionnaire.deadline is None or now < questionnaire.deadline
    )


def _moderated_scopes(user: Any) -> tuple[set[int], set[int]]:
    """(concept ids, action field ids) whose circles ``user`` moderates."""
    if not getattr(user, "is_authenticated", False):
        return set(), set()
    rows = Membership.objects.filter(user=user, role=Membership.Role.MODERATOR).values_list(
        "circle__action_field__concept_id", "circle__action_field_id"
    )
    return {c for c, _f in rows}, {f for _c, f in rows}


def _member_scopes(user: Any) -> tuple[set[int], set[int]]:
    if not getattr(user, "is_authenticated", False):
        return set(), set()
    rows = Membership.objects.filter(user=user).values_list(
        "circle__action_field__concept_id", "circle__action_field_id"
    )
    return {c for c, _f in rows}, {f for _c, f in rows}


def _in_scopes(concepts: set[int], fields: set[int]) -> Q:
    """Questionnaires or contributions of these fields, or of these concepts as a whole."""
    return Q(action_field_id__in=fields) | Q(action_field__isnull=True, concept_id__in=concepts)


def manageable_questionnaires(user: Any) -> QuerySet[Questionnaire]:
    """The questionnaires ``user`` may build or whose results they may read (staff: all)."""
    found = Questionnaire.objects.select_related("concept", "action_field").annotate(
        question_count=Count("questions", distinct=True),
        submitted_count=Count(
            "responses", filter=Q(responses__state=Response.State.SUBMITTED), distinct=True
        ),
    )
    if getattr(user, "is_staff", False):
        return found
    concepts, fields = _member_scopes(user)
    return found.filter(_in_scopes(concepts, fields))


def open_public_questionnaires(concept: Concept | None = None) -> list[Questionnaire]:
    now = timezone.now()
    found = Questionnaire.objects.select_related("action_field").filter(
        Q(deadline__isnull=True) | Q(deadline__gt=now),
        status=Questionnaire.Status.OPEN,
        distribution=Questionnaire.Distribution.PUBLIC,
    )
    if concept is not None:
        found = found.filter(concept=concept)
    return list(found.order_by("deadline", "pk"))


def invitation_by_token(token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return (
        Invitation.objects.select_related("questionnaire__concept", "questionnaire__action_field")
        .filter(token=token)
        .first()
    )


def account_response(questionnaire: Questionnaire, user: Any) -> Response | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Response.objects.filter(questionnaire=questionnaire, respondent=user).first()


def invitation_response(invitation: Invitation) -> Response | None:
    return Response.objects.filter(invitation=invitation).first()


def response_values(response: Response | None) -> dict[int, Any]:
    """A response's answers as the services take them: ``{question id: value}``."""
    if response is None:
        return {}
    values: dict[int, Any] = {}
    for answer in response.answers.select_related("question").prefetch_related("choices"):
        kind = answer.question.kind
        if kind == Question.Kind.SINGLE:
            chosen = [c.pk for c in answer.choices.all()]
            values[answer.question_id] = chosen[0] if chosen else None
        elif kind == Question.Kind.MULTIPLE:
            values[answer.question_id] = sorted(c.pk for c in answer.choices.all())
        elif kind == Question.Kind.SCALE:
            values[answer.question_id] = answer.scale
        else:
            values[answer.question_id] = answer.text
    return values


# --- evaluation ------------------------------------------------------------------------------


def percent(part: int, whole: int) -> str:
    if not whole:
        return "–"
    return f"{formats.number_format(round(100 * part / whole, 1), 1, use_l10n=True)} %"


CHART_ROW = 30  # SVG user units per bar


@dataclass
class DistributionRow:
    label: str
    count: int
    percent: str
    width: float  # of the bar area, 0–100
    index: int

    # SVG attributes as plain strings: templates would localise floats ("12,5").
    @property
    def y(self) -> str:
        return str(self.index * CHART_ROW + 5)

    @property
    def text_y(self) -> str:
        return str(self.index * CHART_ROW + 22)

    @property
    def bar(self) -> str:
        return f"{2.2 * self.width:.1f}"

    @property
    def value_x(self) -> str:
        return f"{225 + 2.2 * self.width:.1f}"


@dataclass
class QuestionResult:
    question: Question
    answered: int
    rows: list[DistributionRow] = field(default_factory=list)
    mean: str | None = None
    texts: list[Answer] = field(default_factory=list)

    @property
    def chart_height(self) -> int:
        return CHART_ROW * len(self.rows) + 10


@dataclass
class Results:
    questionnaire: Questionnaire
    submitted: int
    drafts: int
    questions: list[QuestionResult]
    # (language name, submitted responses) for the languages answered in; one list for all
    # of them, since answers refer to the same questions and options in every language.
    languages: list[tuple[str, int]] = field(default_factory=list)


def _rows(labels: list[str], counts: list[int], answered: int) -> list[DistributionRow]:
    top = max(counts, default=0)
    return [
        DistributionRow(
            label=label,
            count=count,
            percent=percent(count, answered),
            width=round(100 * count / top, 2) if top else 0.0,
            index=index,
        )
        for index, (label, count) in enumerate(zip(labels, counts, strict=True))
    ]


TEXT_FILTERS = ("all", "open", "decided", "unlinked")


def questionnaire_results(
    questionnaire: Questionnaire,
    *,
    search: str = "",
    goal_id: int | None = None,
    state: str = "all",
) -> Results:
    """Counts and distributions per question over the submitted responses; for free-text
    questions the answers themselves, filtered by a search text, a linked goal and their
    state (``open``: no disposition yet, ``decided``, ``unlinked``: no goal). A bounded
    number of queries whatever the number of questions."""
    questions = questionnaire_questions(questionnaire)
    submitted = Answer.objects.filter(
        response__questionnaire=questionnaire, response__state=Response.State.SUBMITTED
    )
    answered = dict(
        submitted.values_list("question_id").annotate(n=Count("id")).values_list("question_id", "n")
    )
    choice_counts = dict(
        Answer.choices.through.objects.filter(
            answer__response__questionnaire=questionnaire,
            answer__response__state=Response.State.SUBMITTED,
        )
        .values_list("choice_id")
        .annotate(n=Count("id"))
        .values_list("choice_id", "n")
    )
    scale_counts: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, scale, n in (
        submitted.filter(scale__isnull=False)
        .values_list("question_id", "scale")
        .annotate(n=Count("id"))
        .values_list("question_id", "scale", "n")
    ):
        if scale is not None:
            scale_counts[question_id][scale] = n
    texts = (
        submitted.filter(question__kind=Question.Kind.TEXT)
        .exclude(text="")
        .select_related(
            "goal",
            "question",
            "response",
            "disposition__decided_by",
            "disposition__addressed_in",
        )
        .order_by("response__submitted_at", "pk")
    )
    if search:
        texts = texts.filter(text__icontains=search)
    if goal_id is not None:
        texts = texts.filter(goal_id=goal_id)
    if state == "open":
        texts = texts.filter(disposition__isnull=True)
    elif state == "decided":
        texts = texts.filter(disposition__isnull=False)
    elif state == "unlinked":
        texts = texts.filter(goal__isnull=True)
    texts_by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in texts:
        texts_by_question[answer.question_id].append(answer)
    results = []
    for question in questions:
        n = answered.get(question.pk, 0)
        result = QuestionResult(question=question, answered=n)
        if question.has_choices:
            choices = list(question.choices.all())
            result.rows = _rows(
                [c.label for c in choices], [choice_counts.get(c.pk, 0) for c in choices], n
            )
        elif question.kind == Question.Kind.SCALE:
            counts = scale_counts.get(question.pk, {})
            values = list(range(SCALE_MIN, SCALE_MAX + 1))
            result.rows = _rows([str(v) for v in values], [counts.get(v, 0) for v in values], n)
            if n:
                mean = sum(v * c for v, c in counts.items()) / n
                result.mean = formats.number_format(round(mean, 2), 2, use_l10n=True)
        else:
            result.texts = texts_by_question.get(question.pk, [])
        results.append(result)
    states = dict(
        questionnaire.responses.values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    by_language = dict(
        questionnaire.responses.filter(state=Response.State.SUBMITTED)
        .values_list("language")
        .annotate(n=Count("id"))
        .values_list("language", "n")
    )
    names = dict(settings.LANGUAGES)
    return Results(
        questionnaire=questionnaire,
        submitted=states.get(Response.State.SUBMITTED, 0),
        drafts=states.get(Response.State.DRAFT, 0),
        questions=results,
        languages=[
            (str(names.get(code) or _("nicht erfasst")), count)
            for code, count in sorted(by_language.items(), key=lambda item: -item[1])
        ],
    )


CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    """Text as a spreadsheet shows it, never as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(CSV_FORMULA_START) else text


def _csv(rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def _local(value: datetime | None) -> str:
    """A time as spreadsheets and scripts sort it (ISO 8601, local time with its offset)."""
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


def responses_csv_rows(questionnaire: Questionnaire) -> list[list[Any]]:
    """One row per submitted response: its receipt number, when, and one column per question
    (choices joined by "; "). Without names or addresses: respondents are not identified."""
    questions = questionnaire_questions(questionnaire)
    header: list[Any] = [_("Eingangsnummer"), _("abgeschickt am")]
    header += [f"{q.order}. {q.text}" for q in questions]
    rows = [header]
    responses = (
        questionnaire.responses.filter(state=Response.State.SUBMITTED)
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.prefetch_related(
                    Prefetch("choices", queryset=Choice.objects.order_by("order"))
                ),
            )
        )
        .order_by("submitted_at", "pk")
    )
    for response in responses:
        by_question = {answer.question_id: answer for answer in response.answers.all()}
        row: list[Any] = [response.receipt, _local(response.submitted_at)]
        for question in questions:
            answer = by_question.get(question.pk)
            if answer is None:
                row.append("")
            elif question.has_choices:
                row.append("; ".join(c.label for c in answer.choices.all()))
            elif question.kind == Question.Kind.SCALE:
                row.append(answer.scale)
            else:
                row.append(answer.text)
        rows.append(row)
    return rows


def responses_csv(questionnaire: Questionnaire) -> str:
    return _csv(responses_csv_rows(questionnaire))


def invitation_url(invitation: Invitation, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("participation:invited", args=[invitation.token])


def invitation_status(invitation: Invitation) -> str:
    response = getattr(invitation, "response", None)
    if response is None:
        return _("nicht begonnen")
    if response.state == Response.State.SUBMITTED:
        return _("abgeschickt")
    return _("Entwurf gespeichert")


def questionnaire_invitations(questionnaire: Questionnaire) -> list[Invitation]:
    return list(questionnaire.invitations.select_related("response").order_by("pk"))


def invitations_csv(invitations: Iterable[Invitation], base_url: str) -> str:
    """The address list with each invitee's personal link, for a mail merge."""
    rows: list[list[Any]] = [
        [_("E-Mail-Adresse"), _("Persönlicher Link"), _("Stand"), _("abgeschickt am")]
    ]
    for i in invitations:
        response = getattr(i, "response", None)
        submitted = response.submitted_at if response is not None else None
        rows.append([i.email, invitation_url(i, base_url), invitation_status(i), _local(submitted)])
    return _csv(rows)


# --- contributions ---------------------------------------------------------------------------


def _contributions() -> QuerySet[Contribution]:
    return Contribution.objects.select_related(
        "author",
        "concept",
        "action_field",
        "goal",
        "disposition__decided_by",
        "disposition__addressed_in",
    )


def contribution_by_id(pk: int) -> Contribution | None:
    return _contributions().select_related("concept", "moderated_by").filter(pk=pk).first()


def public_contributions(
    concept: Concept,
    *,
    kinds: Iterable[str] | None = None,
    action_field: ActionField | None = None,
) -> QuerySet[Contribution]:
    """Approved contributions only: what anybody may read."""
    found = _contributions().filter(concept=concept, state=Contribution.State.APPROVED)
    if kinds is not None:
        found = found.filter(kind__in=list(kinds))
    if action_field is not None:
        found = found.filter(action_field=action_field)
    return found.order_by("-created_at", "-pk")


def own_contributions(user: Any) -> QuerySet[Contribution]:
    """Everything ``user`` submitted, whatever became of it (for "Meine Beiträge")."""
    if not getattr(user, "is_authenticated", False):
        return Contribution.objects.none()
    return _contributions().filter(author=user).order_by("-created_at", "-pk")


@dataclass
class QueueStats:
    pending: int
    by_kind: dict[str, int]
    oldest: datetime | None
    reported: int


@dataclass
class ModerationQueue:
    pending: list[Contribution]
    reported: list[Contribution]
    stats: QueueStats


def moderation_queue(user: Any) -> ModerationQueue:
    """What waits for ``user``'s moderation, oldest first: new contributions and public ones
    with open reports; with the counts and the oldest waiting time."""
    scope = Contribution.objects.all()
    if not getattr(user, "is_staff", False):
        concepts, fields = _moderated_scopes(user)
        scope = scope.filter(_in_scopes(concepts, fields))
    pending = scope.filter(state=Contribution.State.PENDING)
    stats = pending.aggregate(n=Count("id"), oldest=Min("created_at"))
    by_kind = dict(pending.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    reported = (
        scope.filter(state=Contribution.State.APPROVED, reports__resolved_at__isnull=True)
        .annotate(
            open_reports=Count("reports", filter=Q(reports__resolved_at__isnull=True)),
            first_report=Min("reports__created_at"),
        )
        .select_related("author", "action_field", "goal", "concept")
        .order_by("first_report", "pk")
    )
    reported_list: list[Contribution] = list(reported)
    return ModerationQueue(
        pending=list(
            pending.select_related("author", "action_field", "goal", "concept").order_by(
                "created_at", "pk"
            )
        ),
        reported=reported_list,
        stats=QueueStats(
            pending=stats["n"],
            by_kind={kind: by_kind.get(kind, 0) for kind in Contribution.Kind.values},
            oldest=stats["oldest"],
            reported=len(reported_list),
        ),
    )


def open_reports(contribution: Contribution) -> list[ContributionReport]:
    return list(contribution.reports.filter(resolved_at__isnull=True).order_by("created_at"))


# --- the public's feedback in a round's evaluation -------------------------------------------


def _disposition_of(obj: Answer | Contribution) -> Disposition | None:
    try:
        return obj.disposition
    except Disposition.DoesNotExist:
        return None


def contribution_item(contribution: Contribution) -> FeedbackItem:
    disposition = _disposition_of(contribution)
    return FeedbackItem(
        kind="contribution",
        obj=contribution,
        goal_id=contribution.goal_id,
        round_number=None,
        disposition=disposition,
        versions=[disposition.addressed_in] if disposition and disposition.addressed_in else [],
    )


def answer_item(answer: Answer) -> FeedbackItem:
    disposition = _disposition_of(answer)
    return FeedbackItem(
        kind="answer",
        obj=answer,
        goal_id=answer.goal_id,
        round_number=None,
        disposition=disposition,
        versions=[disposition.addressed_in] if disposition and disposition.addressed_in else [],
    )


_DISPOSITION = ("disposition__decided_by", "disposition__addressed_in", "disposition__round")


def round_public_feedback(round_: Round, *, goal_ids: Iterable[int]) -> PublicFeedback:
    """The public's feedback a round evaluates: approved contributions and free-text answers
    linked to a goal on its agenda, and approved ideas for its field linked to no goal; each
    received before the round closed and not already settled in another round."""
    goal_ids = list(goal_ids)
    field_id = (
        Circle.objects.filter(pk=round_.circle_id).values_list("action_field_id", flat=True).get()
    )
    closed_at = round_.phase_changed_at if round_.phase == Round.Phase.CLOSED else None
    contributions = (
        Contribution.objects.filter(state=Contribution.State.APPROVED)
        .filter(
            Q(goal_id__in=goal_ids)
            | Q(goal__isnull=True, kind=Contribution.Kind.IDEA, action_field_id=field_id)
        )
        .select_related("author", "action_field", "goal", *_DISPOSITION)
        .order_by("created_at", "pk")
    )
    answers = (
        Answer.objects.filter(
            goal_id__in=goal_ids,
            question__kind=Question.Kind.TEXT,
            response__state=Response.State.SUBMITTED,
        )
        .exclude(text="")
        .select_related("question__questionnaire", "response__respondent", "goal", *_DISPOSITION)
        .order_by("response__submitted_at", "pk")
    )
    if closed_at is not None:
        contributions = contributions.filter(created_at__lte=closed_at)
        answers = answers.filter(response__submitted_at__lte=closed_at)
    result = PublicFeedback()
    items = [contribution_item(c) for c in contributions] + [answer_item(a) for a in answers]
    for item in items:
        disposition = item.disposition
        if (
            disposition is not None
            and disposition.round_id != round_.pk
            and is_settled(disposition)
        ):
            continue
        if item.goal_id is None:
            result.ideas.append(item)
        else:
            result.by_goal.setdefault(item.goal_id, []).append(item)
    return result


def active_round_public_feedback(round_: Round) -> PublicFeedback:
    """:func:`round_public_feedback` for the round's own agenda."""
    return round_public_feedback(round_, goal_ids=[item.goal_id for item in round_agenda(round_)])


# --- a person's own data ---------------------------------------------------------------------


def personal_data(user: Any) -> dict[str, Any]:
    """What wider participation stores about ``user``, for the person's own export: public
    contributions, reports filed, questionnaire responses with their answers, and
    questionnaire invitations sent to the account's address. Plain dicts, bounded queries."""
    responses = list(
        Response.objects.filter(respondent=user)
        .select_related("questionnaire")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").prefetch_related("choices"),
            )
        )
        .order_by("pk")
    )
    address = (getattr(user, "email", "") or "").strip()
    invitations = Invitation.objects.filter(email__iexact=address).order_by("pk") if address else []
    return {
        "contributions": list(
            Contribution.objects.filter(author=user)
            .order_by("pk")
            .values(
                "id",
                "kind",
                "concept__slug",
                "action_field__slug",
                "title",
                "body",
                "state",
                "moderation_reason",
                "created_at",
            )
        ),
        "reports": list(
            ContributionReport.objects.filter(reporter=user)
            .order_by("pk")
            .values("id", "contribution_id", "reason", "created_at", "resolved_at")
        ),
        "questionnaire_responses": [
            {
                "id": response.pk,
                "questionnaire": response.questionnaire.title,
                "state": response.state,
                "receipt": response.receipt,
                "created_at": response.created_at,
                "updated_at": response.updated_at,
                "submitted_at": response.submitted_at,
                "answers": [
                    {
                        "question": answer.question.text,
                        "scale": answer.scale,
                        "text": answer.text,
                        "choices": [choice.label for choice in answer.choices.all()],
                    }
                    for answer in response.answers.all()
                ],
            }
            for response in responses
        ],
        "questionnaire_invitations": [
            {
                "id": invitation.pk,
                "questionnaire_id": invitation.questionnaire_id,
                "email": invitation.email,
                "created_at": invitation.created_at,
            }
            for invitation in invitations
        ],
    }
