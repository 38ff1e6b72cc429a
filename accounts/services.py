"""Every write of the accounts domain: invitations to a circle, the e-mail change, and the
deletion of an account by its owner. (Password reset is Django's own, see
``accounts/views.py``; sign-up stays ``participation.services.citizen_sign_up``.)

Memberships change only through ``deliberation.services`` (``membership_add`` …
``membership_remove``), which record the room events that close the person's sockets.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.erase import personal_data_erase
from accounts.mail import deliver, send_invitation
from accounts.models import INVITABLE_ROLES, Invitation
from deliberation import services as deliberation_services
from deliberation.models import Circle, Membership
from deliberation.payloads import FORMER_MEMBER_PREFIX
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can

EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 150
TOKEN_MAX_LENGTH = 200
EMAIL_CHANGE_SALT = "accounts.email_change"


def is_former_member(user: Any) -> bool:
    """True for an account its owner deleted (kept, scrubbed, for the public record)."""
    return str(user.get_username()).startswith(FORMER_MEMBER_PREFIX)


def _email(value: Any, field: str = "email") -> str:
    address = checks.text(
        value, field, label=_("Die E-Mail-Adresse"), required=True, max_length=EMAIL_MAX_LENGTH
    ).lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(_("Bitte geben Sie eine gültige E-Mail-Adresse an."), field=field) from None
    return address


def _account_with_address(address: str, *, exclude: Any = None) -> Any:
    """The account that signs in with or receives mail at ``address``, if any."""
    accounts = get_user_model()._default_manager.filter(
        Q(email__iexact=address) | Q(username__iexact=address)
    )
    if exclude is not None:
        accounts = accounts.exclude(pk=exclude.pk)
    return accounts.first()


def _password(password: Any, user: Any) -> str:
    if not isinstance(password, str) or not password:
        raise Invalid(_("Bitte geben Sie ein Passwort an."), field="password")
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="password") from None
    return password


# --- invitations -------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def invitation_create(
    *, actor: Any, circle: Circle, email: Any, role: Any, base_url: str
) -> Invitation:
    """Invite ``email`` into ``circle`` as expert or drafter: a single-use link, valid for
    ``ACCOUNT_INVITATION_DAYS``, mailed after the commit (``accounts.mail.send_invitation``).
    Only the token's hash is stored. A newer invitation of the same address to the same
    circle and role replaces the open older one. ``base_url``: ``https://host`` for the link.
    """
    if not can(actor, "deliberation.manage_members", circle):
        raise Forbidden(
            _("Nur die Moderation des Kreises oder die Verwaltung kann Mitgliedschaften ändern.")
        )
    address = _email(email)
    if role not in INVITABLE_ROLES:
        raise Invalid(_("Eingeladen werden Expert:innen und Redaktion."), field="role")
    existing = _account_with_address(address)
    if (
        existing is not None
        and Membership.objects.filter(user=existing, circle=circle, role=role).exists()
    ):
        raise Conflict(_("Diese Person hat diese Rolle in diesem Kreis schon."), field="email")
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        Invitation.objects.filter(
            circle=circle,
            email__iexact=address,
            role=role,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
        ).update(revoked_at=now)
        invitation = Invitation.objects.create(
            circle=circle,
            email=address,
            role=role,
            token_hash=token_hash(token),
            invited_by=actor,
            expires_at=now + timedelta(days=settings.ACCOUNT_INVITATION_DAYS),
        )
        link = base_url + reverse("accounts:invitation", kwargs={"token": token})
        send_invitation(invitation, link=link)  # queued, sent after the commit
    return invitation


def invitation_revoke(*, actor: Any, circle: Circle, invitation_id: int) -> Invitation:
    """Withdraw an open invitation: its link stops working."""
    if not can(actor, "deliberation.manage_members", circle):
        raise Forbidden(
            _("Nur die Moderation des Kreises oder die Verwaltung kann Mitgliedschaften ändern.")
        )
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .filter(pk=invitation_id, circle=circle, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            raise NotFound(_("Diese Einladung gibt es nicht (mehr)."))
        if invitation.revoked_at is None:
            invitation.revoked_at = timezone.now()
            invitation.save(update_fields=["revoked_at"])
    return invitation


def _invalid_invitation() -> Invalid:
    return Invalid(
        _("Diese Einladung ist ungültig, schon benutzt, zurückgezogen oder abgelaufen."),
        field="token",
    )


def invitation_accept(*, actor: Any, token: Any, name: Any = "", password: Any = "") -> Any:
    """Follow an invitation link; returns the account that is now a member.

    Signed in: the membership goes to ``actor``, whose e-mail address must be the invited
    one. Anonymous: a new account is made (user name and e-mail = the invited address, which
    the link has just proven, so it is active at once) with ``name`` and ``password``; when an
    account with that address exists, its owner must sign in first (``Conflict``). The link
    works once. The membership is added through ``membership_add`` as a trusted call: the
    moderator's permission was checked when inviting, and withdrawing is how it is undone.
    """
    if not isinstance(token, str) or not token or len(token) > TOKEN_MAX_LENGTH:
        raise _invalid_invitation()
    user_model = get_user_model()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("circle")
            .filter(token_hash=token_hash(token))
            .first()
        )
        if invitation is None or not invitation.is_open:
            raise _invalid_invitation()
        if getattr(actor, "is_authenticated", False):
            if (actor.email or "").lower() != invitation.email.lower():
                raise Forbidden(
                    _(
                        "Diese Einladung gilt für %(email)s. Bitte melden Sie sich mit dem "
                        "Konto dieser Adresse an."
                    )
                    % {"email": invitation.email}
                )
            user = actor
        else:
            if _account_with_address(invitation.email) is not None:
                raise Conflict(
                    _(
                        "Zu %(email)s gibt es schon ein Konto. Bitte melden Sie sich an und "
                        "öffnen Sie den Link dann noch einmal."
                    )
                    % {"email": invitation.email},
                    field="login",
                )
            name = checks.text(
                name, "name", label=_("Der Name"), required=True, max_length=NAME_MAX_LENGTH
            )
            user = user_model(username=invitation.email, email=invitation.email, first_name=name)
            user.set_password(_password(password, user))
            user.save()
        deliberation_services.membership_add(
            actor=None, user=user, circle=invitation.circle, role=invitation.role
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    return user


# --- e-mail change -------------------------------------------------------------------------


def _address_digest(address: str) -> str:
    return hashlib.sha256(address.lower().encode()).hexdigest()[:24]


def email_change_request(*, actor: Any, email: Any, password: Any, base_url: str) -> None:
    """Ask to receive mail at ``email`` instead: ``password`` must be the account's. The
    new address gets a link (valid ``EMAIL_CHANGE_TIMEOUT`` seconds, once: it names the
    current address, so it stops working when that changes); the change takes effect only
    when the link is confirmed. The current address is told. When another account already
    uses the new address, that address is told instead and nothing changes — the answer is
    the same, so the form tells nobody which addresses have accounts."""
    if not getattr(actor, "is_authenticated", False) or is_former_member(actor):
        raise Forbidden(_("Bitte melden Sie sich an."))
    if not isinstance(password, str) or not actor.check_password(password):
        raise Invalid(_("Das Passwort stimmt nicht."), field="password")
    address = _email(email)
    if address == (actor.email or "").lower():
        raise Invalid(_("Das ist schon Ihre E-Mail-Adresse."), field="email")
    name = actor.get_full_name() or actor.get_username()
    if _account_with_address(address, exclude=actor) is not None:
        deliver(
            to=address,
            subject=_("Ihre E-Mail-Adresse bei Konsens"),
            template="accounts/email/email_taken.txt",
            context={"login_url": base_url + reverse("login")},
        )
        return
    token = signing.dumps(
        {"u": actor.pk, "old": _address_digest(actor.email or ""), "new": address},
        salt=EMAIL_CHANGE_SALT,
        compress=True,
    )
    deliver(
        to=address,
        subject=_("Bitte bestätigen Sie Ihre neue E-Mail-Adresse bei Konsens"),
        template="accounts/email/email_change.txt",
        context={
            "name": name,
            "link": base_url + reverse("accounts:email_confirm", kwargs={"token": token}),
        },
    )
    if actor.email:
        deliver(
            to=actor.email,
            subject=_("Änderung Ihrer E-Mail-Adresse bei Konsens"),
            template="accounts/email/email_change_notice.txt",
            context={"name": name, "new": address},
        )


def email_change_confirm(*, token: Any) -> Any:
    """Take the new address of a confirmation link into effect; returns the account. An
    account whose user name was its address (citizens) signs in with the new one."""
    invalid = Invalid(
        _("Dieser Bestätigungslink ist ungültig, schon benutzt oder abgelaufen."), field="token"
    )
    if not isinstance(token, str) or len(token) > 2000:
        raise invalid
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.EMAIL_CHANGE_TIMEOUT)
        pk, old, new = int(data["u"]), str(data["old"]), str(data["new"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid from None
    user_model = get_user_model()
    with transaction.atomic():
        user = user_model._default_manager.select_for_update(no_key=True).filter(pk=pk).first()
        if (
            user is None
            or not user.is_active
            or is_former_member(user)
            or _address_digest(user.email or "") != old
        ):
            raise invalid
        if _account_with_address(new, exclude=user) is not None:
            raise Conflict(_("Diese E-Mail-Adresse gehört schon zu einem anderen Konto."))
        fields = ["email"]
        if user.email and user.get_username().lower() == user.email.lower():
            user.username = new
            fields.append("username")
        user.email = new
        user.save(update_fields=fields)
    return user


# --- deletion ----------------------------------------------------------------------------


def account_delete(*, actor: Any) -> None:
    """Delete ``actor``'s own account: the person's act, never an administrator's.

    Precondition: the door has made sure it is the person (it asked for the password again)
    and signs the session out afterwards.

    What the public record needs stays: the row is kept (comments, versions, ratings keep
    their author), scrubbed — user name ``deleted:<id>`` (``deliberation.payloads.person``
    shows it as "ehemaliges Mitglied" / "former member"), no name, no e-mail address, an
    unusable password, inactive, no staff rights, groups or permissions. Each membership
    ends through ``membership_remove`` (``member.removed``, so the room hubs close the
    person's open sockets), recorded after the scrub, so the room log names nobody. Then
    ``accounts.erase.personal_data_erase`` deletes what is purely personal (sessions, API
    tokens, invitations not accepted, notifications, room tickets, unsent questionnaire
    drafts) and rewrites the room log's older entries naming the person to the
    former-member form. Open ballots keep their count and choice (their voter is the
    scrubbed row); secret ballots and closed vote records are not touched. This is the
    supported way to delete a person; the doors call only this."""
    if not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Bitte melden Sie sich an."))
    user_model = get_user_model()
    with transaction.atomic():
        # NO KEY: rows that refer to the user (memberships written meanwhile) only need
        # KEY SHARE, so they are not blocked in a lock-order deadlock with the room locks.
        user = user_model._default_manager.select_for_update(no_key=True).get(pk=actor.pk)
        if is_former_member(user):
            return
        old_address = user.email or ""
        user.username = f"{FORMER_MEMBER_PREFIX}{user.pk}"
        user.first_name = ""
        user.last_name = ""
        user.email = ""
        user.set_unusable_password()
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        membership_ids = list(
            Membership.objects.filter(user=user)
            .order_by("circle_id", "pk")
            .values_list("pk", flat=True)
        )
        for membership_id in membership_ids:
            deliberation_services.membership_remove(actor=None, membership=membership_id)
        personal_data_erase(user=user, former_email=old_address)
