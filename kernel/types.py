"""Types every context shares.

``Actor`` is who asks a service to act: a signed-in user (``auth.User``, the project's user
model) or the anonymous visitor of a public page. Services that trusted callers (the demo
loader, a management command) may call without anyone take ``Actor | None``.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = User | AnonymousUser


def user_of(actor: Actor | None) -> User:
    """The signed-in user behind ``actor``, for a service that stores who acted. Services ask
    their permission first, which no anonymous visitor passes for a write; this keeps that
    promise checked (``Forbidden``) rather than assumed."""
    from kernel.errors import Forbidden

    if isinstance(actor, User):
        return actor
    raise Forbidden("Bitte melden Sie sich an.")
