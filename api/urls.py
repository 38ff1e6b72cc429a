"""Everything under /api/v1/: the schema, its docs page, and each app's API routes."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from api.errors import not_found
from api.tokens import TokenApi, TokenDetailApi, TokenListApi

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start script from a URL, not inline: CSP script-src 'self'.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("auth/token", TokenApi.as_view(), name="api-auth-token"),
    path("auth/tokens/", TokenListApi.as_view(), name="api-auth-tokens"),
    path("auth/tokens/<int:token_id>/", TokenDetailApi.as_view(), name="api-auth-token-detail"),
    path("", include("deliberation.api_urls")),
    path("", include("deliberation.session_api_urls")),
    path("", include("rooms.api_urls")),
    path("", include("deliberation.rounds.api_urls")),
    path("", include("voting.api_urls")),
    path("", include("attendance.api_urls")),
    path("", include("participation.api_urls")),
    path("", include("assist.api_urls")),
    # Last: whatever matched no route above answers a JSON 404, not the site's HTML page.
    re_path(r"^.*$", not_found, name="api-not-found"),
]
