"""One place where errors become HTTP responses for the REST API, and the schema of those
responses so every door documents them the same way.

Every error body that is not a validation error has the shape ``{"code", "detail"}`` (plus
``field`` for a domain error about one input): ``code`` is stable for programs, ``detail`` is
translated for people. Validation errors keep DRF's shape, ``{"<field>": ["message", …]}``.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kernel.errors import DomainError

logger = logging.getLogger(__name__)

STATUS_BY_CODE = {
    "invalid": status.HTTP_400_BAD_REQUEST,
    "forbidden": status.HTTP_403_FORBIDDEN,
    "not_found": status.HTTP_404_NOT_FOUND,
    "conflict": status.HTTP_409_CONFLICT,
    "rate_limited": status.HTTP_429_TOO_MANY_REQUESTS,
    "provider_error": status.HTTP_502_BAD_GATEWAY,  # an outside service failed (assist)
}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, OperationalError | InterfaceError):
        # The database went away mid-request (restart, failover, a cut connection). The
        # transaction was rolled back, so nothing was stored: say so, and that a retry is
        # safe, instead of an HTML 500 page.
        logger.exception("database unavailable during %s", context.get("request"))
        return Response(
            {
                "code": "unavailable",
                "detail": _(
                    "Die Datenbank war kurz nicht erreichbar; es wurde nichts gespeichert. "
                    "Bitte erneut versuchen."
                ),
            },
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "2"},
        )
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=STATUS_BY_CODE.get(exc.code, 400))
    response = drf_exception_handler(exc, context)
    if (
        response is not None
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        response.data = {"code": _code_of(exc), "detail": response.data["detail"]}
    return response


def _code_of(exc: Exception) -> str:
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        return codes if isinstance(codes, str) else exc.default_code
    if isinstance(exc, Http404):
        return exceptions.NotFound.default_code
    if isinstance(exc, PermissionDenied):
        return exceptions.PermissionDenied.default_code
    return "error"


class ErrorSerializer(serializers.Serializer):
    """The body of every error response except validation errors (schema only)."""

    code = serializers.CharField(
        help_text="Stable error code, e.g. not_found, permission_denied, throttled."
    )
    detail = serializers.CharField(help_text="Human-readable explanation in the user's language.")
    field = serializers.CharField(
        required=False, help_text="The input the error is about, when there is one."
    )


# A 400 is either DRF's validation shape or a domain error ("invalid") in the shape above.
BAD_REQUEST_SCHEMA: dict[str, Any] = {
    "anyOf": [
        {
            "type": "object",
            "description": "Messages per input field; non_field_errors for the input as a whole.",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "detail": {"type": "string"},
                "field": {"type": "string"},
            },
            "required": ["code", "detail"],
        },
    ]
}

_DESCRIPTIONS = {
    400: "The input is invalid.",
    401: "Authentication is required.",
    403: "Not signed in, or not allowed to do this.",
    404: "Not found, or not visible to you.",
    409: "Conflicts with the current state.",
    429: "Too many requests; retry later.",
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """``extend_schema(responses=...)`` entries for the given error statuses."""
    return {
        code: OpenApiResponse(
            response=BAD_REQUEST_SCHEMA if code == 400 else ErrorSerializer,
            description=_DESCRIPTIONS.get(code, ""),
        )
        for code in codes
    }
