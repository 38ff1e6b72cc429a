"""Markdown to safe HTML: markdown-it-py renders, nh3 sanitises (no scripts, no handlers)."""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
    "h3", "h4", "h5", "h6", "del", "s",
}  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href", "title"}, "ol": {"start"}}


@lru_cache(maxsize=1)
def _md() -> MarkdownIt:
    # commonmark without raw HTML: users' HTML is shown as text, never interpreted
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        "strikethrough"
    )


@lru_cache(maxsize=2048)
def render_markdown(source: str) -> str:
    """Safe HTML for ``source``. Pure, so memoised: goal texts and their paragraphs are read
    far more often than they change (rendering was 30 % of ``GET /api/v1/goals/``)."""
    html = _md().render(source)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    ).strip()


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of a goal version, as anchors count them (1-based in the protocol)."""
    return [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]


@lru_cache(maxsize=4096)
def render_inline(source: str) -> str:
    """Safe inline HTML for one line of a text (emphasis, code, links; never a block): the
    numbered lines of a version (``deliberation.lines``)."""
    return nh3.clean(
        _md().renderInline(source),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    ).strip()
