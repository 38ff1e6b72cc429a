"""Circles: setting one up and changing its settings (staff). The room hears every change
(``room.updated``); the admin and the staff pages call these, never a raw save."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.eventlog import lock_room, record_event
from deliberation.models import ActionField, Circle
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid
from kernel.types import Actor

# "Keep the current value" for optional keyword arguments.
KEEP: Any = object()


def _require_staff(actor: Actor | None, message: str) -> None:
    if actor is not None and not getattr(actor, "is_staff", False):
        raise Forbidden(message)


def circle_create(
    *,
    actor: Actor | None,
    action_field: ActionField,
    kind: str,
    title: str,
    slug: str,
    is_public: bool = True,
) -> Circle:
    """Set up a circle (an expert circle or a working group) of an action field (staff).

    ``actor`` None means a trusted caller (demo loader). Its room starts empty, at event 0."""
    _require_staff(actor, _("Nur die Verwaltung kann Kreise anlegen."))
    if kind not in Circle.Kind.values:
        raise Invalid(_("Unbekannte Art: %(kind)s") % {"kind": kind}, field="kind")
    title = checks.text(title, "title", label=_("Der Titel"), required=True, max_length=200)
    slug = checks.text(slug, "slug", label=_("Der Kurzname"), required=True, max_length=100)
    if not re.fullmatch(r"[-a-zA-Z0-9_]+", slug):
        raise Invalid(
            _("Der Kurzname darf nur Buchstaben, Ziffern, - und _ enthalten."), field="slug"
        )
    if Circle.objects.filter(slug=slug).exists():
        raise Conflict(_("Diesen Kurznamen trägt schon ein Kreis."), field="slug")
    return Circle.objects.create(
        action_field=action_field, kind=kind, title=title, slug=slug, is_public=bool(is_public)
    )


def circle_update(
    *, actor: Actor | None, circle: Circle, title: Any = KEEP, is_public: Any = KEEP
) -> Circle:
    """Change a circle's settings (staff): its title, and whether its room is public.

    The room hears ``room.updated`` with its new settings; a room made private keeps only
    its members (``rooms`` closes the viewers' sockets). Nothing is recorded when nothing
    changed. Kind, action field and slug stay: rounds, motions and links depend on them."""
    _require_staff(actor, _("Nur die Verwaltung kann Kreise ändern."))
    changes: dict[str, Any] = {}
    if title is not KEEP:
        changes["title"] = checks.text(
            title, "title", label=_("Der Titel"), required=True, max_length=200
        )
    if is_public is not KEEP:
        if not isinstance(is_public, bool):
            raise Invalid(_("„öffentlich“ muss ja oder nein sein."), field="is_public")
        changes["is_public"] = is_public
    with transaction.atomic():
        locked = lock_room(circle.pk)
        changed = [name for name, value in changes.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        for name in changed:
            setattr(locked, name, changes[name])
        locked.save(update_fields=changed)
        record_event(
            circle=locked,
            kind="room.updated",
            payload={"room": payloads.room_settings(locked), "changed": sorted(changed)},
            actor=actor,
        )
    return locked
