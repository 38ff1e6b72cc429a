"""Who may use the assistance's moderator tools (``kernel.permissions.can``).

Drafting, editing and approving a summary and confirming clusters are the round's
moderators' (``deliberation.manage_rounds``). The cross-field check of the goals is for staff
and anyone who moderates a circle: it compares goals of every field."""

from __future__ import annotations

from typing import Any

import rules

from deliberation.models import Membership


@rules.predicate
def is_any_moderator(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(user=user, role=Membership.Role.MODERATOR).exists()


rules.add_perm("assist.view_goal_overlaps", rules.is_staff | is_any_moderator)
