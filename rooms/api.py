"""The rooms' REST door: a single-use ticket for a script to open a room's WebSocket."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import authentication, permissions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.authentication import TokenAuthentication
from api.errors import error_responses
from deliberation.selectors import circle_by_slug
from kernel.errors import NotFound
from rooms.tickets import ticket_issue


class RoomTicketSerializer(serializers.Serializer):
    ticket = serializers.CharField(
        help_text="Connect within `expires_in` seconds to `/ws/rooms/<slug>/?ticket=<ticket>`; "
        "it works once."
    )
    expires_in = serializers.IntegerField(help_text="Seconds the ticket stays valid (≤ 60).")


class RoomTicketApi(APIView):
    # Token first: scripts are the audience, and an anonymous call then gets 401 with
    # "WWW-Authenticate: Token" rather than a bare 403. Browsers' sessions work as well.
    authentication_classes = [TokenAuthentication, authentication.SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["rooms"],
        operation_id="room_ticket_create",
        summary="Get a single-use ticket to open a room's WebSocket",
        request=None,
        responses={201: RoomTicketSerializer, **error_responses(401, 403, 404)},
    )
    def post(self, request: Request, slug: str) -> Response:
        circle = circle_by_slug(slug)
        if circle is None:
            raise NotFound(_("Diesen Raum gibt es nicht."))
        ticket, expires_in = ticket_issue(actor=request.user, circle=circle)
        data = RoomTicketSerializer({"ticket": ticket, "expires_in": expires_in}).data
        return Response(data, status=status.HTTP_201_CREATED)
