"""Reads of the accounts pages, each a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Invitation
from accounts.services import token_hash
from deliberation.models import Circle, Membership
from deliberation.selectors import circle_by_slug
from kernel.errors import NotFound
from kernel.permissions import can


def access_member_management(user: Any, slug: str) -> Circle:
    """The circle whose members ``user`` may manage (its moderators, staff); anyone else
    learns nothing, not even that the circle exists (``NotFound``)."""
    circle = circle_by_slug(slug)
    if circle is None or not can(user, "deliberation.manage_members", circle):
        raise NotFound(_("Diese Seite gibt es nicht."))
    return circle


def may_manage(user: Any, circle: Circle) -> bool:
    return can(user, "deliberation.manage_members", circle)


def account_exists(address: str) -> bool:
    """Whether an account signs in with or receives mail at ``address``."""
    return (
        get_user_model()
        ._default_manager.filter(Q(email__iexact=address) | Q(username__iexact=address))
        .exists()
    )


def circle_memberships(circle: Circle) -> list[Membership]:
    return list(
        Membership.objects.filter(circle=circle)
        .select_related("user")
        .order_by("role", "user__first_name", "user__username", "pk")
    )


def open_invitations(circle: Circle) -> list[Invitation]:
    return list(
        Invitation.objects.filter(
            circle=circle,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).select_related("invited_by")
    )


def memberships_of(user: Any) -> list[Membership]:
    """A person's memberships with their circles, for "Mein Konto"."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        Membership.objects.filter(user=user)
        .select_related("circle__action_field")
        .order_by("circle__action_field__order", "circle__title", "role")
    )


def invitation_by_token(token: Any) -> Invitation | None:
    """The invitation of a link, used or not (the page says which), or None."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("circle", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
