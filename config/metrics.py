"""``/metrics``: this process's Prometheus metrics, for a scraper holding ``METRICS_TOKEN``.

Without the setting the endpoint does not exist (404), so a fresh installation exposes
nothing. With it, a request must carry ``Authorization: Bearer <token>``; anything else gets
401. The metrics are django-prometheus' (HTTP, database) and ours (``kernel.metrics``), all in
prometheus_client's default registry.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest

import kernel.metrics  # noqa: F401 - registers our metrics even before a room was used


def _bearer(request: HttpRequest) -> str:
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    token: str = settings.METRICS_TOKEN
    if not token:
        raise Http404("metrics are disabled")
    if not hmac.compare_digest(_bearer(request).encode(), token.encode()):
        response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
