"""Citizens' sign-up and its e-mail confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from kernel import checks, mail
from kernel.errors import Invalid
from participation import ratelimit
from participation.services._common import EMAIL_MAX_LENGTH, NAME_MAX_LENGTH, _honeypot


class SignUpTokenGenerator(PasswordResetTokenGenerator):
    """Confirmation links: valid for ``PASSWORD_RESET_TIMEOUT`` and only until the account is
    active (the state is part of the hash, so a used link stops working)."""

    key_salt = "participation.SignUpTokenGenerator"

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        return f"{user.pk}{user.password}{user.is_active}{timestamp}"


sign_up_tokens = SignUpTokenGenerator()


def _send(to: str, subject: str, template: str, context: dict[str, Any]) -> None:
    body = render_to_string(template, context)
    # Through the task queue after the commit: no mail for an account that rolled back, and
    # a mail server that is down is retried and logged, never the visitor's error page.
    mail.deliver(to=to, subject=subject, body=body)


def citizen_sign_up(
    *,
    email: str,
    name: str,
    password: str,
    base_url: str,
    client_key: str,
    website: str = "",
) -> None:
    """Register a citizen: an inactive account (username = e-mail address) and a mail with
    the confirmation link. The answer is the same whether the address is known or not (no
    account enumeration): a known active address gets a "you have an account" mail, a known
    unconfirmed one its link again. Both paths check the password the same way and pay for
    hashing it once, so neither the answer nor its time tells them apart. Rate-limited per
    client address; honeypot ``website``. ``base_url`` is the site's address for the link
    (``https://host``)."""
    _honeypot(website)
    ratelimit.hit("signup", client_key)
    address = checks.text(
        email, "email", label=_("Die E-Mail-Adresse"), required=True, max_length=EMAIL_MAX_LENGTH
    ).lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(_("Bitte geben Sie eine gültige E-Mail-Adresse an."), field="email") from None
    name = checks.text(name, "name", label=_("Der Name"), required=True, max_length=NAME_MAX_LENGTH)
    if not isinstance(password, str):
        raise Invalid(_("Das Passwort muss Text sein."), field="password")
    user_model = get_user_model()
    # Checked against the account as it would be made, before looking the address up.
    user = user_model(username=address, email=address, first_name=name, is_active=False)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from None
    # Hash for both paths: a known address must cost what a new account costs.
    encoded = make_password(password)
    with transaction.atomic():
        existing = (
            user_model.objects.select_for_update()
            .filter(Q(username__iexact=address) | Q(email__iexact=address))
            .first()
        )
        if existing is not None:
            if existing.is_active:
                _send(
                    address,
                    _("Ihr Konto bei Konsens"),
                    "participation/email/already_registered.txt",
                    {"name": existing.get_full_name(), "login_url": base_url + reverse("login")},
                )
            else:
                _send_confirmation(existing, base_url)
            return
        user.password = encoded
        user.save()
        _send_confirmation(user, base_url)


def _send_confirmation(user: Any, base_url: str) -> None:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = base_url + reverse(
        "participation:confirm", kwargs={"uidb64": uid, "token": sign_up_tokens.make_token(user)}
    )
    _send(
        user.email,
        _("Bitte bestätigen Sie Ihre Anmeldung bei Konsens"),
        "participation/email/confirm.txt",
        {"name": user.get_full_name(), "link": link},
    )


def citizen_confirm(*, uidb64: str, token: str) -> Any:
    """Activate the account of a confirmation link; the link works once."""
    user_model = get_user_model()
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        pk = None
    with transaction.atomic():
        user = user_model.objects.select_for_update().filter(pk=pk).first() if pk else None
        if user is None or user.is_active or not sign_up_tokens.check_token(user, token):
            raise Invalid(
                _("Dieser Bestätigungslink ist ungültig, schon benutzt oder abgelaufen."),
                field="token",
            )
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user
