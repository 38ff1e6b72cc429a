"""Access helpers: one function per object of the deliberation domain that returns it to a
user who may see it, or raises the domain error (``NotFound``, so that a private thing does
not reveal that it exists). Every door asks these instead of looking the object up and
checking the permission itself (Zulip's ``access_message`` pattern, ``shared/STYLE.md`` §2).

The API's exception handler turns ``NotFound`` into a 404 with ``{"code": "not_found"}``;
``frontend.middleware.DomainErrorPages`` turns it into the 404 page.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from deliberation.models import Circle, Round
from deliberation.rounds import selectors as round_selectors
from deliberation.selectors import circle_by_slug
from kernel.errors import NotFound
from kernel.permissions import can


def access_circle(user: Any, slug: str, *, message: Any = None) -> Circle:
    """The circle whose room ``user`` may see (public, or a member's, or staff)."""
    circle = circle_by_slug(slug)
    if circle is None or not can(user, "deliberation.view_room", circle):
        raise NotFound(message or _("Diesen Raum gibt es nicht."))
    return circle


def access_round(user: Any, slug: str, number: int, *, message: Any = None) -> tuple[Circle, Round]:
    """A round of a circle that ``user`` may see, with its circle."""
    circle = access_circle(user, slug, message=message)
    round_ = round_selectors.round_by_number(circle, number)
    if round_ is None:
        raise NotFound(_("Diese Runde gibt es nicht."))
    return circle, round_
