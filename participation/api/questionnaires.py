"""REST: questionnaires and their questions, opening, closing, invitations, results, responses."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.pagination import Pagination, page_of, paginated
from kernel.permissions import can
from participation import payloads, selectors, services
from participation.access import (
    access_questionnaire,
    access_results,
)
from participation.api._common import (
    NO_INVITATION,
    NO_QUESTION,
    NO_QUESTIONNAIRE,
    TAGS,
    _concept,
    _field,
    _valid,
)
from participation.models import Question, Questionnaire
from participation.serializers import (
    InvitationOutput,
    InvitationPageOutput,
    InvitationsInput,
    OpenInput,
    QuestionInput,
    QuestionMoveInput,
    QuestionnaireCreateInput,
    QuestionnaireDetailOutput,
    QuestionnaireOutput,
    QuestionnaireUpdateInput,
    QuestionOutput,
    ResponseInput,
    ResponseOutput,
    ResultsOutput,
    ResultsQuery,
)
from participation.web import base_url


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


class QuestionnaireListApi(APIView):
    pagination_class = Pagination

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
        return paginated(
            request,
            self,
            [found[pk] for pk in sorted(found, reverse=True)],
            lambda page: [payloads.questionnaire_data(q) for q in page],
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
        responses={200: page_of(InvitationOutput), **error_responses(404)},
    )
    def get(self, request: Request, questionnaire_id: int) -> Response:
        questionnaire = _managed(request, questionnaire_id)
        site = base_url(request)
        return paginated(
            request,
            self,
            selectors.questionnaire_invitations(questionnaire),
            lambda page: [payloads.invitation_data(i, site) for i in page],
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
            language=get_language() or "",
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
            actor=None,
            token=token,
            answers=_answers(data),
            submit=data["submit"],
            language=get_language() or "",
        )
        return Response(payloads.response_data(response))
