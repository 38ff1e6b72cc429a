"""REST: a person's export of their own data (the same document as "Meine Daten
herunterladen" on /konto/)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.export import personal_data_export
from api.authentication import TokenAuthentication
from api.errors import error_responses


class PersonalDataApi(APIView):
    # Token first: a request without credentials gets 401 with ``WWW-Authenticate: Token``.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        tags=["accounts"],
        operation_id="account_data_export",
        summary="Everything Konsens stores about the signed-in person (GDPR export)",
        responses={200: OpenApiTypes.OBJECT, **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        response = Response(personal_data_export(request.user))
        name = f"konsens-meine-daten-{timezone.localdate():%Y-%m-%d}.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        response["Cache-Control"] = "no-store"
        return response
