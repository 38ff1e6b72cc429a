"""Change proposals on a goal's text, as pure text work (no database): where each paragraph
of a version stands in its text, applying accepted proposals exactly, and telling which
change between two versions came from which proposal.

Paragraphs are counted as everywhere (``kernel.rendering.split_paragraphs``: blocks between
blank lines, stripped, empty ones skipped); a proposal names its passage as
``paragraph`` (1-based), ``start``, ``end`` (character offsets in that paragraph's text, end
exclusive, as a Python slice).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kernel.rendering import split_paragraphs

_BLOCK_GAP = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Span:
    """A proposal's passage and the wording that replaces it."""

    id: int
    paragraph: int
    start: int
    end: int
    text: str = ""


def paragraph_offsets(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every paragraph within ``text`` (after ``\\r\\n`` → ``\\n``), so that
    ``text[start:end] == split_paragraphs(text)[i]``."""
    normal = text.replace("\r\n", "\n")
    offsets: list[tuple[int, int]] = []
    position = 0
    for block in normal.split("\n\n"):
        stripped = block.strip()
        if stripped:
            start = position + (len(block) - len(block.lstrip()))
            offsets.append((start, start + len(stripped)))
        position += len(block) + 2
    assert [normal[a:b] for a, b in offsets] == split_paragraphs(text)
    return offsets


def overlaps(a: Span, b: Span) -> bool:
    """Two passages of the same paragraph share at least one character."""
    return a.paragraph == b.paragraph and a.start < b.end and b.start < a.end


def conflict_map(spans: Sequence[Span]) -> dict[int, list[int]]:
    """For every span, the ids of the others it overlaps (empty list: none)."""
    result: dict[int, list[int]] = {span.id: [] for span in spans}
    for index, a in enumerate(spans):
        for b in spans[index + 1 :]:
            if overlaps(a, b):
                result[a.id].append(b.id)
                result[b.id].append(a.id)
    return {key: sorted(value) for key, value in result.items()}


class OverlapError(ValueError):
    """Two spans to apply overlap: ``pairs`` names them."""

    def __init__(self, pairs: list[tuple[int, int]]) -> None:
        super().__init__(pairs)
        self.pairs = pairs


class SpanError(ValueError):
    """A span does not fit the text (``span`` names it)."""

    def __init__(self, span: Span) -> None:
        super().__init__(span.id)
        self.span = span


def apply_spans(text: str, spans: Sequence[Span]) -> str:
    """``text`` with every span's passage replaced by its wording.

    Within each paragraph the replacements go from the end backwards, so the offsets of the
    ones before stay valid; the blank lines between paragraphs stay as they were. Overlapping
    spans raise ``OverlapError`` (naming every overlapping pair), a span outside its
    paragraph ``SpanError``; nothing is applied then."""
    pairs = [
        (a.id, b.id) for index, a in enumerate(spans) for b in spans[index + 1 :] if overlaps(a, b)
    ]
    if pairs:
        raise OverlapError(sorted(tuple(sorted(p)) for p in pairs))  # type: ignore[misc]
    normal = text.replace("\r\n", "\n")
    offsets = paragraph_offsets(normal)
    absolute: list[tuple[int, int, str]] = []
    for span in spans:
        if not 1 <= span.paragraph <= len(offsets):
            raise SpanError(span)
        p_start, p_end = offsets[span.paragraph - 1]
        if not 0 <= span.start <= span.end <= p_end - p_start:
            raise SpanError(span)
        absolute.append((p_start + span.start, p_start + span.end, span.text))
    result = normal
    for start, end, wording in sorted(absolute, reverse=True):
        result = result[:start] + wording + result[end:]
    return result


def attribute_ops(
    old_text: str, ops: Sequence[tuple[str, str]], spans: Sequence[Span]
) -> list[int | None]:
    """For each diff operation ``(op, text)`` that turns ``old_text`` into the new text, the
    id of the span (in ``old_text``) it falls in, or None: a deletion inside a span's passage,
    an insertion at a place within or at the edge of one."""
    offsets = paragraph_offsets(old_text)
    ranges: list[tuple[int, int, int]] = []
    for span in spans:
        if 1 <= span.paragraph <= len(offsets):
            p_start = offsets[span.paragraph - 1][0]
            ranges.append((p_start + span.start, p_start + span.end, span.id))
    result: list[int | None] = []
    position = 0
    for op, text in ops:
        found: int | None = None
        if op == "delete":
            end = position + len(text)
            for start, stop, span_id in ranges:
                if start < end and position < stop:
                    found = span_id
                    break
            position = end
        elif op == "insert":
            for start, stop, span_id in ranges:
                if start <= position <= stop:
                    found = span_id
                    break
        else:
            position += len(text)
        result.append(found)
    return result


def traced_html(ops: Sequence[tuple[str, str]], marks: Sequence[int | None]) -> str:
    """A word diff as HTML (``<ins>``/``<del>`` with hidden markers, as
    ``deliberation.rounds.diff.render_html``), each change that came from a proposal followed
    by a link to it ("Vorschlag 3", ``#vorschlag-3``). All text is escaped here."""
    from django.utils.html import escape
    from django.utils.translation import gettext as _

    inserted, deleted = _("eingefügt"), _("gelöscht")
    parts: list[str] = []
    for index, ((op, text), mark) in enumerate(zip(ops, marks, strict=True)):
        if op == "equal":
            parts.append(str(escape(text)))
            continue
        tag, label = ("ins", inserted) if op == "insert" else ("del", deleted)
        parts.append(
            f'<{tag}><span class="visually-hidden">[{escape(label)}: </span>'
            f'{escape(text)}<span class="visually-hidden">]</span></{tag}>'
        )
        following = marks[index + 1] if index + 1 < len(marks) else None
        next_op = ops[index + 1][0] if index + 1 < len(ops) else "equal"
        if mark is not None and not (following == mark and next_op != "equal"):
            name = escape(_("Vorschlag %(n)s") % {"n": mark})
            parts.append(f'<sup class="diff-source"><a href="#vorschlag-{mark}">{name}</a></sup>')
    return "".join(parts)
