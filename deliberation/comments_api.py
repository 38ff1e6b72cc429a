"""The room's comments over REST, for scripts: read them as your role sees them, and post one.

A comment posted here and one posted through the room's socket are the same service call
(``deliberation.services.comment_post``) and the same ``comment.created`` event: everyone in
the room sees it live. Reading follows ``deliberation.view_room`` (a private room is a 404 for
outsiders); a hidden comment's body reaches moderators only, exactly as in the room.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.fields import UtcDateTimeField
from api.pagination import Pagination
from deliberation import payloads, services
from deliberation.access import access_circle
from deliberation.models import Comment
from deliberation.rules import room_role

NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")


class CommentPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class CommentAnchorOutput(serializers.Serializer):
    paragraph = serializers.IntegerField()
    quote = serializers.CharField(allow_null=True)
    prefix = serializers.CharField(help_text="Up to 64 characters before the quote.")
    suffix = serializers.CharField(help_text="Up to 64 characters after the quote.")


class PlacementVersionOutput(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class CommentPlacementOutput(serializers.Serializer):
    version = PlacementVersionOutput()
    state = serializers.ChoiceField(choices=["carried", "moved", "orphaned"])
    paragraph = serializers.IntegerField(allow_null=True)
    start = serializers.IntegerField(allow_null=True)
    end = serializers.IntegerField(allow_null=True)


class CommentOutput(serializers.Serializer):
    """The shape of ``comment`` in the room protocol (docs/protocol.md)."""

    id = serializers.IntegerField()
    goal = serializers.IntegerField()
    version = serializers.IntegerField()
    version_number = serializers.IntegerField()
    author = CommentPersonOutput(allow_null=True)
    reply_to = serializers.IntegerField(allow_null=True)
    anchor = CommentAnchorOutput(allow_null=True)
    placement = CommentPlacementOutput(
        allow_null=True, help_text="Where the anchor stands in the newest later version."
    )
    state = serializers.ChoiceField(choices=Comment.State.choices)
    body = serializers.CharField(allow_null=True, help_text="null when hidden, but for moderators")
    body_html = serializers.CharField(allow_null=True)
    moderation_reason = serializers.CharField(allow_null=True)
    created_at = UtcDateTimeField()
    edited_at = UtcDateTimeField(allow_null=True)


class CommentInput(serializers.Serializer):
    goal = serializers.IntegerField(help_text="A goal under discussion in this room.")
    body = serializers.CharField(
        trim_whitespace=False, help_text="Markdown; at most 5,000 characters."
    )
    client_key = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Your own key for this comment: posting the same key again returns the "
        "comment already posted (200) instead of a second one.",
    )
    reply_to = serializers.IntegerField(required=False, allow_null=True)
    anchor_paragraph = serializers.IntegerField(required=False, allow_null=True)
    anchor_quote = serializers.CharField(required=False, allow_blank=True, max_length=500)
    anchor_prefix = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=64,
        help_text="Text before the quote, to tell which of repeated quotes is meant.",
    )


class CommentListApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]
    pagination_class = Pagination  # documents the page envelope in the schema

    @extend_schema(
        tags=["rooms"],
        operation_id="room_comments_list",
        summary="The comments said in a room",
        description="Oldest first, paginated (`limit`, `offset`). Hidden comments keep their "
        "place; their body is null for everyone but the room's moderators.",
        responses={200: CommentOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        moderator = room_role(request.user, circle) == "moderator"
        comments = (
            Comment.objects.filter(circle=circle)
            .select_related("author", "version")
            .prefetch_related("placements__version")
            .order_by("pk")
        )
        paginator = Pagination()
        page = paginator.paginate_queryset(comments, request, view=self) or []
        return paginator.get_paginated_response(
            [payloads.comment_data(c, moderator=moderator) for c in page]
        )

    @extend_schema(
        tags=["rooms"],
        operation_id="room_comments_create",
        summary="Post a comment in a room",
        description="Members who may speak (moderators, experts, drafters), while the room "
        "takes comments (free discussion, or a round's discussion phase).",
        request=CommentInput,
        responses={
            201: CommentOutput,
            200: OpenApiResponse(CommentOutput, description="Posted before with this key."),
            **error_responses(400, 403, 404, 409),
        },
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = CommentInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields: dict[str, Any] = dict(data.validated_data)
        comment, created = services.comment_post(
            actor=request.user,
            circle=circle,
            goal_id=fields["goal"],
            body=fields["body"],
            client_key=fields.get("client_key", ""),
            reply_to=fields.get("reply_to"),
            anchor_paragraph=fields.get("anchor_paragraph"),
            anchor_quote=fields.get("anchor_quote", ""),
            anchor_prefix=fields.get("anchor_prefix", ""),
        )
        moderator = room_role(request.user, circle) == "moderator"
        return Response(
            payloads.comment_data(comment, moderator=moderator),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
