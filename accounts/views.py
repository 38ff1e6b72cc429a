"""Pages: "Mein Konto", password reset (Django's views with our templates and mail), e-mail
change, deletion, a circle's members for its moderators, and the invitation link."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.export import personal_data_export
from accounts.forms import (
    AcceptForm,
    AccountDeleteForm,
    ApiTokenForm,
    EmailChangeForm,
    InvitationForm,
    ResetRequestForm,
    RoleForm,
)
from api.tokens import token_create, token_revoke, tokens_of
from deliberation import services as deliberation_services
from deliberation.models import Membership
from kernel.errors import DomainError, NotFound
from kernel.times import UtcJSONEncoder

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _base_url(request: HttpRequest) -> str:
    return str(request.build_absolute_uri("/")).rstrip("/")


def _form_error(form: object, exc: DomainError) -> None:
    fields = getattr(form, "fields", {})
    form.add_error(exc.field if exc.field in fields else None, exc.message)  # type: ignore[attr-defined]


# --- my account --------------------------------------------------------------------------


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    memberships = selectors.memberships_of(request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "memberships": memberships,
            "manageable": {
                m.circle_id
                for m in memberships
                if m.role == Membership.Role.MODERATOR or request.user.is_staff
            },
            "nav": "account",
        },
    )


@login_required
@require_GET
def data_export(request: HttpRequest) -> HttpResponse:
    """ "Meine Daten herunterladen": everything stored about the person, as a JSON file."""
    response = JsonResponse(
        personal_data_export(request.user),
        encoder=UtcJSONEncoder,
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
    name = f"konsens-meine-daten-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# --- password reset (Django's views) -------------------------------------------------------


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")
    extra_context = {"nav": "login"}


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"
    extra_context = {"nav": "login"}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")
    extra_context = {"nav": "login"}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"
    extra_context = {"nav": "login"}


# --- e-mail change -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.email_change_request(
                actor=request.user,
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                base_url=_base_url(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Wir haben einen Bestätigungslink an die neue Adresse geschickt. Die "
                    "Änderung gilt, sobald Sie ihn geöffnet und bestätigt haben."
                ),
            )
            return redirect("accounts:account")
    return render(
        request,
        "accounts/email_change.html",
        {"form": form, "nav": "account"},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button; only the POST changes the address (mail scanners open links)."""
    error = None
    if request.method == "POST":
        try:
            services.email_change_confirm(token=token)
        except DomainError as exc:
            error = exc.message
        else:
            messages.success(request, _("Ihre neue E-Mail-Adresse gilt ab jetzt."))
            return redirect("accounts:account" if request.user.is_authenticated else "login")
    return render(
        request,
        "accounts/email_confirm.html",
        {"error": error, "nav": "account"},
        status=400 if error else 200,
    )


# --- deletion ----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def account_delete(request: HttpRequest) -> HttpResponse:
    form = AccountDeleteForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        services.account_delete(actor=request.user)
        logout(request)
        return redirect("accounts:deleted")
    return render(
        request,
        "accounts/delete.html",
        {"form": form, "nav": "account"},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/deleted.html", {})


# --- API tokens ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The account's API tokens (prefix, dates; never the secret) and a form for a new one,
    whose secret this page shows once, right after it is created."""
    form = ApiTokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        issued = token_create(request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    response = render(
        request,
        "accounts/api_tokens.html",
        {
            "form": form,
            "issued": issued,
            "tokens": list(tokens_of(request.user)),
            "lifetime_days": settings.API_TOKEN_LIFETIME_DAYS,
            "now": timezone.now(),
            "nav": "account",
        },
        status=400 if request.method == "POST" and issued is None else 200,
    )
    if issued is not None:
        _no_compression_no_store(response)
    return response


def _no_compression_no_store(response: HttpResponse) -> None:
    # A secret next to the person's own input (the token's name): not compressed, against
    # BREACH (docs/operations.md "Compression"); GZipMiddleware leaves an encoded body alone.
    response["Content-Encoding"] = "identity"
    response["Cache-Control"] = "no-store"


@login_required
@require_POST
def api_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if token_revoke(request.user, token_id):
        messages.success(request, _("Der Token ist widerrufen."))
    return redirect("accounts:api_tokens")


# --- a circle's members ------------------------------------------------------------------


def _members_page(
    request: HttpRequest, slug: str, invite_form: InvitationForm | None = None, status: int = 200
) -> HttpResponse:
    circle = selectors.access_member_management(request.user, slug)
    memberships = selectors.circle_memberships(circle)
    return render(
        request,
        "accounts/members.html",
        {
            "circle": circle,
            "memberships": memberships,
            "invitations": selectors.open_invitations(circle),
            "invite_form": invite_form or InvitationForm(),
            "roles": Membership.Role.choices,
            "invitation_days": settings.ACCOUNT_INVITATION_DAYS,
            "nav": "rooms",
        },
        status=status,
    )


@require_GET
def members(request: HttpRequest, slug: str) -> HttpResponse:
    return _members_page(request, slug)


@require_POST
def member_invite(request: HttpRequest, slug: str) -> HttpResponse:
    circle = selectors.access_member_management(request.user, slug)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(
                actor=request.user,
                circle=circle,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                base_url=_base_url(request),
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request,
                _("Die Einladung an %(email)s ist verschickt.")
                % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:members", slug=circle.slug)
    return _members_page(request, slug, invite_form=form, status=400)


def _membership_of(circle_id: int, membership_id: int) -> int:
    if not Membership.objects.filter(pk=membership_id, circle_id=circle_id).exists():
        raise NotFound(_("Diese Mitgliedschaft gibt es nicht (mehr)."))
    return membership_id


@require_POST
def member_role(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    circle = selectors.access_member_management(request.user, slug)
    membership = _membership_of(circle.pk, membership_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Bitte wählen Sie eine Rolle."))
        deliberation_services.membership_change_role(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Rolle ist geändert."))
    return redirect("accounts:members", slug=circle.slug)


@require_POST
def member_remove(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    circle = selectors.access_member_management(request.user, slug)
    membership = _membership_of(circle.pk, membership_id)
    try:
        deliberation_services.membership_remove(actor=request.user, membership=membership)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Mitgliedschaft ist beendet."))
    if not selectors.may_manage(request.user, circle):  # removed oneself as moderator
        return redirect("accounts:account")
    return redirect("accounts:members", slug=circle.slug)


@require_POST
def invitation_revoke(request: HttpRequest, slug: str, invitation_id: int) -> HttpResponse:
    circle = selectors.access_member_management(request.user, slug)
    try:
        services.invitation_revoke(actor=request.user, circle=circle, invitation_id=invitation_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Die Einladung ist zurückgezogen."))
    return redirect("accounts:members", slug=circle.slug)


# --- the invitation link -----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation (and, for a newcomer, the account form); the POST accepts."""
    found = selectors.invitation_by_token(token)
    user = request.user
    form = AcceptForm(request.POST or None) if not user.is_authenticated else None
    error = None
    if found is None or not found.is_open:
        error = _("Diese Einladung ist ungültig, schon benutzt, zurückgezogen oder abgelaufen.")
    elif request.method == "POST" and (form is None or form.is_valid()):
        data = form.cleaned_data if form is not None else {}
        try:
            member = services.invitation_accept(
                actor=user,
                token=token,
                name=data.get("name", ""),
                password=data.get("password", ""),
            )
        except DomainError as exc:
            if form is not None and exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:
                error = exc.message
        else:
            if not user.is_authenticated:
                login(request, member, backend=MODEL_BACKEND)
            messages.success(
                request,
                _("Willkommen im Kreis „%(circle)s“.") % {"circle": found.circle.title},
            )
            return redirect("frontend:room", slug=found.circle.slug)
    account_exists = (
        found is not None and not user.is_authenticated and selectors.account_exists(found.email)
    )
    return render(
        request,
        "accounts/invitation.html",
        {
            "invitation": found if error is None else None,
            "form": form,
            "error": error,
            "account_exists": account_exists,
            "login_url": reverse("login") + "?" + urlencode({"next": request.path}),
        },
        status=400 if (error or (form is not None and form.errors)) else 200,
    )
