"""The participation REST API: one view per operation, each calling the same services and
selectors as the pages.

Reading: a questionnaire is visible to those who manage it or read its results, and (once
open) a public one to everybody; an invitation's questionnaire to whoever holds the token.
Contributions follow ``participation.view_contribution`` (approved ones for everybody, the
others for their author and moderation). What one may not see is a 404. Domain errors become
HTTP errors in ``api.errors.exception_handler`` (403, 409 closed or past the deadline, 429
rate limit, 400, 404).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from deliberation import payloads as deliberation_payloads
from deliberation import selectors as deliberation_selectors
from deliberation.models import ActionField, Circle, Concept
from deliberation.rounds.serializers import DispositionOutput
from kernel.permissions import can
from participation import payloads, selectors, services
from participation.access import (
    access_contribution,
    access_questionnaire,
    access_results,
)
from participation.models import Contribution, Question, Questionnaire
from participation.serializers import (
    ConfirmInput,
    ContributionFilter,
    ContributionInput,
    ContributionOutput,
    DetailOutput,
    FeedbackDispositionInput,
    GoalLinkInput,
    InvitationOutput,
    InvitationPageOutput,
    InvitationsInput,
    ModerationInput,
    ModerationQueueOutput,
    OpenInput,
    QuestionInput,
    QuestionMoveInput,
    QuestionnaireCreateInput,
    QuestionnaireDetailOutput,
    QuestionnaireOutput,
    QuestionnaireUpdateInput,
    QuestionOutput,
    ReportCreatedOutput,
    ReportInput,
    ResponseInput,
    ResponseOutput,
    ResultsOutput,
    ResultsQuery,
    SignUpInput,
    TextAnswerLinkedOutput,
)
from participation.web import base_url, client_address

TAGS = ["participation"]
NO_QUESTIONNAIRE = _("Kein sichtbarer Fragebogen mit dieser Nummer.")
NO_QUESTION = _("Dieser Fragebogen hat keine Frage mit dieser Nummer.")
NO_INVITATION = _("Dieser Einladungslink ist ungültig.")
NO_CONCEPT = _("Kein Konzept mit diesem Kurznamen.")
NO_FIELD = _("Kein Handlungsfeld mit diesem Kurznamen.")
NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")
NO_CONTRIBUTION = _("Kein sichtbarer Beitrag mit dieser Nummer.")


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _concept(slug: str) -> Concept:
    concept = Concept.objects.filter(slug=slug).first()
    if concept is None:
        raise exceptions.NotFound(NO_CONCEPT)
    return concept


def _field(concept: Concept, slug: str | None) -> ActionField | None:
    if slug is None:
        return None
    field = concept.action_fields.filter(slug=slug).first()
    if field is None:
        raise exceptions.ValidationError({"action_field": [str(NO_FIELD)]})
    return field


def _detail(questionnaire_id: int) -> dict[str, Any]:
    questionnaire = selectors.questionnaire_by_id(questionnaire_id)
    assert questionnaire is not None
    return payloads.questionnaire_data(
        questionnaire, questions=selectors.questionnaire_questions(questionnaire)
    )


def _answers(data: dict[str, Any]) -> dict[int, Any]:
    """``[{"question", "choice" | "choices" | "scale" | "text"}]`` → ``{question: value}``."""
    answers: dict[int, Any] = {}
    for entry in data["answers"]:
        values = [entry[k] for k in ("choice", "choices", "scale", "text") if k in entry]
        if len(values) > 1:
            raise exceptions.ValidationError(
                {"answers": [_("Je Antwort genau eines von choice, choices, scale, text.")]}
            )
        if entry["question"] in answers:
            raise exceptions.ValidationError({"answers": [_("Eine Frage steht doppelt da.")]})
        answers[entry["question"]] = values[0] if values else None
    return answers


# --- questionnaires --------------------------------------------------------------------------


class QuestionnaireListApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_list",
        summary="Questionnaires you manage or evaluate, and the open public ones",
        responses={200: QuestionnaireOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        found = {q.pk: q for q in selectors.open_public_questionnaires()}
        if request.user.is_authenticated:
            found.update({q.pk: q for q in selectors.manageable_questionnaires(request.user)})
        return Response(
            [payloads.questionnaire_data(found[pk]) for pk in sorted(found, reverse=True)]
        )

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_create",
        summary="Create a questionnaire (staff, moderators of its scope)",
        request=QuestionnaireCreateInput,
        responses={201: QuestionnaireDetailOutput, **error_responses(400, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        data = _valid(QuestionnaireCreateInput, request.data)
        concept = _concept(data.pop("concept"))
        questionnaire = services.questionnaire_create(
            actor=request.user,
            concept=concept,
            action_field=_field(concept, data.pop("action_field", None)),
            **data,
        )
        return Response(_detail(questionnaire.pk), status=status.HTTP_201_CREATED)


class QuestionnaireDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_retrieve",
        summary="A questionnaire with its questions",
        responses={200: QuestionnaireDetailOutput, **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        return Response(
            _detail(
                access_questionnaire(request.user, questionnaire_id, message=NO_QUESTIONNAIRE).pk
            )
        )

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_partial_update",
        summary="Change title, introduction, distribution (draft only) or deadline",
        request=QuestionnaireUpdateInput,
        responses={200: QuestionnaireDetailOutput, **error_responses(400, 403, 404, 409)},
    )
    def patch(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        data = _valid(QuestionnaireUpdateInput, request.data)
        services.questionnaire_update(
            actor=request.user,
            questionnaire_id=questionnaire.pk,
            title=data.get("title"),
            intro=data.get("intro"),
            distribution=data.get("distribution"),
            deadline=data.get("deadline", services.KEEP),
        )
        return Response(_detail(questionnaire.pk))


class QuestionListApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_questions_create",
        summary="Append a question to a draft questionnaire",
        request=QuestionInput,
        responses={201: QuestionOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        data = _valid(QuestionInput, request.data)
        question = services.question_add(
            actor=request.user,
            questionnaire_id=questionnaire.pk,
            goal_id=data.pop("goal"),
            **data,
        )
        return Response(payloads.question_data(question), status=status.HTTP_201_CREATED)


def _question(questionnaire: Questionnaire, question_id: int) -> Question:
    question = questionnaire.questions.filter(pk=question_id).first()
    if question is None:
        raise exceptions.NotFound(NO_QUESTION)
    return question


class QuestionDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_questions_update",
        summary="Rewrite a question of a draft questionnaire",
        request=QuestionInput,
        responses={200: QuestionOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, questionnaire_id: int, question_id: int) -> Response:
        question = _question(
            access_questionnaire(request.user, questionnaire_id, message=NO_QUESTIONNAIRE),
            question_id,
        )
        data = _valid(QuestionInput, request.data)
        updated = services.question_update(
            actor=request.user, question_id=question.pk, goal_id=data.pop("goal"), **data
        )
        return Response(payloads.question_data(updated))

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_questions_destroy",
        summary="Delete a question of a draft questionnaire",
        responses={204: None, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, questionnaire_id: int, question_id: int) -> Response:
        question = _question(
            access_questionnaire(request.user, questionnaire_id, message=NO_QUESTIONNAIRE),
            question_id,
        )
        services.question_delete(actor=request.user, question_id=question.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class QuestionMoveApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_questions_move",
        summary="Swap a question with its neighbour above or below",
        request=QuestionMoveInput,
        responses={200: QuestionnaireDetailOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, questionnaire_id: int, question_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        question = _question(questionnaire, question_id)
        data = _valid(QuestionMoveInput, request.data)
        services.question_move(
            actor=request.user, question_id=question.pk, direction=data["direction"]
        )
        return Response(_detail(questionnaire.pk))


class QuestionnaireOpenApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_open",
        summary="Open (or reopen) a questionnaire for responses",
        request=OpenInput,
        responses={200: QuestionnaireDetailOutput, **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        data = _valid(OpenInput, request.data)
        services.questionnaire_open(
            actor=request.user,
            questionnaire_id=questionnaire.pk,
            deadline=data.get("deadline", services.KEEP),
        )
        return Response(_detail(questionnaire.pk))


class QuestionnaireCloseApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_close",
        summary="Close a questionnaire: no more responses",
        request=None,
        responses={200: QuestionnaireDetailOutput, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        services.questionnaire_close(actor=request.user, questionnaire_id=questionnaire.pk)
        return Response(_detail(questionnaire.pk))


def _managed(request: Request, questionnaire_id: int) -> Questionnaire:
    questionnaire = access_questionnaire(request.user, questionnaire_id, message=NO_QUESTIONNAIRE)
    if not can(request.user, "participation.manage_questionnaire", questionnaire):
        raise exceptions.NotFound(NO_QUESTIONNAIRE)
    return questionnaire


class InvitationListApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_invitations_list",
        summary="The invitations with their personal links (managers)",
        responses={200: InvitationOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = _managed(request, questionnaire_id)
        site = base_url(request)
        return Response(
            [
                payloads.invitation_data(i, site)
                for i in selectors.questionnaire_invitations(questionnaire)
            ]
        )

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_invitations_create",
        summary="Invite a list of addresses (addresses already invited keep their link)",
        request=InvitationsInput,
        responses={201: InvitationOutput(many=True), **error_responses(400, 403, 404, 409)},
    )
    def post(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        data = _valid(InvitationsInput, request.data)
        batch = services.invitations_create(
            actor=request.user, questionnaire_id=questionnaire.pk, emails=data["emails"]
        )
        site = base_url(request)
        return Response(
            [payloads.invitation_data(i, site) for i in batch.all],
            status=status.HTTP_201_CREATED,
        )


def _download(content: str, *, filename: str) -> HttpResponse:
    response = HttpResponse(content.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class InvitationCsvApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_invitations_csv",
        summary="The invitations as CSV: address, personal link, state",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> HttpResponse:
        questionnaire = _managed(request, questionnaire_id)
        return _download(
            selectors.invitations_csv(
                selectors.questionnaire_invitations(questionnaire), base_url(request)
            ),
            filename=f"einladungen-fragebogen-{questionnaire.pk}.csv",
        )


class ResultsApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_results",
        summary="Counts, distributions and free-text answers of the submitted responses",
        parameters=[ResultsQuery],
        responses={200: ResultsOutput, **error_responses(400, 404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_results(request.user, questionnaire_id, message=NO_QUESTIONNAIRE)
        query = _valid(ResultsQuery, request.query_params)
        results = selectors.questionnaire_results(
            questionnaire, search=query["q"], goal_id=query.get("goal"), state=query["state"]
        )
        return Response(payloads.results_data(results))


class ResponsesCsvApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_responses_csv",
        summary="All submitted responses as CSV, one row each (no names)",
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> HttpResponse:
        questionnaire = access_results(request.user, questionnaire_id, message=NO_QUESTIONNAIRE)
        return _download(
            selectors.responses_csv(questionnaire),
            filename=f"antworten-fragebogen-{questionnaire.pk}.csv",
        )


class OwnResponseApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_response_retrieve",
        summary="Your response to a public questionnaire (null before the first save)",
        responses={200: ResponseOutput(allow_null=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        response = selectors.account_response(questionnaire, request.user)
        return Response(payloads.response_data(response) if response else None)

    @extend_schema(
        tags=TAGS,
        operation_id="questionnaires_response_update",
        summary="Save a draft of your answers, or submit them (once)",
        request=ResponseInput,
        responses={200: ResponseOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = access_questionnaire(
            request.user, questionnaire_id, message=NO_QUESTIONNAIRE
        )
        data = _valid(ResponseInput, request.data)
        response = services.response_save(
            actor=request.user,
            questionnaire_id=questionnaire.pk,
            answers=_answers(data),
            submit=data["submit"],
        )
        return Response(payloads.response_data(response))


class InvitationApi(APIView):
    """The invitee's door: the token in the path is the only credential."""

    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []  # no session, so no CSRF: the token decides

    def _invitation(self, token: str) -> Any:
        invitation = selectors.invitation_by_token(token)
        if invitation is None or invitation.questionnaire.status == Questionnaire.Status.DRAFT:
            raise exceptions.NotFound(NO_INVITATION)
        return invitation

    @extend_schema(
        tags=TAGS,
        operation_id="invitations_retrieve",
        summary="The questionnaire of an invitation and the invitee's response so far",
        auth=[],
        responses={200: InvitationPageOutput, **error_responses(404)},
    )
    def get(self, request: Request, token: str) -> Response:
        invitation = self._invitation(token)
        response = selectors.invitation_response(invitation)
        return Response(
            {
                "questionnaire": _detail(invitation.questionnaire_id),
                "response": payloads.response_data(response) if response else None,
            }
        )

    @extend_schema(
        tags=TAGS,
        operation_id="invitations_response_update",
        summary="Save a draft of the invitee's answers, or submit them (once per invitation)",
        auth=[],
        request=ResponseInput,
        responses={200: ResponseOutput, **error_responses(400, 404, 409)},
    )
    def put(self, request: Request, token: str) -> Response:
        self._invitation(token)
        data = _valid(ResponseInput, request.data)
        response = services.response_save(
            actor=None, token=token, answers=_answers(data), submit=data["submit"]
        )
        return Response(payloads.response_data(response))


class AnswerGoalApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="answers_goal_update",
        summary="Link a free-text answer to a goal of its questionnaire's scope (or unlink)",
        request=GoalLinkInput,
        responses={200: TextAnswerLinkedOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, answer_id: int) -> Response:
        data = _valid(GoalLinkInput, request.data)
        answer = services.answer_link_goal(
            actor=request.user, answer_id=answer_id, goal_id=data["goal"]
        )
        return Response({"id": answer.pk, "goal": answer.goal_id})


def _circle(request: Request, slug: str) -> Circle:
    circle = deliberation_selectors.circle_by_slug(slug)
    if circle is None or not can(request.user, "deliberation.view_room", circle):
        raise exceptions.NotFound(NO_CIRCLE)
    return circle


class AnswerDispositionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_answers_disposition",
        summary="Give a free-text answer (linked to a goal of the field) its disposition",
        request=FeedbackDispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, answer_id: int) -> Response:
        data = _valid(FeedbackDispositionInput, request.data)
        disposition = services.feedback_disposition_set(
            actor=request.user, circle=_circle(request, slug), answer_id=answer_id, **data
        )
        return Response(deliberation_payloads.disposition_data(disposition))


class ContributionDispositionApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["rounds"],
        operation_id="rounds_contributions_disposition",
        summary="Give an approved public contribution of the field its disposition",
        request=FeedbackDispositionInput,
        responses={200: DispositionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, contribution_id: int) -> Response:
        data = _valid(FeedbackDispositionInput, request.data)
        disposition = services.feedback_disposition_set(
            actor=request.user,
            circle=_circle(request, slug),
            contribution_id=contribution_id,
            **data,
        )
        return Response(deliberation_payloads.disposition_data(disposition))


# --- contributions ---------------------------------------------------------------------------


class ConceptContributionsApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="concepts_contributions_list",
        summary="The approved ideas, questions and opinions of a concept, newest first",
        parameters=[ContributionFilter],
        responses={200: ContributionOutput(many=True), **error_responses(400, 404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        concept = _concept(slug)
        query = _valid(ContributionFilter, request.query_params)
        found = selectors.public_contributions(
            concept,
            kinds=[query["kind"]] if "kind" in query else None,
            action_field=_field(concept, query.get("action_field")),
        )
        return Response([payloads.contribution_data(c) for c in found])

    @extend_schema(
        tags=TAGS,
        operation_id="concepts_contributions_create",
        summary="Submit an idea (until the concept's deadline), a question or an opinion",
        description="Registered, confirmed accounts only; it waits for moderation.",
        request=ContributionInput,
        responses={
            201: ContributionOutput,
            **error_responses(400, 401, 403, 404, 409, 429),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        concept = _concept(slug)
        data = _valid(ContributionInput, request.data)
        contribution = services.contribution_submit(
            actor=request.user,
            concept=concept,
            kind=data["kind"],
            action_field=_field(concept, data["action_field"]),
            title=data["title"],
            body=data["body"],
            website=data["website"],
        )
        found = selectors.contribution_by_id(contribution.pk)
        assert found is not None
        return Response(payloads.contribution_data(found), status=status.HTTP_201_CREATED)


class OwnContributionsApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_mine",
        summary="Everything you submitted and what became of it",
        responses={200: ContributionOutput(many=True), **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        return Response(
            [payloads.contribution_data(c) for c in selectors.own_contributions(request.user)]
        )


class ContributionDetailApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="contributions_retrieve",
        summary="A contribution (approved ones for everybody; others for author, moderation)",
        responses={200: ContributionOutput, **error_responses(404)},
    )
    def get(self, request: Request, contribution_id: int) -> Response:
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
            )
        )


class ContributionReportApi(APIView):
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_report",
        summary="Report a public contribution to moderation",
        request=ReportInput,
        responses={201: ReportCreatedOutput, **error_responses(400, 404, 429)},
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        data = _valid(ReportInput, request.data)
        report = services.contribution_report(
            actor=request.user,
            contribution_id=access_contribution(
                request.user, contribution_id, message=NO_CONTRIBUTION
            ).pk,
            reason=data["reason"],
            client_key=client_address(request),
        )
        return Response({"id": report.pk}, status=status.HTTP_201_CREATED)


def _queue_item(contribution: Contribution) -> dict[str, Any]:
    data = payloads.contribution_data(contribution)
    data["open_reports"] = getattr(contribution, "open_reports", 0)
    return data


class ModerationQueueApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="moderation_queue",
        summary="What waits for your moderation: new and reported contributions, counts",
        responses={200: ModerationQueueOutput, **error_responses(401, 403)},
    )
    def get(self, request: Request) -> Response:
        concept = deliberation_selectors.current_concept()
        if not (
            request.user.is_staff
            or (concept and can(request.user, "participation.moderate_contribution", concept))
        ):
            raise exceptions.PermissionDenied(_("Nur die Moderation sieht die Warteschlange."))
        queue = selectors.moderation_queue(request.user)
        return Response(
            {
                "stats": {
                    "pending": queue.stats.pending,
                    "by_kind": queue.stats.by_kind,
                    "oldest": queue.stats.oldest.isoformat() if queue.stats.oldest else None,
                    "reported": queue.stats.reported,
                },
                "pending": [payloads.contribution_data(c) for c in queue.pending],
                "reported": [_queue_item(c) for c in queue.reported],
            }
        )


class ContributionModerateApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_moderate",
        summary="Approve or reject a contribution, or dismiss the reports about it",
        request=ModerationInput,
        responses={200: ContributionOutput, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request, contribution_id: int) -> Response:
        contribution = access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
        data = _valid(ModerationInput, request.data)
        if data["decision"] == "dismiss":
            services.contribution_reports_dismiss(
                actor=request.user, contribution_id=contribution.pk
            )
        else:
            services.contribution_moderate(
                actor=request.user,
                contribution_id=contribution.pk,
                decision=data["decision"],
                reason=data["reason"],
            )
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution.pk, message=NO_CONTRIBUTION)
            )
        )


class ContributionGoalApi(APIView):
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="contributions_goal_update",
        summary="Link a contribution to a goal (or unlink) so the rounds evaluate it",
        request=GoalLinkInput,
        responses={200: ContributionOutput, **error_responses(400, 401, 403, 404, 409)},
    )
    def put(self, request: Request, contribution_id: int) -> Response:
        contribution = access_contribution(request.user, contribution_id, message=NO_CONTRIBUTION)
        data = _valid(GoalLinkInput, request.data)
        services.contribution_link_goal(
            actor=request.user, contribution_id=contribution.pk, goal_id=data["goal"]
        )
        return Response(
            payloads.contribution_data(
                access_contribution(request.user, contribution.pk, message=NO_CONTRIBUTION)
            )
        )


# --- accounts --------------------------------------------------------------------------------


class SignUpApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        tags=TAGS,
        operation_id="accounts_sign_up",
        summary="Register as a citizen: a confirmation link goes to the address",
        description="The answer is the same whether the address is known or not.",
        auth=[],
        request=SignUpInput,
        responses={202: DetailOutput, **error_responses(400, 429)},
    )
    def post(self, request: Request) -> Response:
        data = _valid(SignUpInput, request.data)
        services.citizen_sign_up(
            base_url=base_url(request), client_key=client_address(request), **data
        )
        return Response(
            {"detail": _("Bitte bestätigen Sie Ihre Adresse mit dem Link aus der E-Mail.")},
            status=status.HTTP_202_ACCEPTED,
        )


class ConfirmApi(APIView):
    permission_classes = [permissions.AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(
        tags=TAGS,
        operation_id="accounts_confirm",
        summary="Confirm an address with the uid and token of the e-mailed link",
        auth=[],
        request=ConfirmInput,
        responses={200: DetailOutput, **error_responses(400)},
    )
    def post(self, request: Request) -> Response:
        data = _valid(ConfirmInput, request.data)
        services.citizen_confirm(uidb64=data["uid"], token=data["token"])
        return Response({"detail": _("Ihr Konto ist bestätigt; Sie können sich anmelden.")})
