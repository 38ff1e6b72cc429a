"""Template tags of the assistance, for pages of other apps that show its results without
importing it: the approved summaries on a round's report, the translate module's script."""

from __future__ import annotations

from typing import Any

from django import template
from django.templatetags.static import static
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from assist.citations import CITATION
from assist.feedback import KIND_OF_PREFIX, ref
from assist.summaries import published_summaries
from assist.translation import translation_enabled

register = template.Library()


@register.inclusion_tag("assist/_published.html")
def assist_round_summaries(round_: Any) -> dict[str, Any]:
    """The approved summaries of ``round_``, each marked as machine-drafted with who approved
    it. Precondition: the page already checked that the viewer may see the round."""
    return {"summaries": list(published_summaries(round_).values())}


@register.filter
def feedback_ref(item: Any) -> str:
    """``c12``, ``i3``, ``a7``, ``p5``: how summaries and clusters name a piece of feedback."""
    return ref(item)


@register.filter
def cite_links(text: str) -> SafeString:
    """The summary's text, escaped, with each citation linked to its item on the report."""

    def link(ref: str) -> str:
        kind = KIND_OF_PREFIX.get(ref[0], "")
        return f'<a href="#rueckmeldung-{kind}-{ref[1:]}">{escape(ref)}</a>'

    parts: list[str] = []
    last = 0
    for match in CITATION.finditer(text):
        parts.append(str(escape(text[last : match.start()])))
        refs = [r.strip() for r in match.group(1).split(",")]
        parts.append("[" + ", ".join(link(r) for r in refs) + "]")
        last = match.end()
    parts.append(str(escape(text[last:])))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped above


@register.simple_tag
def assist_translate_script() -> str:
    """The translate module, only when a translator is configured: with none, no button."""
    if not translation_enabled():
        return ""
    return format_html('<script type="module" src="{}"></script>', static("assist/translate.js"))
