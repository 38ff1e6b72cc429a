"""Pages: one's notifications (``/benachrichtigungen/``) with mark-read and the e-mail
preferences, and the unsubscribe link of every notification mail (no sign-in needed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from kernel.errors import Invalid
from notifications import selectors, services
from notifications.models import Kind


@login_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    preferences = selectors.email_preferences(request.user)
    return render(
        request,
        "notifications/list.html",
        {
            "notifications": selectors.notifications_for(request.user),
            "unread": selectors.unread_count(request.user),
            "preferences": [(kind, label, preferences[kind]) for kind, label in Kind.choices],
            "nav": "notifications",
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = services.notification_mark_read(
        actor=request.user, notification_id=notification_id
    )
    if request.POST.get("follow") and notification.url.startswith("/"):
        return redirect(notification.url)
    return redirect("notifications:list")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notifications_mark_all_read(actor=request.user)
    return redirect("notifications:list")


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    services.preferences_set(actor=request.user, email_kinds=request.POST.getlist("email"))
    messages.success(request, _("Ihre Einstellungen sind gespeichert."))
    return redirect("notifications:list")


# Mail programs send RFC 8058's one-click POST without a CSRF token: the signed token in the
# URL is the permission. A GET only shows the button, so link scanners that follow every
# link in a mail unsubscribe nobody.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            _user, kind = services.unsubscribe(token=token)
            done = True
        else:
            _user, kind = services.read_unsubscribe_token(token)
            done = False
    except Invalid:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    return render(
        request,
        "notifications/unsubscribe.html",
        {"kind": Kind(kind).label, "done": done, "token": token},
    )
