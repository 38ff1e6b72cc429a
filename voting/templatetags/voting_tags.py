"""Template helpers of the vote pages."""

from __future__ import annotations

from typing import Any

from django import template

from voting import presentation

register = template.Library()


@register.filter
def choice_hint(choice: Any) -> str:
    """The one-line explanation of a ballot choice (consent method)."""
    return str(presentation.CHOICE_HINTS.get(str(choice), ""))


@register.filter
def choice_label(choice: str, method: str) -> str:
    return presentation.choice_label(method, choice)


@register.filter
def startswith(value: str, prefix: str) -> bool:
    return str(value).startswith(prefix)
