"""Line numbers of a version, computed once on the server so "Zeile 12" names the same line
in every rendering (goal page, room, projector, print, Markdown export).

As Antragsgrün does: each paragraph's text is wrapped at ``WIDTH`` characters, words never
split; a line break inside a paragraph (a list item, say) starts a new line; numbering runs
through the whole version. Pure functions, no ORM.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from kernel.rendering import render_inline, split_paragraphs

WIDTH = 80
# "Zeile 12", "Z. 12", "line 12", "l. 12" in a comment: a citation of that line.
CITATION = re.compile(r"\b(Zeilen?|Z\.|lines?|l\.)\s?(\d{1,4})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Line:
    number: int
    text: str  # Markdown source of the line

    @property
    def html(self) -> str:
        """The line's inline Markdown as safe HTML (emphasis split by a wrap stays literal)."""
        return render_inline(self.text)


@dataclass(frozen=True)
class NumberedParagraph:
    number: int  # 1-based, as anchors count paragraphs
    lines: list[Line]

    @property
    def first(self) -> int:
        return self.lines[0].number

    @property
    def last(self) -> int:
        return self.lines[-1].number


def wrap(paragraph: str, width: int = WIDTH) -> list[str]:
    out: list[str] = []
    for source_line in paragraph.split("\n"):
        source_line = source_line.strip()
        if not source_line:
            continue
        out.extend(
            textwrap.wrap(source_line, width=width, break_long_words=False, break_on_hyphens=False)
            or [source_line]
        )
    return out


def numbered(text: str, width: int = WIDTH) -> list[NumberedParagraph]:
    """The paragraphs of ``text`` with their numbered lines."""
    result: list[NumberedParagraph] = []
    number = 0
    for index, paragraph in enumerate(split_paragraphs(text or ""), start=1):
        lines = []
        for line in wrap(paragraph, width):
            number += 1
            lines.append(Line(number, line))
        result.append(NumberedParagraph(index, lines))
    return result


def as_payload(text: str) -> list[list[list[int | str]]]:
    """Per paragraph, ``[[number, text, html], ...]`` (a version's ``lines`` in the protocol)."""
    return [[[line.number, line.text, line.html] for line in p.lines] for p in numbered(text)]


def as_markdown(text: str) -> str:
    """The version as Markdown with its line numbers: one numbered line each, paragraphs
    separated by a blank line (a hard break ends each line, so it renders as it prints)."""
    blocks = []
    for paragraph in numbered(text):
        width = len(str(paragraph.last))
        blocks.append(
            "  \n".join(f"`{line.number:>{width}}` {line.text}" for line in paragraph.lines)
        )
    return "\n\n".join(blocks) + "\n" if blocks else ""
