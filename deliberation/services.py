"""Every write of the deliberation domain. Keyword-only, actor first; each validates, writes
in a transaction, records the room event and leaves the broadcast to after commit.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation import anchors, payloads, phases, speakers
from deliberation.eventlog import lock_room, record_event
from deliberation.field_access import field_access_changed, lock_field_rooms
from deliberation.models import (
    ActionField,
    Circle,
    Comment,
    Goal,
    GoalStatusChange,
    GoalVersion,
    HandRaise,
    Membership,
    Round,
    RoundComment,
)
from deliberation.rounds.selectors import active_round_row
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid, NotFound
from kernel.permissions import can
from kernel.prepared import Prepared
from kernel.rendering import render_markdown

User = AbstractBaseUser | AnonymousUser

COMMENT_MAX_LENGTH = 5000
CLIENT_KEY_MAX_LENGTH = 64

# The goal life cycle. Anything not listed here is refused.
GOAL_TRANSITIONS: dict[str, frozenset[str]] = {
    Goal.Status.DRAFT: frozenset({Goal.Status.IN_DISCUSSION, Goal.Status.WITHDRAWN}),
    Goal.Status.IN_DISCUSSION: frozenset(
        {Goal.Status.REVISED, Goal.Status.IN_VOTE, Goal.Status.WITHDRAWN}
    ),
    Goal.Status.REVISED: frozenset(
        {Goal.Status.IN_DISCUSSION, Goal.Status.IN_VOTE, Goal.Status.WITHDRAWN}
    ),
    Goal.Status.IN_VOTE: frozenset(
        {Goal.Status.ADOPTED, Goal.Status.REJECTED, Goal.Status.REVISED}
    ),
    Goal.Status.REJECTED: frozenset({Goal.Status.REVISED, Goal.Status.WITHDRAWN}),
    Goal.Status.ADOPTED: frozenset(),
    Goal.Status.WITHDRAWN: frozenset(),
}

# "Keep the current value" for optional keyword arguments.
KEEP: Any = object()


def _require(actor: Any, perm: str, obj: Any, message: str) -> None:
    if actor is None or not can(actor, perm, obj):
        raise Forbidden(message)


def _circles_of_field(action_field_id: int) -> list[Circle]:
    return list(Circle.objects.filter(action_field_id=action_field_id).order_by("pk"))


def _goal_in_field_rooms(goal: Goal, kind: str, actor: Any, extra: dict[str, Any]) -> None:
    """Every room of the goal's action field hears about a change of the goal."""
    for circle in _circles_of_field(goal.action_field_id):
        lock_room(circle.pk)
        record_event(
            circle=circle,
            kind=kind,
            payload={"goal": payloads.goal_data(goal), **extra},
            actor=actor,
        )


# --- memberships -------------------------------------------------------------------------


def _check_role(role: Any) -> str:
    if not isinstance(role, str) or role not in Membership.Role.values:
        raise Invalid(_("Unbekannte Rolle: %(role)s") % {"role": str(role)[:50]}, field="role")
    return role


def _may_manage_members(actor: Any | None, circle: Circle) -> None:
    """``actor`` None means a trusted caller (management command, demo loader, migration)."""
    if actor is not None:
        _require(
            actor,
            "deliberation.manage_members",
            circle,
            _("Nur die Moderation des Kreises oder die Verwaltung kann Mitgliedschaften ändern."),
        )


def _locked_membership(membership: Membership | int) -> Membership:
    """The membership row, re-read under the room lock (every room of its action field).
    Precondition: inside a transaction."""
    pk = membership if isinstance(membership, int) else membership.pk
    circle_id = Membership.objects.filter(pk=pk).values_list("circle_id", flat=True).first()
    if circle_id is None:
        raise NotFound(_("Diese Mitgliedschaft gibt es nicht (mehr)."))
    lock_field_rooms(circle_id)
    locked = Membership.objects.select_related("user", "circle").filter(pk=pk).first()
    if locked is None:
        raise NotFound(_("Diese Mitgliedschaft gibt es nicht (mehr)."))
    return locked


def membership_add(*, actor: Any | None, user: Any, circle: Circle, role: str) -> Membership:
    """Add ``user`` to ``circle`` in ``role`` and tell the room (``member.added``); adding an
    existing membership changes nothing and records nothing.

    Open sockets of ``user`` in the room are closed by the room hub (4410) and reconnect with
    the new role."""
    role = _check_role(role)
    _may_manage_members(actor, circle)
    with transaction.atomic():
        lock_field_rooms(circle.pk)
        membership, created = Membership.objects.get_or_create(user=user, circle=circle, role=role)
        if created:
            record_event(
                circle=circle,
                kind="member.added",
                payload=payloads.membership_data(membership),
                actor=actor,
            )
            if role == Membership.Role.DRAFTER:
                field_access_changed(membership=membership, actor=actor)
    return membership


def membership_change_role(
    *, actor: Any | None, membership: Membership | int, role: str
) -> Membership:
    """Give a membership another role (``member.changed``, with ``previous_role``). The same
    role changes nothing; a role the person already holds in the circle is a ``Conflict``."""
    role = _check_role(role)
    with transaction.atomic():
        locked = _locked_membership(membership)
        _may_manage_members(actor, locked.circle)
        previous = locked.role
        if previous == role:
            return locked
        if Membership.objects.filter(
            user_id=locked.user_id, circle_id=locked.circle_id, role=role
        ).exists():
            raise Conflict(
                _("%(person)s hat diese Rolle in diesem Kreis schon.")
                % {"person": payloads.person(locked.user)["name"]},  # type: ignore[index]
                field="role",
            )
        locked.role = role
        locked.save(update_fields=["role"])
        record_event(
            circle=locked.circle,
            kind="member.changed",
            payload=payloads.membership_data(locked, previous_role=previous),
            actor=actor,
        )
        if Membership.Role.DRAFTER in (previous, role):
            field_access_changed(membership=locked, actor=actor)
    return locked


def membership_remove(*, actor: Any | None, membership: Membership | int) -> None:
    """End a membership (``member.removed``). The person's open sockets in the room are
    closed by the room hub (4410): in a private room they stop hearing it at once."""
    with transaction.atomic():
        locked = _locked_membership(membership)
        _may_manage_members(actor, locked.circle)
        data = payloads.membership_data(locked)
        circle = locked.circle
        if locked.role == Membership.Role.DRAFTER:
            field_access_changed(membership=locked, actor=actor)
        locked.delete()
        record_event(circle=circle, kind="member.removed", payload=data, actor=actor)


def account_set_active(*, actor: Any | None, user: Any, is_active: bool) -> Any:
    """Activate or deactivate an account (staff only). Deactivating records
    ``member.deactivated`` in every room the person is a member of, so each room hub closes
    the account's open sockets there at once (4410), in every server process. (Sockets of a
    signed-in viewer carry no commands; every command re-checks the account anyway.)"""
    if actor is not None and not can(actor, "deliberation.manage_accounts", user):
        raise Forbidden(_("Nur die Verwaltung kann Zugänge sperren."))
    with transaction.atomic():
        locked = get_user_model()._default_manager.select_for_update().get(pk=user.pk)
        was_active = locked.is_active
        locked.is_active = bool(is_active)
        locked.save(update_fields=["is_active"])
        user.is_active = locked.is_active
        if was_active and not is_active:
            circle_ids = sorted(
                set(Membership.objects.filter(user=locked).values_list("circle_id", flat=True))
            )
            for circle_id in circle_ids:
                lock_room(circle_id)
                record_event(
                    circle=circle_id,
                    kind="member.deactivated",
                    payload={"person": payloads.person(locked)},
                    actor=actor,
                )
    return user


# --- goals -------------------------------------------------------------------------------


def goal_create(
    *,
    actor: Any | None,
    action_field: ActionField,
    title: str,
    text: str,
    rationale: str = "",
    order: int | None = None,
) -> Goal:
    """Create a goal in status draft with its first version.

    ``actor`` None means a trusted caller (demo loader); otherwise a drafter or moderator of
    a circle of the action field, or staff."""
    title = (title or "").strip()
    text = (text or "").strip()
    if not title:
        raise Invalid(_("Ein Ziel braucht einen Titel."), field="title")
    if len(title) > 200:
        raise Invalid(_("Der Titel darf höchstens 200 Zeichen lang sein."), field="title")
    if not text:
        raise Invalid(_("Ein Ziel braucht einen Text."), field="text")
    if actor is not None and not _may_draft(actor, action_field):
        raise Forbidden(_("Nur die Arbeitsgruppe oder die Moderation kann Ziele anlegen."))
    with transaction.atomic():
        if order is None:
            order = action_field.goals.count() + 1
        goal = Goal.objects.create(
            action_field=action_field,
            title=title,
            order=order,
            created_by=actor if actor is not None else None,
        )
        version = GoalVersion.objects.create(
            goal=goal,
            number=1,
            text=text,
            rationale=(rationale or "").strip(),
            author=actor if actor is not None else None,
        )
        goal.current_version = version
        goal.save(update_fields=["current_version"])
        _goal_in_field_rooms(goal, "goal.created", actor, {})
    return goal


def _may_draft(actor: Any, action_field: ActionField) -> bool:
    return bool(
        getattr(actor, "is_staff", False)
        or any(can(actor, "deliberation.draft_goal", c) for c in action_field.circles.all())
    )


def goal_update(*, actor: Any, goal: Goal, title: Any = KEEP, order: Any = KEEP) -> Goal:
    """Rename or re-order a goal (the working group, the moderation or staff).

    Its text changes only by a new version (``goal_version_create``), its status only by
    ``goal_transition``. Every room of the field hears ``goal.updated``; nothing is recorded
    when nothing changed."""
    if not _may_draft(actor, goal.action_field):
        raise Forbidden(_("Nur die Arbeitsgruppe oder die Moderation kann Ziele ändern."))
    changes: dict[str, Any] = {}
    if title is not KEEP:
        changes["title"] = checks.text(
            title, "title", label=_("Der Titel"), required=True, max_length=200
        )
    if order is not KEEP:
        if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 32767:
            raise Invalid(_("Die Reihenfolge muss eine Zahl von 0 bis 32767 sein."), field="order")
        changes["order"] = order
    with transaction.atomic():
        for circle in _circles_of_field(goal.action_field_id):
            lock_room(circle.pk)
        locked = Goal.objects.select_for_update(of=("self",)).get(pk=goal.pk)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, changes[name])
        locked.save(update_fields=changed)
        locked = Goal.objects.select_related("current_version").get(pk=goal.pk)
        _goal_in_field_rooms(locked, "goal.updated", actor, {"changed": sorted(changed)})
    return locked


def goal_transition(*, actor: Any | None, goal: Goal, to_status: str, reason: str = "") -> Goal:
    """Move a goal along its life cycle; illegal transitions raise ``Conflict``."""
    if to_status not in Goal.Status.values:
        raise Invalid(_("Unbekannter Status: %(s)s") % {"s": to_status}, field="status")
    with transaction.atomic():
        # of=self: PostgreSQL cannot lock the nullable side of the outer join to the version
        goal = (
            Goal.objects.select_for_update(of=("self",))
            .select_related("current_version")
            .get(pk=goal.pk)
        )
        if actor is not None and not (
            getattr(actor, "is_staff", False)
            or any(
                can(actor, "deliberation.change_goal_status", c)
                for c in goal.action_field.circles.all()
            )
        ):
            raise Forbidden(_("Nur die Moderation kann den Status eines Ziels ändern."))
        if to_status not in GOAL_TRANSITIONS[goal.status]:
            raise Conflict(
                _("Ein Ziel im Status „%(from)s“ kann nicht nach „%(to)s“ wechseln.")
                % {
                    "from": Goal.Status(goal.status).label,
                    "to": Goal.Status(to_status).label,
                },
                field="status",
            )
        if to_status == Goal.Status.WITHDRAWN and not reason.strip():
            raise Invalid(_("Ein Ziel zurückzuziehen braucht eine Begründung."), field="reason")
        from_status = goal.status
        goal.status = to_status
        goal.status_changed_at = timezone.now()
        goal.save(update_fields=["status", "status_changed_at"])
        GoalStatusChange.objects.create(
            goal=goal,
            from_status=from_status,
            to_status=to_status,
            actor=actor if actor is not None else None,
            reason=reason.strip(),
        )
        _goal_in_field_rooms(
            goal, "goal.status_changed", actor, {"from": from_status, "reason": reason.strip()}
        )
    return goal


def goal_version_create(
    *,
    actor: Any | None,
    goal: Goal,
    text: str,
    rationale: str = "",
    change_note: str = "",
    from_vote: bool = False,
) -> GoalVersion:
    """Publish a new immutable version; it becomes the goal's current version.

    ``from_vote`` is for ``voting.services`` only: the winning wording of a resistance vote
    becomes a version while the goal is still in vote, just before it is adopted. Anchored
    comments and proposals are re-anchored in it (``deliberation.anchors``)."""
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Eine Fassung braucht einen Text."), field="text")
    with transaction.atomic():
        goal = Goal.objects.select_for_update().get(pk=goal.pk)
        if actor is not None and not (
            getattr(actor, "is_staff", False)
            or any(
                can(actor, "deliberation.draft_goal", c) for c in goal.action_field.circles.all()
            )
        ):
            raise Forbidden(_("Nur die Arbeitsgruppe kann neue Fassungen veröffentlichen."))
        frozen = {Goal.Status.ADOPTED, Goal.Status.WITHDRAWN, Goal.Status.IN_VOTE}
        if from_vote:
            frozen = {Goal.Status.ADOPTED, Goal.Status.WITHDRAWN}
        if goal.status in frozen:
            raise Conflict(
                _("Ein Ziel im Status „%(s)s“ bekommt keine neue Fassung.")
                % {"s": Goal.Status(goal.status).label}
            )
        last = goal.versions.order_by("-number").values_list("number", flat=True).first() or 0
        version = GoalVersion.objects.create(
            goal=goal,
            number=last + 1,
            text=text,
            rationale=(rationale or "").strip(),
            change_note=(change_note or "").strip(),
            author=actor if actor is not None else None,
        )
        goal.current_version = version
        goal.save(update_fields=["current_version"])
        _goal_in_field_rooms(goal, "goal.version_published", actor, {})
        anchors.anchors_place(version=version, actor=actor)
    return version


# --- comments ------------------------------------------------------------------------------


def _clean_body(body: Any) -> str:
    if not isinstance(body, str):
        raise Invalid(_("Der Kommentar muss Text sein."), field="body")
    body = checks.text(body, "body", label=_("Der Kommentar"), required=False, max_length=None)
    if not body:
        raise Invalid(_("Der Kommentar ist leer."), field="body")
    if len(body) > COMMENT_MAX_LENGTH:
        raise Invalid(
            _("Ein Kommentar darf höchstens %(n)s Zeichen lang sein (dieser hat %(m)s).")
            % {"n": COMMENT_MAX_LENGTH, "m": len(body)},
            field="body",
        )
    return body


def _comment_round(circle: Circle) -> Round | None:
    """The active round comments go into; refuses while it is past discussion.

    No active round means free discussion: commenting stays open. Precondition: the caller
    holds the room lock, so the phase cannot change under the new comment."""
    active = active_round_row(circle.pk)
    if active is not None and not phases.allows(active.phase, phases.Action.COMMENT):
        raise Conflict(
            _(
                "Runde %(n)s ist in der Phase „%(phase)s“: Kommentare sind nur in der "
                "Diskussionsphase möglich."
            )
            % {"n": active.number, "phase": active.get_phase_display()},
            field="phase",
        )
    return active


# The command path's reads, compiled once (kernel.prepared; docs/performance.md, "Round 2").
_comment_by_key: Prepared[Comment] = Prepared(
    lambda author, key: Comment.objects.filter(author_id=author, client_key=key).order_by()[:1],
    int,
    str,
)
_goal_in_field: Prepared[Goal] = Prepared(
    lambda goal, field: Goal.objects.filter(pk=goal, action_field_id=field).order_by()[:1]
)
_version: Prepared[GoalVersion] = Prepared(
    lambda pk: GoalVersion.objects.filter(pk=pk).order_by()[:1]
)


def _room_goal(circle: Circle, goal_id: Any) -> Goal | None:
    """The goal of ``circle``'s field with its current version (or None)."""
    if not isinstance(goal_id, int) or isinstance(goal_id, bool):
        return (
            Goal.objects.select_related("current_version")
            .filter(pk=goal_id, action_field_id=circle.action_field_id)
            .first()
        )
    goal = _goal_in_field.first(goal_id, circle.action_field_id)
    if goal is not None:
        version_id = goal.current_version_id
        goal.current_version = _version.first(version_id) if version_id is not None else None
    return goal


def comment_post(
    *,
    actor: Any,
    circle: Circle,
    goal_id: int,
    body: str,
    client_key: str = "",
    reply_to: int | None = None,
    anchor_paragraph: int | None = None,
    anchor_quote: str = "",
    anchor_prefix: str = "",
) -> tuple[Comment, bool]:
    """Post a comment on the goal's current version in ``circle``'s room.

    Idempotent per author and ``client_key``: the same key again returns the existing comment
    and ``created=False``, records nothing. Returns ``(comment, created)``. The anchor's
    context is taken from the text (``anchor_prefix`` only picks among repeated quotes).
    """
    _require(
        actor,
        "deliberation.post_comment",
        circle,
        _("Nur Mitglieder des Kreises können kommentieren."),
    )
    if not isinstance(client_key, str) or len(client_key) > CLIENT_KEY_MAX_LENGTH:
        raise Invalid(_("client_key muss Text mit höchstens 64 Zeichen sein."), field="client_key")
    if client_key:
        existing = _comment_by_key.first(actor.pk, client_key)
        if existing is not None:
            return _replayed(existing, circle), False
    body = _clean_body(body)
    try:
        with transaction.atomic():
            lock_room(circle.pk)
            active_round = _comment_round(circle)
            goal = _room_goal(circle, goal_id)
            if goal is None or goal.current_version is None:
                raise NotFound(_("Dieses Ziel gibt es in diesem Raum nicht."), field="goal")
            if goal.status != Goal.Status.IN_DISCUSSION:
                raise Conflict(
                    _(
                        "Zu einem Ziel im Status „%(s)s“ kann nicht kommentiert werden; "
                        "nur Ziele in Diskussion."
                    )
                    % {"s": Goal.Status(goal.status).label},
                    field="goal",
                )
            version = goal.current_version
            parent = None
            if reply_to is not None:
                parent = Comment.objects.filter(pk=reply_to, circle=circle, goal=goal).first()
                if parent is None:
                    raise NotFound(
                        _("Der Kommentar, auf den Sie antworten, fehlt."), field="reply_to"
                    )
                if parent.parent_id is not None:
                    raise Invalid(
                        _("Auf Antworten kann nicht geantwortet werden (eine Ebene)."),
                        field="reply_to",
                    )
            anchor = anchors.comment_anchor(version, anchor_paragraph, anchor_quote, anchor_prefix)
            comment = Comment.objects.create(
                circle=circle,
                goal=goal,
                version=version,
                author=actor,
                parent=parent,
                body=body,
                body_html=render_markdown(body),
                client_key=client_key,
                **anchor,
            )
            if active_round is not None:
                RoundComment.objects.create(round=active_round, comment=comment)
            record_event(
                circle=circle,
                kind="comment.created",
                payload={"comment": payloads.comment_data(comment, moderator=False)},
                actor=actor,
            )
    except IntegrityError:
        # Two posts with the same key raced: the other one won; answer with it.
        existing = Comment.objects.filter(author=actor, client_key=client_key).first()
        if client_key and existing is not None:
            return _replayed(existing, circle), False
        raise
    return comment, True


def _replayed(existing: Comment, circle: Circle) -> Comment:
    """A post whose ``client_key`` is known: the same comment again, if it was made in this
    room. A key already used in another room is refused rather than answered with a comment
    the poster did not mean (their new text would be lost without a word)."""
    if existing.circle_id != circle.pk:
        raise Conflict(
            _("Dieser client_key gehört schon zu einem Kommentar in einem anderen Raum."),
            field="client_key",
        )
    return existing


def _locked_comment(circle: Circle, comment_id: Any) -> Comment:
    if not isinstance(comment_id, int) or isinstance(comment_id, bool):
        raise Invalid(_("comment muss eine Zahl sein."), field="comment")
    comment = (
        Comment.objects.select_for_update()
        .select_related("author")
        .filter(pk=comment_id, circle=circle)
        .first()
    )
    if comment is None:
        raise NotFound(_("Diesen Kommentar gibt es in diesem Raum nicht."), field="comment")
    return comment


def comment_edit(*, actor: Any, circle: Circle, comment_id: int, body: str) -> Comment:
    """The author changes the text of their own comment; the room sees the new text."""
    body = _clean_body(body)
    with transaction.atomic():
        lock_room(circle.pk)
        comment = _locked_comment(circle, comment_id)
        _require(
            actor,
            "deliberation.edit_comment",
            comment,
            _("Nur eigene Kommentare können bearbeitet werden."),
        )
        if not can(actor, "deliberation.post_comment", circle):
            raise Forbidden(_("Sie sind nicht mehr Mitglied dieses Kreises."))
        _comment_round(circle)  # feedback under evaluation stays as it was said
        if comment.body == body:
            return comment
        comment.body = body
        comment.body_html = render_markdown(body)
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
        _record_comment_event(comment, "comment.edited", actor)
    return comment


def _record_comment_event(comment: Comment, kind: str, actor: Any) -> None:
    hidden = comment.state == Comment.State.HIDDEN
    record_event(
        circle=comment.circle_id,
        kind=kind,
        payload={"comment": payloads.comment_data(comment, moderator=False)},
        moderator_payload=(
            {"comment": payloads.comment_data(comment, moderator=True)} if hidden else None
        ),
        actor=actor,
    )


def comment_set_visibility(
    *, actor: Any, circle: Circle, comment_id: int, hidden: bool, reason: str
) -> Comment:
    """Hide or unhide a comment (moderators, with a reason). Hidden stays in the record."""
    _require(
        actor,
        "deliberation.moderate_room",
        circle,
        _("Nur die Moderation kann Kommentare aus- oder einblenden."),
    )
    if not isinstance(reason, str) or not reason.strip():
        raise Invalid(_("Bitte geben Sie einen Grund an."), field="reason")
    if len(reason) > 1000:
        raise Invalid(_("Der Grund darf höchstens 1000 Zeichen lang sein."), field="reason")
    target = Comment.State.HIDDEN if hidden else Comment.State.VISIBLE
    with transaction.atomic():
        lock_room(circle.pk)
        comment = _locked_comment(circle, comment_id)
        if comment.state == target:
            raise Conflict(
                _("Der Kommentar ist bereits ausgeblendet.")
                if hidden
                else _("Der Kommentar ist bereits sichtbar.")
            )
        comment.state = target
        comment.record_moderation(actor=actor, reason=reason.strip(), at=timezone.now())
        comment.save(update_fields=["state", *Comment.MODERATION_FIELDS])
        _record_comment_event(comment, "comment.hidden" if hidden else "comment.unhidden", actor)
    return comment


# --- live rooms: the speakers' queue and the focus --------------------------------------------

OPEN_HAND_STATES = (HandRaise.State.WAITING, HandRaise.State.SPEAKING)


def _record_hand_event(
    circle: Circle, kind: str, actor: Any, *, hand: HandRaise | None, **extra: Any
) -> None:
    """Every hand event carries the whole queue after the change, in the order the hands
    get the floor (``deliberation.speakers``): the queue is short, and a client that applies
    it cannot drift from the server."""
    record_event(
        circle=circle,
        kind=kind,
        payload={
            "hand": payloads.hand_data(hand) if hand is not None else None,
            **extra,
            "queue": speakers.speakers_queue(circle).payload(),
        },
        actor=actor,
    )


def hand_raise(*, actor: Any, circle: Circle, point_of_order: bool = False) -> HandRaise:
    """A member asks for the floor and joins the queue: at its end, or with
    ``point_of_order`` (a motion on procedure, "Geschäftsordnungsantrag") at its top, after
    the points of order raised before."""
    _require(
        actor,
        "deliberation.raise_hand",
        circle,
        _("Nur Mitglieder des Kreises können sich zu Wort melden."),
    )
    if not isinstance(point_of_order, bool):
        raise Invalid(
            _("„Geschäftsordnungsantrag“ muss wahr oder falsch sein."), field="point_of_order"
        )
    with transaction.atomic():
        locked = lock_room(circle.pk)
        if speakers.open_hand(circle.pk, actor.pk) is not None:
            raise Conflict(_("Sie haben sich bereits zu Wort gemeldet."))
        first_time = not speakers.has_spoken(locked, actor.pk, speakers.current_scope(locked))
        hand = HandRaise.objects.create(
            circle=circle, user=actor, point_of_order=point_of_order, first_time=first_time
        )
        _record_hand_event(locked, "hand.raised", actor, hand=hand)
    return hand


def hand_lower(*, actor: Any, circle: Circle, user_id: int | None = None) -> HandRaise:
    """Take back a raised hand (waiting or speaking): one's own, or with ``user_id`` someone
    else's (moderators, e.g. for a person who left). A speaker's turn ends then."""
    user_id = checks.optional_id(user_id, "user")
    if user_id is None or user_id == getattr(actor, "pk", None):
        _require(
            actor,
            "deliberation.raise_hand",
            circle,
            _("Nur Mitglieder des Kreises können sich zu Wort melden."),
        )
        user_id = actor.pk
        missing = _("Sie haben sich nicht zu Wort gemeldet.")
    else:
        _require(
            actor,
            "deliberation.moderate_room",
            circle,
            _("Nur die Moderation kann Wortmeldungen anderer zurücknehmen."),
        )
        missing = _("Diese Person hat sich nicht zu Wort gemeldet.")
    with transaction.atomic():
        locked = lock_room(circle.pk)
        hand = speakers.open_hand(circle.pk, user_id)
        if hand is None:
            raise Conflict(missing)
        if user_id == actor.pk:
            hand.user = actor

        hand.state = HandRaise.State.LOWERED
        hand.ended_at = timezone.now()
        hand.save(update_fields=["state", "ended_at"])
        _record_hand_event(locked, "hand.lowered", actor, hand=hand)
    return hand


def hand_next(*, actor: Any, circle: Circle) -> HandRaise | None:
    """The moderator gives the floor to the next waiting hand (points of order first, then
    by the room's ``speakers_order``); whoever had it is done. The new turn starts now, with
    the room's ``speaking_time``, and is logged with the active round and the focused goal.

    Returns the new speaker, or ``None`` when the queue had only the speaker."""
    _require(actor, "deliberation.moderate_room", circle, _("Nur die Moderation erteilt das Wort."))
    with transaction.atomic():
        locked = lock_room(circle.pk)
        queue = speakers.speakers_queue(locked)
        speaking = queue.speaking
        waiting = queue.waiting
        if speaking is None and not waiting:
            raise Conflict(_("Niemand hat sich zu Wort gemeldet."))
        now = timezone.now()
        if speaking is not None:
            speaking.state = HandRaise.State.DONE
            speaking.ended_at = now
            speaking.save(update_fields=["state", "ended_at"])
        following = waiting[0] if waiting else None
        if following is not None:
            scope = speakers.current_scope(locked)
            following.state = HandRaise.State.SPEAKING
            following.started_at = now
            following.time_limit = locked.speaking_time
            following.round_id = scope.round_id
            following.goal_id = scope.goal_id
            following.save(update_fields=["state", "started_at", "time_limit", "round", "goal"])
        _record_hand_event(
            locked,
            "hand.next",
            actor,
            hand=following,
            done=payloads.hand_data(speaking) if speaking is not None else None,
        )
    return following


def focus_set(*, actor: Any, circle: Circle, goal_id: int | None) -> Circle:
    """The moderator points every client of the room at one goal in discussion, or at none.

    Setting the current focus again records nothing."""
    _require(
        actor,
        "deliberation.moderate_room",
        circle,
        _("Nur die Moderation kann den Fokus setzen."),
    )
    goal_id = checks.optional_id(goal_id, "goal")
    with transaction.atomic():
        locked = lock_room(circle.pk)
        if goal_id is not None:
            goal = Goal.objects.filter(pk=goal_id, action_field_id=locked.action_field_id).first()
            if goal is None:
                raise NotFound(_("Dieses Ziel gibt es in diesem Raum nicht."), field="goal")
            if goal.status != Goal.Status.IN_DISCUSSION:
                raise Conflict(_("Nur ein Ziel in Diskussion kann im Fokus stehen."), field="goal")
        if locked.focus_goal_id == goal_id:
            return locked
        locked.focus_goal_id = goal_id
        locked.save(update_fields=["focus_goal"])
        record_event(circle=locked, kind="focus.changed", payload={"goal": goal_id}, actor=actor)
    circle.focus_goal_id = goal_id
    return locked
