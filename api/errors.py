"""One place where errors become HTTP responses for the REST API, and the schema of those
responses so every door documents them the same way.

Every error body that is not a validation error has the shape ``{"code", "detail"}`` (plus
``field`` for a domain error about one input): ``code`` is stable for programs, ``detail`` is
translated for people. Validation errors keep DRF's shape, ``{"<field>": ["message", …]}``,
flattened so every value is a list of strings: an error inside a list or nested input is keyed
by its path, ``{"agenda.0.title": [...]}``, ``{"comment_ids.2": [...]}``. Any URL under
/api/v1/ that names no endpoint answers a 404 in the first shape (``not_found`` below).
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
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
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = flatten_validation_errors(response.data)
        return response
    if (
        response is not None
        and isinstance(response.data, dict)
        and set(response.data) == {"detail"}
    ):
        response.data = {"code": _code_of(exc), "detail": response.data["detail"]}
    return response


def flatten_validation_errors(data: Any) -> dict[str, list[str]]:
    """DRF's nested validation errors as ``{"path": ["message", …]}`` (the documented 400).

    DRF nests errors of list and nested fields (``{"ids": {"0": [...]}}``, ``{"agenda":
    [{}, {"title": [...]}]}``); the schema promises one level of lists of strings."""
    flat: dict[str, list[str]] = {}

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                # A nested input's errors "as a whole" belong to the input itself.
                if key == api_settings.NON_FIELD_ERRORS_KEY and path:
                    walk(child, path)
                else:
                    walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
            for index, child in enumerate(value):
                if isinstance(child, dict | list):
                    walk(child, f"{path}.{index}" if path else str(index))
                else:
                    flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(
                        str(child)
                    )
        elif isinstance(value, list):
            if value:
                flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).extend(
                    str(item) for item in value
                )
        else:
            flat.setdefault(path or api_settings.NON_FIELD_ERRORS_KEY, []).append(str(value))

    walk(data, "")
    return flat


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any URL under /api/v1/ that no route matches: a 404 in the API's shape, not HTML."""
    return JsonResponse(
        {"code": "not_found", "detail": _("Diese Adresse gibt es in der API nicht.")},
        status=status.HTTP_404_NOT_FOUND,
    )


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
            "description": (
                "Messages per input field; non_field_errors for the input as a whole. An "
                "error inside a list or nested input is keyed by its path: agenda.0.title."
            ),
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
    401: "Not signed in (no or invalid credentials); see WWW-Authenticate.",
    403: "Signed in, but not allowed to do this.",
    404: "Not found, or not visible to you.",
    405: "This method is not allowed here.",
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
