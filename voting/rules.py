"""Who may do what with a vote, as django-rules predicates asked the same way by every door:
``can(user, "voting.cast_ballot", motion)``.

Opening and closing belong to the circle's moderators (asked fresh, so a revoked moderator
loses the right at once). Casting belongs to the eligibility snapshot taken at opening, not
to today's memberships.
"""

from __future__ import annotations

from typing import Any

import rules

from attendance.rules import is_motion_deputy
from deliberation.rules import (
    is_circle_member,
    is_circle_moderator,
    is_field_drafter,
    is_public_circle,
    is_staff,
)
from voting.models import Motion
from voting.selectors import is_eligible


@rules.predicate
def is_eligible_voter(user: Any, motion: Any) -> bool:
    if not isinstance(motion, Motion):
        return False
    return is_eligible(motion, user)


# object: the circle
rules.add_perm("voting.open_motion", is_circle_moderator)
# A private circle's votes: its members, its field's drafters (who see its room) and staff.
rules.add_perm(
    "voting.view_motions", is_public_circle | is_circle_member | is_field_drafter | is_staff
)
# object: the motion
# An eligible voter keeps seeing the motion even if their membership ended after opening.
# A deputy of an absent member sees the motion it casts that member's ballot on.
rules.add_perm(
    "voting.view_motion",
    is_public_circle
    | is_circle_member
    | is_field_drafter
    | is_staff
    | is_eligible_voter
    | is_motion_deputy,
)
rules.add_perm("voting.close_motion", is_circle_moderator)
rules.add_perm("voting.cast_ballot", is_eligible_voter)
