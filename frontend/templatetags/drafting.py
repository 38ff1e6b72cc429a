"""Template helpers for drafts: the version's numbered lines (``deliberation.lines``, the one
line breaking every rendering uses) and its plain-language twin (``deliberation.plain``)."""

from __future__ import annotations

from typing import Any

from django import template

from deliberation import lines, plain

register = template.Library()


@register.filter
def numbered_lines(version: Any) -> list[lines.NumberedParagraph]:
    return lines.numbered(version.text) if version is not None else []


@register.simple_tag
def plain_twin(version: Any) -> dict[str, Any] | None:
    return plain.plain_data(version) if version is not None else None


@register.simple_tag
def may_write_plain(user: Any, goal: Any) -> bool:
    return plain.may_write_plain(user, goal)
