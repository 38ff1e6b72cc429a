from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import JavaScriptCatalog, set_language

from config import health, legal, metrics
from config.logins import LimitedAdminAuthenticationForm, LimitedLoginView
from config.source import source_download

# The admin's sign-in counts and refuses like the sign-in page (config/logins.py).
admin.site.login_form = LimitedAdminAuthenticationForm

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("quelltext/", source_download, name="source"),
    path("metrics", metrics.metrics, name="metrics"),
    # Without CSRF: the switch is on every page, and a token would keep anonymous pages out of
    # the page cache (frontend/pagecache.py). All a forged request can do is set the language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path(
        "anmelden/",
        LimitedLoginView.as_view(
            template_name="frontend/login.html",
            redirect_authenticated_user=True,
            extra_context={"nav": "login"},
        ),
        name="login",
    ),
    path("abmelden/", auth_views.LogoutView.as_view(), name="logout"),
    path("api/v1/", include("accounts.api_urls")),
    path("api/v1/", include("api.urls")),
    path("datenschutz/", legal.privacy_notice, name="privacy"),
    path("impressum/", legal.imprint, name="imprint"),
    path("", include("deliberation.rounds.urls")),
    path("", include("assist.urls")),
    path("", include("voting.urls")),
    path("", include("attendance.urls")),
    path("", include("participation.urls")),
    path("", include("accounts.urls")),
    path("", include("notifications.urls")),
    path("", include("frontend.urls")),
]
