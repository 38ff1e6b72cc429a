"""Finding a quoted passage again in a later version of a text (pure functions, no ORM).

The approach of Hypothesis' anchoring: a passage is kept as its quote with up to 64
characters of context on either side. In the new text we look, in this order, for the quote
with its context, then for the quote alone, then for a bounded fuzzy match of the quote. The
result is ``carried`` (the same quote in the paragraph that corresponds to the old one),
``moved`` (found elsewhere, or found with changed wording) or ``orphaned`` (gone).

Bounded whatever a user sends: quotes are at most 500 characters and contexts 64; exact
search is ``str.find`` over the text; the fuzzy step slides over at most ``FUZZY_BUDGET``
word windows counting shared words and compares word sequences for the best three only; the
paragraph alignment falls back to "same number" beyond ``ALIGN_MAX`` paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

CONTEXT = 64
QUOTE_MAX = 500
FUZZY_BUDGET = 4000
FUZZY_MIN_RATIO = 0.75
ALIGN_MAX = 400
OCCURRENCES_MAX = 50

State = Literal["carried", "moved", "orphaned"]
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Anchor:
    """A passage of the old text: ``paragraph`` 1-based, ``quote`` with its context."""

    paragraph: int
    quote: str
    prefix: str = ""
    suffix: str = ""


@dataclass(frozen=True)
class Placement:
    state: State
    paragraph: int | None = None  # 1-based in the new text
    start: int | None = None  # character offsets in that paragraph, end exclusive
    end: int | None = None


ORPHANED = Placement("orphaned")


def context_of(paragraph: str, quote: str, *, prefix_hint: str = "") -> tuple[str, str]:
    """The prefix and suffix of ``quote`` in ``paragraph`` (the occurrence whose text before
    it ends with ``prefix_hint`` if there is one, else the first); empty if not found."""
    if not quote:
        return "", ""
    starts = _occurrences(paragraph, quote)
    if not starts:
        return "", ""
    start = next((s for s in starts if prefix_hint and _before(paragraph, s) == prefix_hint), None)
    if start is None:
        start = next(
            (s for s in starts if prefix_hint and _before(paragraph, s).endswith(prefix_hint)),
            starts[0],
        )
    return _before(paragraph, start), paragraph[start + len(quote) : start + len(quote) + CONTEXT]


def align(old: list[str], new: list[str]) -> dict[int, int]:
    """Old paragraph index → the new paragraph that takes its place (0-based): equal
    paragraphs and paragraphs replaced one for one in the diff of the two lists."""
    if len(old) > ALIGN_MAX or len(new) > ALIGN_MAX:
        return {i: i for i in range(min(len(old), len(new)))}
    mapping: dict[int, int] = {}
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            mapping.update({i1 + k: j1 + k for k in range(i2 - i1)})
        elif tag == "replace":
            # Uneven replacement: map the first paragraphs in order, as far as they go.
            mapping.update({i1 + k: j1 + k for k in range(min(i2 - i1, j2 - j1))})
    return mapping


def place(
    anchor: Anchor, old: list[str], new: list[str], *, mapping: dict[int, int] | None = None
) -> Placement:
    """Where ``anchor`` (on the paragraphs ``old``) stands in the paragraphs ``new``;
    ``mapping``: ``align(old, new)``, when placing many anchors at once."""
    quote = anchor.quote[:QUOTE_MAX]
    if not quote.strip():
        return ORPHANED
    home = (align(old, new) if mapping is None else mapping).get(anchor.paragraph - 1)
    prefix, suffix = anchor.prefix[-CONTEXT:], anchor.suffix[:CONTEXT]
    # 1 and 2: the exact quote, best context first, at home before elsewhere.
    best: tuple[int, int, int, int] | None = None  # (score, -distance, paragraph, start)
    for index, paragraph in enumerate(new):
        for start in _occurrences(paragraph, quote):
            score = 0
            if prefix and _before(paragraph, start).endswith(prefix):
                score += 2
            if suffix and paragraph[start + len(quote) :].startswith(suffix):
                score += 2
            if index == home:
                score += 1
            distance = abs(index - (home if home is not None else anchor.paragraph - 1))
            candidate = (score, -distance, index, start)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is not None:
        _, _, index, start = best
        state: State = "carried" if index == home else "moved"
        return Placement(state, index + 1, start, start + len(quote))
    # 3: a bounded fuzzy match; found with other wording counts as moved.
    found = _fuzzy(quote, new)
    if found is None:
        return ORPHANED
    index, start, end = found
    return Placement("moved", index + 1, start, end)


def _before(paragraph: str, start: int) -> str:
    return paragraph[max(0, start - CONTEXT) : start]


def _occurrences(text: str, quote: str) -> list[int]:
    starts: list[int] = []
    at = text.find(quote)
    while at != -1 and len(starts) < OCCURRENCES_MAX:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def _words(text: str) -> list[tuple[int, int]]:
    """(start, end) of each whitespace-separated word."""
    return [m.span() for m in _WORD.finditer(text)]


def _fuzzy(quote: str, new: list[str]) -> tuple[int, int, int] | None:
    """The best approximate match of ``quote``: word windows of about its length, scored by
    the words they share with it (a sliding count, one step per window, at most
    ``FUZZY_BUDGET`` windows); the word-by-word comparison only for the best three."""
    wanted = quote.lower().split()
    if not wanted:
        return None
    want = Counter(wanted)
    size = len(wanted)
    scored: list[tuple[int, int, int, int]] = []  # (overlap, paragraph, first, last word)
    budget = FUZZY_BUDGET
    words_of: dict[int, list[str]] = {}
    for index, paragraph in enumerate(new):
        words = [w.lower() for w in paragraph.split()]
        words_of[index] = words
        for width in sorted({max(1, size - 1), size, size + 1}):
            if len(words) < width or budget <= 0:
                continue
            window = Counter(words[:width])
            overlap = sum(min(n, want[w]) for w, n in window.items())
            for first in range(len(words) - width + 1):
                if first:
                    gone, come = words[first - 1], words[first + width - 1]
                    if window[gone] <= want[gone]:
                        overlap -= 1
                    window[gone] -= 1
                    if window[come] < want[come]:
                        overlap += 1
                    window[come] += 1
                if overlap * 2 >= size:
                    scored.append((overlap, index, first, first + width - 1))
                budget -= 1
                if budget <= 0:
                    break
    scored.sort(key=lambda s: -s[0])
    best: tuple[float, int, int, int] | None = None
    for _overlap, index, first, last in scored[:3]:
        spans = _words(new[index])
        start, end = spans[first][0], spans[last][1]
        # By words, not characters: at most ~170 a side whatever the text repeats.
        ratio = SequenceMatcher(None, wanted, words_of[index][first : last + 1]).ratio()
        if ratio >= FUZZY_MIN_RATIO and (best is None or ratio > best[0]):
            best = (ratio, index, start, end)
    return None if best is None else best[1:]
