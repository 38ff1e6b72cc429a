"""Small template helpers for the public pages: Markdown, people's names, room links."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from deliberation.rendering import render_markdown

register = template.Library()


@register.filter
def markdown(source: str | None) -> SafeString:
    """Markdown rendered by markdown-it and sanitised by nh3, so safe to mark as such."""
    return mark_safe(render_markdown(source or ""))  # noqa: S308 - nh3 sanitised it


@register.filter
def person(user: Any) -> str:
    """A person's display name; a write without a person (the demo loader) shows as system."""
    if user is None:
        return _("System")
    return user.get_full_name() or user.get_username()


@register.simple_tag
def room_url(slug: str) -> str:
    """The live room of a circle. The room page has its own URL name once the live room exists;
    until then the path is the documented one."""
    try:
        return reverse("frontend:room", args=[slug])
    except NoReverseMatch:
        return f"/raeume/{slug}/"


@register.filter
def public_only(circles: Any) -> list[Any]:
    """The public circles of an already fetched list (no query): what anyone may enter."""
    return [c for c in circles if c.is_public]
