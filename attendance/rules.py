"""Who may do what with attendance, as django-rules predicates asked through
``kernel.permissions.can(user, "attendance.manage_roll_call", circle)``.

The roll call and the deputies belong to the circle's moderators (asked fresh, so a revoked
moderator loses the right at once). Casting for an absent member belongs to the deputy
rights a motion took at its opening, not to today's registrations.
"""

from __future__ import annotations

from typing import Any

import rules

from attendance.models import DeputyBallotRight
from deliberation.rules import is_circle_member, is_circle_moderator, is_public_circle, is_staff


@rules.predicate
def is_motion_deputy(user: Any, motion: Any) -> bool:
    """``user`` holds a deputy's right on ``motion`` (a ``voting.Motion``)."""
    if not getattr(user, "is_authenticated", False) or getattr(motion, "pk", None) is None:
        return False
    if getattr(getattr(motion, "_meta", None), "label", None) != "voting.Motion":
        return False
    return DeputyBallotRight.objects.filter(motion_id=motion.pk, deputy=user).exists()


# object: the circle
rules.add_perm("attendance.view_roll_call", is_public_circle | is_circle_member | is_staff)
rules.add_perm("attendance.manage_roll_call", is_circle_moderator)
rules.add_perm("attendance.view_deputies", is_circle_member | is_staff)
rules.add_perm("attendance.manage_deputies", is_circle_moderator)
# object: the motion
rules.add_perm("attendance.cast_for_member", is_motion_deputy)
