"""Change proposals over REST, under the circle like its comments (``comments_api``): list
them, propose, withdraw, decide, run the quick vote, and preview the text with the accepted
ones applied. Every write is the same service call as the room's socket command
(``deliberation.proposals``) and the same room event: the room sees it live.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.fields import UtcDateTimeField
from api.pagination import Pagination, paginated
from deliberation import proposals
from deliberation.access import access_circle
from deliberation.comments_api import NO_CIRCLE, CommentPersonOutput
from deliberation.models import Disposition, ProposalBallot
from deliberation.models.proposals import QUOTE_MAX
from deliberation.rounds.serializers import DiffOpOutput, DispositionOutput

TAGS = ["rooms"]


class ProposalVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class BallotOutput(serializers.Serializer):
    person = CommentPersonOutput(allow_null=True)
    choice = serializers.ChoiceField(choices=ProposalBallot.Choice.choices)


class QuickVoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    proposal = serializers.IntegerField()
    open = serializers.BooleanField()
    opened_at = UtcDateTimeField()
    closed_at = UtcDateTimeField(allow_null=True)
    yes = serializers.IntegerField()
    no = serializers.IntegerField()
    abstain = serializers.IntegerField()
    ballots = BallotOutput(many=True, help_text="An open show of hands: who voted how.")


class ProposalOutput(serializers.Serializer):
    """The shape of ``proposal`` in the room protocol (docs/protocol.md)."""

    id = serializers.IntegerField()
    goal = serializers.IntegerField()
    version = ProposalVersionOutput()
    author = CommentPersonOutput(allow_null=True)
    paragraph = serializers.IntegerField(help_text="1 = the version's first paragraph.")
    start = serializers.IntegerField(help_text="Offset of the passage in the paragraph.")
    end = serializers.IntegerField(help_text="End of the passage (exclusive).")
    quote = serializers.CharField()
    prefix = serializers.CharField(allow_blank=True)
    suffix = serializers.CharField(allow_blank=True)
    replacement = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    state = serializers.ChoiceField(choices=["open", "withdrawn"])
    created_at = UtcDateTimeField()
    withdrawn_at = UtcDateTimeField(allow_null=True)
    diff = DiffOpOutput(many=True, help_text="Word diff from the quote to the replacement.")
    disposition = DispositionOutput(allow_null=True)
    adopted_text = serializers.CharField(allow_null=True, allow_blank=True)
    adopted_diff = DiffOpOutput(many=True, allow_null=True)
    applied_in = ProposalVersionOutput(allow_null=True)
    vote = QuickVoteOutput(allow_null=True)
    conflicts_with = serializers.ListField(
        child=serializers.IntegerField(),
        help_text="Open proposals on an overlapping passage of the same version.",
    )


class ProposalInput(serializers.Serializer):
    goal = serializers.IntegerField(help_text="A goal under discussion in this room.")
    paragraph = serializers.IntegerField()
    start = serializers.IntegerField(min_value=0)
    end = serializers.IntegerField(min_value=1)
    quote = serializers.CharField(
        trim_whitespace=False,
        max_length=QUOTE_MAX,
        help_text="Exactly the paragraph's text from start to end.",
    )
    replacement = serializers.CharField(
        trim_whitespace=False, allow_blank=True, help_text="Empty: delete the passage."
    )
    reason = serializers.CharField()
    client_key = serializers.CharField(required=False, allow_blank=True, max_length=64)


class ProposalDispositionInput(serializers.Serializer):
    value = serializers.ChoiceField(
        choices=Disposition.Value.choices,
        help_text="partially_accepted = accepted with changes (give modified_text).",
    )
    response = serializers.CharField()
    modified_text = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, trim_whitespace=False
    )


class VoteCastInput(serializers.Serializer):
    choice = serializers.ChoiceField(choices=ProposalBallot.Choice.choices)


class PreviewOutput(serializers.Serializer):
    text = serializers.CharField()
    proposals = serializers.ListField(child=serializers.IntegerField())


def _valid(serializer_class: type, data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _answer(circle: Any, proposal_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(proposals.proposal_detail(circle, proposal_id), status=code)


class ProposalListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = Pagination  # documents the page envelope in the schema

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_list",
        summary="The change proposals made in a room",
        description="Oldest first, paginated (`limit`, `offset`), with their word diff, "
        "conflicts and quick vote.",
        responses={200: ProposalOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        return paginated(request, self, proposals.room_proposals(circle), list)

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_create",
        summary="Propose new wording for a passage of a goal's current version",
        description="Members who may comment, while the room takes comments. The passage is "
        "paragraph + start/end within its text; the quote must be exactly that text.",
        request=ProposalInput,
        responses={
            201: ProposalOutput,
            200: OpenApiResponse(ProposalOutput, description="Proposed before with this key."),
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(ProposalInput, request.data)
        proposal, created = proposals.proposal_create(
            actor=request.user,
            circle=circle,
            goal_id=data["goal"],
            paragraph=data["paragraph"],
            start=data["start"],
            end=data["end"],
            quote=data["quote"],
            replacement=data["replacement"],
            reason=data["reason"],
            client_key=data.get("client_key", ""),
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return _answer(circle, proposal.pk, code)


class ProposalWithdrawApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_withdraw",
        summary="Withdraw your own proposal (before it is decided)",
        request=None,
        responses={200: ProposalOutput, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, slug: str, proposal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        proposals.proposal_withdraw(actor=request.user, circle=circle, proposal_id=proposal_id)
        return _answer(circle, proposal_id)


class ProposalDispositionApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_dispose",
        summary="Decide on a proposal (during evaluation)",
        request=ProposalDispositionInput,
        responses={200: ProposalOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, proposal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(ProposalDispositionInput, request.data)
        proposals.proposal_dispose(
            actor=request.user,
            circle=circle,
            proposal_id=proposal_id,
            value=data["value"],
            response=data["response"],
            modified_text=data.get("modified_text"),
        )
        return _answer(circle, proposal_id)


class ProposalVoteApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_vote_open",
        summary="Put a proposal to a quick open vote (moderators)",
        request=None,
        responses={200: ProposalOutput, **error_responses(403, 404, 409)},
    )
    def post(self, request: Request, slug: str, proposal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        proposals.proposal_vote_open(actor=request.user, circle=circle, proposal_id=proposal_id)
        return _answer(circle, proposal_id)

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_vote_cast",
        summary="Raise your hand in the running quick vote: yes, no or abstain",
        request=VoteCastInput,
        responses={200: ProposalOutput, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request: Request, slug: str, proposal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = _valid(VoteCastInput, request.data)
        proposals.proposal_vote_cast(
            actor=request.user, circle=circle, proposal_id=proposal_id, choice=data["choice"]
        )
        return _answer(circle, proposal_id)

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_vote_close",
        summary="Close the running quick vote (moderators); the counts are recorded",
        request=None,
        responses={200: ProposalOutput, **error_responses(403, 404, 409)},
    )
    def delete(self, request: Request, slug: str, proposal_id: int) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        vote = proposals.proposal_vote_close(actor=request.user, circle=circle)
        return _answer(circle, vote.proposal_id)


class ProposalPreviewApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=TAGS,
        operation_id="room_proposals_apply_preview",
        summary="The goal's current text with its accepted proposals applied (drafters)",
        description="Writes nothing: the revision form shows this text for review; publish "
        "it with `proposal_ids`. Overlapping accepted proposals are a 409 naming them.",
        parameters=[
            OpenApiParameter("goal", int, required=True),
            OpenApiParameter(
                "proposals", str, required=False, description="Comma-separated ids (all: omit)."
            ),
        ],
        responses={200: PreviewOutput, **error_responses(400, 403, 404, 409)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        goal = _number(request.query_params.get("goal"), "goal")
        raw = request.query_params.get("proposals")
        ids = None
        if raw is not None:
            ids = [_number(part, "proposals") for part in raw.split(",") if part.strip()]
        text, applied = proposals.proposals_preview(
            actor=request.user, circle=circle, goal_id=goal, proposal_ids=ids
        )
        return Response({"text": text, "proposals": [p.pk for p in applied]})


def _number(value: Any, field: str) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise serializers.ValidationError({field: [_("Bitte eine ganze Zahl angeben.")]}) from None
