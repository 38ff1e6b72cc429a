"""The plain-language twin of a goal's version ("Leichte Sprache"): written by the drafters
for the current version, shown beside the binding text, never voted on. Once a later
binding version exists the twin is out of date ("veraltet – bezieht sich auf Fassung 2")
until the drafters write one for it; that is derived from the version numbers, so
publishing a version needs no extra write.

``plain_text_set`` is the one writer (same permission as publishing a version: the field's
drafters, its moderators, staff); ``plain_data`` the read every rendering uses.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from deliberation.eventlog import lock_room, record_event
from deliberation.models import Circle, Goal, GoalVersion, PlainText
from kernel import checks
from kernel.errors import Forbidden, NotFound
from kernel.permissions import can
from kernel.rendering import render_markdown
from kernel.times import utc_iso

PLAIN_MAX_LENGTH = 20000


def may_write_plain(actor: Any, goal: Goal) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    return getattr(actor, "is_staff", False) or any(
        can(actor, "deliberation.draft_goal", c)
        for c in Circle.objects.filter(action_field_id=goal.action_field_id)
    )


_NOT_LOADED = object()


def plain_prefetch(goals: list[Goal]) -> list[Goal]:
    """Load the twins of these goals' current versions in one query (a room snapshot shows
    many goals): ``plain_for`` then reads them from the version instead of asking again."""
    versions = [g.current_version for g in goals if g.current_version is not None]
    if not versions:
        return goals
    by_goal: dict[int, list[PlainText]] = {}
    for twin in (
        PlainText.objects.filter(version__goal_id__in={v.goal_id for v in versions})
        .select_related("version")
        .order_by("-version__number")
    ):
        by_goal.setdefault(twin.version.goal_id, []).append(twin)
    for version in versions:
        candidates = by_goal.get(version.goal_id, [])
        version._plain_twin = next(  # type: ignore[attr-defined]
            (t for t in candidates if t.version.number <= version.number), None
        )
    return goals


def plain_for(version: GoalVersion) -> PlainText | None:
    """The twin shown with ``version``: its own, else the newest of an earlier version."""
    loaded = getattr(version, "_plain_twin", _NOT_LOADED)
    if loaded is not _NOT_LOADED:
        return loaded  # type: ignore[return-value]
    return (
        PlainText.objects.filter(
            version__goal_id=version.goal_id, version__number__lte=version.number
        )
        .select_related("version")
        .order_by("-version__number")
        .first()
    )


def plain_data(version: GoalVersion) -> dict[str, Any] | None:
    """The twin as the protocol, the REST API and the pages show it, or None."""
    twin = plain_for(version)
    if twin is None:
        return None
    return {
        "text": twin.text,
        "html": render_markdown(twin.text),
        "version": {"id": twin.version_id, "number": twin.version.number},
        "outdated": twin.version_id != version.pk,
        "updated_at": utc_iso(twin.updated_at),
    }


def plain_text_set(*, actor: Any, goal_id: Any, text: Any) -> PlainText | None:
    """Write (or, with an empty text, remove) the twin of the goal's current version; every
    room of the field hears ``goal.plain_text_set``. Returns the twin, None when removed."""
    goal_id = checks.integer(goal_id, "goal")
    text = checks.text(
        text,
        "text",
        label=_("Der Text in Leichter Sprache"),
        required=False,
        max_length=PLAIN_MAX_LENGTH,
    )
    with transaction.atomic():
        goal = Goal.objects.select_for_update().filter(pk=goal_id).first()
        if goal is None or goal.current_version_id is None:
            raise NotFound(_("Dieses Ziel gibt es nicht."), field="goal")
        if not may_write_plain(actor, goal):
            raise Forbidden(_("Nur die Arbeitsgruppe schreibt die Fassung in Leichter Sprache."))
        version = GoalVersion.objects.get(pk=goal.current_version_id)
        twin: PlainText | None = None
        if text:
            twin, _created = PlainText.objects.update_or_create(
                version=version,
                defaults={"text": text, "author": actor, "updated_at": timezone.now()},
            )
        else:
            PlainText.objects.filter(version=version).delete()
        payload = {
            "goal": goal.pk,
            "version": {"id": version.pk, "number": version.number},
            "plain": plain_data(version),
        }
        for circle in Circle.objects.filter(action_field_id=goal.action_field_id).order_by("pk"):
            lock_room(circle.pk)
            record_event(circle=circle, kind="goal.plain_text_set", payload=payload, actor=actor)
    return twin
