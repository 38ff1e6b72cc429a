"""Circles: setting one up and changing its settings (staff; the session's settings also
the circle's moderators). The room hears every change
(``room.updated``); the admin and the staff pages call these, never a raw save."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from deliberation import payloads
from deliberation.eventlog import lock_room, record_event
from deliberation.models import ActionField, Circle
from kernel import checks
from kernel.errors import Conflict, Forbidden, Invalid
from kernel.permissions import can
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


SESSION_FIELDS = ("speaking_time", "speakers_order", "video_url", "livestream_url")
SPEAKING_TIME_MIN = 10
SPEAKING_TIME_MAX = 3600
URL_MAX_LENGTH = 500


def _session_url(value: Any, field: str, label: str) -> str:
    """An https link (a Jitsi or BigBlueButton room, any video or stream page), or "" for none."""
    value = checks.text(value, field, label=label, required=False, max_length=URL_MAX_LENGTH)
    if not value:
        return ""
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise Invalid(
            _("%(label)s muss eine vollständige https-Adresse sein.") % {"label": label},
            field=field,
        ) from None
    return value


def _speaking_time(value: Any) -> int | None:
    if value is None:
        return None
    value = checks.integer(value, "speaking_time")
    if not SPEAKING_TIME_MIN <= value <= SPEAKING_TIME_MAX:
        raise Invalid(
            _("Die Redezeit muss zwischen %(min)s und %(max)s Sekunden liegen (leer: unbegrenzt).")
            % {"min": SPEAKING_TIME_MIN, "max": SPEAKING_TIME_MAX},
            field="speaking_time",
        )
    return value


def circle_update(
    *,
    actor: Actor | None,
    circle: Circle,
    title: Any = KEEP,
    is_public: Any = KEEP,
    speaking_time: Any = KEEP,
    speakers_order: Any = KEEP,
    video_url: Any = KEEP,
    livestream_url: Any = KEEP,
) -> Circle:
    """Change a circle's settings: its title and whether its room is public (staff); the
    session's settings (staff and the circle's moderators): the time per turn
    (``speaking_time``, seconds, ``None`` unlimited), the speakers' order (``speakers_order``),
    the members' video conference (``video_url``) and the public livestream
    (``livestream_url``), both https links or "" for none.

    The room hears ``room.updated`` with its new settings; a room made private keeps only
    its members (``rooms`` closes the viewers' sockets). Nothing is recorded when nothing
    changed. Kind, action field and slug stay: rounds, motions and links depend on them."""
    if title is not KEEP or is_public is not KEEP:
        _require_staff(actor, _("Nur die Verwaltung kann Kreise ändern."))
    elif actor is not None and not can(actor, "deliberation.configure_session", circle):
        raise Forbidden(_("Nur die Moderation kann die Sitzung einrichten."))
    changes: dict[str, Any] = {}
    if title is not KEEP:
        changes["title"] = checks.text(
            title, "title", label=_("Der Titel"), required=True, max_length=200
        )
    if is_public is not KEEP:
        if not isinstance(is_public, bool):
            raise Invalid(_("„öffentlich“ muss ja oder nein sein."), field="is_public")
        changes["is_public"] = is_public
    if speaking_time is not KEEP:
        changes["speaking_time"] = _speaking_time(speaking_time)
    if speakers_order is not KEEP:
        if speakers_order not in Circle.SpeakersOrder.values:
            raise Invalid(
                _("Unbekannte Reihenfolge: %(order)s") % {"order": speakers_order},
                field="speakers_order",
            )
        changes["speakers_order"] = speakers_order
    if video_url is not KEEP:
        changes["video_url"] = _session_url(video_url, "video_url", _("Die Videokonferenz"))
    if livestream_url is not KEEP:
        changes["livestream_url"] = _session_url(
            livestream_url, "livestream_url", _("Der Livestream")
        )
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
    for name in changed:
        setattr(circle, name, changes[name])
    return locked
