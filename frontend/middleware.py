"""Pages are doors too: a domain error that a page view lets through becomes the page a
person expects (``NotFound`` the 404 page, ``Forbidden`` the 403 page), never a 500. The
REST API never gets here: DRF's exception handler (``api.errors``) answers first."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views import defaults

from kernel.errors import Forbidden, NotFound


class DomainErrorPages:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, NotFound):
            return defaults.page_not_found(request, Http404(exception.message))
        if isinstance(exception, Forbidden):
            return defaults.permission_denied(request, PermissionDenied(exception.message))
        return None
