"""A room's session over REST, for scripts: read the speakers' list and the focus as the room
shows them, and change the circle's settings.

Reading follows ``deliberation.view_room`` through ``access_circle`` (a private room is a 404
for outsiders), exactly like the room's socket, whose ``welcome`` carries the same ``hands``
and ``focus``. Writing the settings is ``deliberation.circles.circle_update``, the service the
moderation page and the admin use: the room hears ``room.updated`` live.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from api.fields import UtcDateTimeField
from api.pagination import Pagination, paginated
from deliberation import payloads
from deliberation.access import access_circle
from deliberation.circles import circle_update
from deliberation.models import Circle, HandRaise
from deliberation.speakers import speakers_queue

NO_CIRCLE = _("Kein sichtbarer Kreis mit diesem Kurznamen.")


class RoomHandPersonOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class RoomHandOutput(serializers.Serializer):
    """The shape of a hand in the room protocol (``hands`` in ``welcome``, docs/protocol.md)."""

    id = serializers.IntegerField()
    user = RoomHandPersonOutput(allow_null=True)
    state = serializers.ChoiceField(choices=HandRaise.State.choices)
    raised_at = UtcDateTimeField()
    point_of_order = serializers.BooleanField()
    first_time = serializers.BooleanField()
    started_at = UtcDateTimeField(allow_null=True)
    ended_at = UtcDateTimeField(allow_null=True)
    limit = serializers.IntegerField(allow_null=True, help_text="Seconds; null is unlimited.")
    deadline = UtcDateTimeField(allow_null=True)


class RoomFocusOutput(serializers.Serializer):
    goal = serializers.IntegerField(
        allow_null=True, help_text="The goal every client is pointed at, or null."
    )


class RoomSettingsFieldOutput(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    title = serializers.CharField()


class RoomSettingsOutput(serializers.Serializer):
    """The room's settings as the socket's ``room`` and ``room.updated`` carry them."""

    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=Circle.Kind.choices)
    is_public = serializers.BooleanField()
    action_field = RoomSettingsFieldOutput()
    speaking_time = serializers.IntegerField(allow_null=True)
    speakers_order = serializers.ChoiceField(choices=Circle.SpeakersOrder.choices)
    has_video = serializers.BooleanField(
        help_text="Whether there is a video conference; members fetch its link from the room."
    )
    livestream_url = serializers.CharField(allow_null=True)


class RoomSettingsInput(serializers.Serializer):
    """Only the fields sent change. ``title`` and ``is_public``: staff; the rest: the
    circle's moderators and staff."""

    title = serializers.CharField(required=False, max_length=200)
    is_public = serializers.BooleanField(required=False)
    speaking_time = serializers.IntegerField(
        required=False, allow_null=True, help_text="Seconds per turn; null for unlimited."
    )
    speakers_order = serializers.ChoiceField(required=False, choices=Circle.SpeakersOrder.choices)
    video_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text='An https link, "" for none.'
    )
    livestream_url = serializers.CharField(
        required=False, allow_blank=True, max_length=500, help_text='An https link, "" for none.'
    )


class HandListApi(APIView):
    pagination_class = Pagination

    @extend_schema(
        tags=["rooms"],
        operation_id="room_hands_list",
        summary="The room's speakers' list",
        description="The open hands in the order they get the floor: whoever speaks first, "
        "then the waiting ones by the circle's speakers' order. Paginated.",
        responses={200: RoomHandOutput(many=True), **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        return paginated(request, self, speakers_queue(circle).hands, _hands)


def _hands(page: Any) -> list[dict[str, Any]]:
    return [payloads.hand_data(hand) for hand in page]


class FocusApi(APIView):
    @extend_schema(
        tags=["rooms"],
        operation_id="room_focus_retrieve",
        summary="The goal the room's moderator has put in focus",
        responses={200: RoomFocusOutput, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        return Response({"goal": circle.focus_goal_id})


class SettingsApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        tags=["rooms"],
        operation_id="room_settings_retrieve",
        summary="The room's settings",
        responses={200: RoomSettingsOutput, **error_responses(404)},
    )
    def get(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        return Response(payloads.room_settings(circle))

    @extend_schema(
        tags=["rooms"],
        operation_id="room_settings_partial_update",
        summary="Change the room's settings",
        description="Only the fields sent change; the room hears `room.updated`. Title and "
        "visibility: staff; the session's settings: the circle's moderators and staff.",
        request=RoomSettingsInput,
        responses={200: RoomSettingsOutput, **error_responses(400, 401, 403, 404)},
    )
    def patch(self, request: Request, slug: str) -> Response:
        circle = access_circle(request.user, slug, message=NO_CIRCLE)
        data = RoomSettingsInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        updated = circle_update(actor=request.user, circle=circle, **data.validated_data)
        return Response(payloads.room_settings(updated))
