"""REST: citizens' sign-up and its confirmation."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.errors import error_responses
from participation import services
from participation.api._common import TAGS, _valid
from participation.serializers import (
    ConfirmInput,
    DetailOutput,
    SignUpInput,
)
from participation.web import base_url, client_address


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
