"""``bench.http``'s URLs: production's, plus ``/bench/fixed/``, a view that returns a fixed
byte string through the same server, ASGI handler and middleware as every page: the ceiling
of requests per second a Konsens process can serve whatever a page costs. Only
``bench.http_settings`` points here."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.urls import urlpatterns as konsens_urlpatterns

FIXED = b"<!doctype html><title>Konsens</title><p>A fixed byte string.</p>\n"


def fixed_view(request: HttpRequest) -> HttpResponse:
    return HttpResponse(FIXED, content_type="text/html; charset=utf-8")


urlpatterns = [
    path("bench/fixed/", fixed_view),
    *konsens_urlpatterns,
]
