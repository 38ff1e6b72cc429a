"""The one way every door and service asks "may this user do this?".

``can(user, "voting.cast_ballot", motion)`` asks the named django-rules predicate and nothing
else. It does **not** go through ``User.has_perm``, because Django answers that with ``True``
for any active superuser before a single rule runs: a superuser would vote in every motion,
post in every room and moderate every circle. A superuser is an administrator of the
installation (the Django admin, staff pages), not a member of a circle or a voter; the rules
grant staff powers explicitly (``rules.is_staff`` in the predicates that allow them).

A deactivated account may do nothing, whatever its session or socket still says.
"""

from __future__ import annotations

from typing import Any

import rules


def can(user: Any, perm: str, obj: Any = None) -> bool:
    if user is None:
        return False
    if getattr(user, "is_authenticated", False) and not getattr(user, "is_active", False):
        return False
    return bool(rules.has_perm(perm, user, obj))
