"""Permissions as named django-rules predicates, asked the same way by every door:
``can(user, "deliberation.post_comment", circle)``.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from functools import lru_cache
from typing import Any

import rules
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q

from deliberation.models import Circle, Membership
from deliberation.phases import Action, active_phase, allows


def _circle_of(obj: Any) -> Circle | None:
    if isinstance(obj, Circle):
        return obj
    return getattr(obj, "circle", None)


# A room command's roles, read together with the account (``fresh_account``) and kept on
# that user object: the socket's commands get a fresh object each, so the memo never
# outlives one command, and a revocation takes effect at the next.
_ROLES_MEMO = "_konsens_room_roles"


def _roles(user: Any, circle: Circle | None) -> AbstractSet[str]:
    if circle is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    memo = getattr(user, _ROLES_MEMO, None)
    if memo is not None and memo[0] == circle.pk:
        return memo[1]
    # Asked fresh every time: a membership revoked during a live session takes effect at once.
    # No ORDER BY: Membership's ordering would join the circle, its field and the user.
    return frozenset(
        Membership.objects.filter(user=user, circle=circle)
        .order_by()
        .values_list("role", flat=True)
    )


@lru_cache(maxsize=4)
def _fresh_account_plan(vendor: str) -> tuple[str, tuple[str, ...], tuple[Any, ...]]:
    """The account's query, its columns' attributes and their converters (as the compiler
    applies them: SQLite's dates), built once: every room command asks it."""
    user_model = get_user_model()
    quote = connection.ops.quote_name
    users, members = quote(user_model._meta.db_table), quote(Membership._meta.db_table)
    pk = quote(user_model._meta.pk.column)
    compiler = user_model._default_manager.order_by().query.get_compiler(connection=connection)
    compiler.setup_query()
    columns = [expression for expression, _sql, _alias in compiler.select]
    selected = ", ".join(f"{users}.{quote(column.target.column)}" for column in columns)
    converters = tuple(
        (index, tuple(functions), expression)
        for index, (functions, expression) in compiler.get_converters(columns).items()
    )
    sql = (
        f"SELECT {selected}, {members}.{quote('role')} "  # noqa: S608
        f"FROM {users} LEFT JOIN {members} ON ({members}.{quote('user_id')} = {users}.{pk} "
        f"AND {members}.{quote('circle_id')} = %s) "
        f"WHERE {users}.{pk} = %s AND {users}.{quote('is_active')}"
    )
    return sql, tuple(column.target.attname for column in columns), converters


def fresh_account(user_id: int, circle: Circle) -> tuple[Any, str | None]:
    """The active account ``user_id`` as the database has it now and its role in ``circle``'s
    room (``room_role``), in one query (every room command asks this); ``(None, None)`` for a
    deactivated or deleted account. The roles stay on the returned object for the rules
    asked during the same command."""
    sql, attnames, converters = _fresh_account_plan(connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, [circle.pk, user_id])
        rows = cursor.fetchall()
    if not rows:
        return None, None
    values = list(rows[0][:-1])
    for index, functions, expression in converters:
        for function in functions:
            values[index] = function(values[index], expression, connection)
    user = get_user_model().from_db(connection.alias, attnames, values)
    roles = frozenset(str(row[-1]) for row in rows if row[-1])
    setattr(user, _ROLES_MEMO, (circle.pk, roles))
    return user, _room_role(user, circle, roles)


@rules.predicate
def is_circle_moderator(user: Any, obj: Any) -> bool:
    return Membership.Role.MODERATOR in _roles(user, _circle_of(obj))


@rules.predicate
def is_circle_expert(user: Any, obj: Any) -> bool:
    return Membership.Role.EXPERT in _roles(user, _circle_of(obj))


@rules.predicate
def is_circle_drafter(user: Any, obj: Any) -> bool:
    return Membership.Role.DRAFTER in _roles(user, _circle_of(obj))


def has_circle_role(*wanted: str) -> Any:
    """One predicate for "any of these roles": one membership query, where ``a | b | c`` of
    the single-role predicates would ask up to three times (every command asks this)."""
    names = "_or_".join(str(role) for role in wanted)

    @rules.predicate(name=f"has_circle_role_{names}")
    def check(user: Any, obj: Any) -> bool:
        return not _roles(user, _circle_of(obj)).isdisjoint(wanted)

    return check


@rules.predicate
def is_circle_member(user: Any, obj: Any) -> bool:
    return bool(_roles(user, _circle_of(obj)))


@rules.predicate
def is_public_circle(user: Any, obj: Any) -> bool:
    circle = _circle_of(obj)
    return bool(circle and circle.is_public)


@rules.predicate
def is_comment_author(user: Any, comment: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(comment, "author_id", None) == user.pk
    )


is_staff = rules.is_staff
# Moderators, experts and drafters speak in a room; experts and moderators rate and propose.
is_circle_speaker = has_circle_role(
    Membership.Role.MODERATOR, Membership.Role.EXPERT, Membership.Role.DRAFTER
)
is_circle_rater = has_circle_role(Membership.Role.EXPERT, Membership.Role.MODERATOR)


@rules.predicate
def is_field_drafter(user: Any, obj: Any) -> bool:
    """A drafter of any circle of the same action field: the working group writes the goals
    that the expert circle discusses, so it evaluates that circle's feedback too — and sees
    the room of a private circle of its field (as a viewer: it reads, evaluates and revises,
    but does not speak, rate or vote there, and gets no members' video link)."""
    circle = _circle_of(obj)
    if circle is None or not getattr(user, "is_authenticated", False):
        return False
    return Membership.objects.filter(
        user=user, role=Membership.Role.DRAFTER, circle__action_field_id=circle.action_field_id
    ).exists()


def visible_circles_filter(user: Any) -> Q | None:
    """The ``deliberation.view_room`` rule as one filter on ``Circle`` (lists and bulk
    checks), ``None`` for all (staff). Keep in step with the predicate below and
    ``room_role``; ``tests/deliberation/test_field_drafter_access.py`` checks they agree."""
    if getattr(user, "is_staff", False):
        return None
    visible = Q(is_public=True)
    if getattr(user, "is_authenticated", False):
        mine = Membership.objects.filter(user=user)
        visible |= Q(pk__in=mine.values("circle_id"))
        visible |= Q(
            action_field_id__in=mine.filter(role=Membership.Role.DRAFTER).values(
                "circle__action_field_id"
            )
        )
    return visible


# Rooms: public ones for everybody; private ones for their members, the field's drafters
# (the working group evaluates and revises the expert circle's feedback) and staff.
rules.add_perm(
    "deliberation.view_room", is_public_circle | is_circle_member | is_field_drafter | is_staff
)
rules.add_perm("deliberation.post_comment", is_circle_speaker)
rules.add_perm("deliberation.moderate_room", is_circle_moderator)
rules.add_perm("deliberation.raise_hand", is_circle_speaker)
# The temperature check (deliberation.pulse): the moderation asks, members answer
rules.add_perm("deliberation.ask_pulse", is_circle_moderator)
rules.add_perm("deliberation.answer_pulse", is_circle_speaker)
# The room's session settings (speakers' list rules, video conference, livestream):
# its moderators and staff; everything else about a circle is staff only
rules.add_perm("deliberation.configure_session", is_circle_moderator | is_staff)
# The members' video conference link: members and staff, never a viewer
rules.add_perm("deliberation.view_video", is_circle_member | is_staff)
# Memberships (object: the circle): its moderators and staff (the admin)
rules.add_perm("deliberation.manage_members", is_circle_moderator | is_staff)
rules.add_perm("deliberation.manage_accounts", is_staff)
# Comments (object: the comment)
rules.add_perm("deliberation.edit_comment", is_comment_author)
rules.add_perm("deliberation.hide_comment", is_circle_moderator)

# Goals: drafting belongs to the working group, steering to moderators and staff
rules.add_perm("deliberation.change_goal_status", is_circle_moderator | is_staff)
rules.add_perm("deliberation.draft_goal", is_circle_drafter | is_circle_moderator | is_staff)


def room_role(user: Any, circle: Circle) -> str | None:
    """The role a user has in a room: moderator > expert > drafter > viewer; None: refused.
    A private room's viewers are staff and the drafters of its action field."""
    return _room_role(user, circle, _roles(user, circle))


def _room_role(user: Any, circle: Circle, roles: AbstractSet[str]) -> str | None:
    if roles or circle.is_public or getattr(user, "is_staff", False):
        return _strongest_role(user, circle, roles, field_drafter=False)
    drafter = bool(is_field_drafter.test(user, circle))
    return _strongest_role(user, circle, roles, field_drafter=drafter)


def room_roles(user: Any, circles: list[Circle]) -> dict[int, str | None]:
    """``room_role`` for many circles in two queries at most (lists of rooms)."""
    memberships: dict[int, set[str]] = {}
    drafting: set[int] = set()  # action fields in which the user drafts
    if getattr(user, "is_authenticated", False):
        rows = Membership.objects.filter(user=user).values_list(
            "circle_id", "role", "circle__action_field_id"
        )
        wanted = {c.pk for c in circles}
        for circle_id, role, field_id in rows:
            if circle_id in wanted:
                memberships.setdefault(circle_id, set()).add(role)
            if role == Membership.Role.DRAFTER:
                drafting.add(field_id)
    return {
        c.pk: _strongest_role(
            user,
            c,
            memberships.get(c.pk, set()),
            field_drafter=c.action_field_id in drafting,
        )
        for c in circles
    }


def _strongest_role(
    user: Any, circle: Circle, roles: AbstractSet[str], *, field_drafter: bool
) -> str | None:
    for role in (Membership.Role.MODERATOR, Membership.Role.EXPERT, Membership.Role.DRAFTER):
        if role in roles:
            return str(role)
    if circle.is_public or getattr(user, "is_staff", False) or field_drafter:
        return "viewer"
    return None


# --- rounds: what a role may do depends on the active round's phase -----------------------
# The object is a Round (services pass the round they hold under the room lock) or a Circle
# (doors asking "may I?" for the room's current state).


def phase_allows(action: Action) -> Any:
    """A predicate: the room's current phase allows ``action`` (the phase-feature table in
    ``deliberation.phases``)."""

    @rules.predicate(name=f"phase_allows_{action}")
    def check(user: Any, obj: Any) -> bool:
        return allows(active_phase(obj), action)

    return check


# Who may, whatever the phase (services use these to tell "not you" from "not now").
may_rate = is_circle_rater
may_propose_idea = is_circle_rater
may_evaluate = is_circle_moderator | is_field_drafter
may_revise = is_circle_moderator | is_field_drafter
may_comment = is_circle_speaker


def room_capabilities(user: Any, circle: Circle) -> dict[str, bool]:
    """What ``user`` may do in ``circle``'s room whatever the phase, by the rules the services
    ask (the welcome's ``may``, ``docs/protocol.md``): a field's drafter evaluates and revises
    in the expert circle's room although their role there is only "viewer"."""
    return {
        "moderate": bool(is_circle_moderator.test(user, circle)),
        "evaluate": bool(may_evaluate.test(user, circle)),
        "revise": bool(may_revise.test(user, circle)),
    }


# Who may, now (object: a Round or a Circle).
rules.add_perm("deliberation.manage_rounds", is_circle_moderator)
rules.add_perm("deliberation.comment_now", may_comment & phase_allows(Action.COMMENT))
rules.add_perm("deliberation.rate_goal", may_rate & phase_allows(Action.RATE))
rules.add_perm("deliberation.propose_idea", may_propose_idea & phase_allows(Action.PROPOSE_IDEA))
rules.add_perm("deliberation.decide_idea", is_circle_moderator)
rules.add_perm("deliberation.set_disposition", may_evaluate & phase_allows(Action.SET_DISPOSITION))
rules.add_perm("deliberation.publish_revision", may_revise & phase_allows(Action.PUBLISH_REVISION))
rules.add_perm("deliberation.run_agenda", is_circle_moderator & phase_allows(Action.RUN_AGENDA))
