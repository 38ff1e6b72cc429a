"""Access helpers of the vote (see ``deliberation.access``): the motion or circle for a user
who may see it, or ``NotFound``. A motion that is past its deadline is closed first, lazily,
so whoever looks at it sees its result."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from deliberation.models import Circle
from deliberation.selectors import circle_by_slug
from kernel.errors import NotFound
from kernel.permissions import can
from voting import selectors, services
from voting.models import Motion


def no_motion() -> str:
    return _("Keine sichtbare Abstimmung mit dieser Nummer.")


def no_circle() -> str:
    return _("Kein sichtbarer Kreis mit diesem Kurznamen.")


def access_motion(user: Any, motion_id: int) -> Motion:
    services.motion_close_if_due(motion_id=motion_id)
    motion = selectors.motion_by_id(motion_id)
    if motion is None or not can(user, "voting.view_motion", motion):
        raise NotFound(no_motion())
    return motion


def access_motions_circle(user: Any, slug: str) -> Circle:
    """A circle whose motions ``user`` may see."""
    circle = circle_by_slug(slug)
    if circle is None or not can(user, "voting.view_motions", circle):
        raise NotFound(no_circle())
    return circle
