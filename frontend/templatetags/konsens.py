"""Small template helpers for the public pages: Markdown, people's names, room links."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, get_language_bidi
from django.utils.translation import gettext as _

from kernel.rendering import render_markdown

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


@register.simple_tag
def content_lang() -> str:
    """`` lang="de"`` for an element holding the concept's own text while the interface speaks
    another language, so screen readers pronounce it right (WCAG 2.1, 3.1.2 Language of Parts).
    The concept's texts are written in the site's default language."""
    content = settings.LANGUAGE_CODE
    if (get_language() or content).split("-")[0] == content.split("-")[0]:
        return ""
    if get_language_bidi():
        # German text in a right-to-left page keeps its own direction (its full stop at the
        # end, not at the far left): dir also isolates it from the Arabic around it.
        return format_html(' lang="{}" dir="ltr"', content)
    return format_html(' lang="{}"', content)


_labels: dict[tuple[type, str, str], dict[Any, str]] = {}


@register.filter
def choice_label(obj: Any, name: str) -> str:
    """``obj.get_<name>_display()`` for lists: the choices' labels translated once per model,
    field and language (``get_FOO_display`` rebuilds and hashes the choices on every call,
    which cost the concept page more than a query)."""
    key = (type(obj), name, get_language() or "")
    labels = _labels.get(key)
    if labels is None:
        field = obj._meta.get_field(name)
        labels = _labels[key] = {value: str(label) for value, label in field.flatchoices}
    value = getattr(obj, name)
    return labels.get(value, str(value))


@register.simple_tag
def status_badge(obj: Any) -> str:
    """``_status.html`` for lists (the concept page's goals): the same markup from one call
    instead of an ``{% include %}`` per item."""
    return format_html(
        '<span class="status status--{}"><span class="visually-hidden">{} </span>{}</span>',
        obj.status,
        _("Status:"),
        choice_label(obj, "status"),
    )
