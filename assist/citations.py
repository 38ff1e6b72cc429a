"""The citation rule of the evaluation assistant, pure: every sentence of a summary cites the
feedback it rests on, as ``[c12]`` or ``[c12, i3, a7]``, and only feedback of the round.

``check(text, allowed)`` splits the text into sentences and returns the problems, one per
offending sentence; an empty list means the text may be published."""

from __future__ import annotations

import re
from dataclasses import dataclass

CITATION = re.compile(r"\[\s*([a-z]\d+(?:\s*,\s*[a-z]\d+)*)\s*\]")
_REF = re.compile(r"[a-z]\d+")
# Abbreviations whose full stop does not end a sentence (German first, then English).
_ABBREVIATIONS = (
    "z. B.", "z.B.", "d. h.", "d.h.", "u. a.", "u.a.", "bzw.", "ca.", "Nr.", "vgl.", "usw.",
    "etc.", "ggf.", "inkl.", "evtl.", "Dr.", "e.g.", "i.e.", "No.",
)  # fmt: skip
_SHIELD = "\u2024"  # one dot leader stands in for an abbreviation's full stop while splitting


@dataclass(frozen=True)
class Problem:
    sentence: str
    kind: str  # "uncited" | "unknown"
    refs: tuple[str, ...] = ()


def sentences(text: str) -> list[str]:
    """The sentences of ``text``: split after ``.``, ``!`` or ``?`` (a citation right after
    the full stop still belongs to its sentence) and at line breaks; list markers and empty
    lines are not sentences."""
    shielded = text
    for abbreviation in _ABBREVIATIONS:
        shielded = shielded.replace(abbreviation, abbreviation.replace(".", _SHIELD))
    # "… stimmen zu. [c1, c2]" → "… stimmen zu [c1, c2]."
    shielded = re.sub(r"([.!?])\s*(\[[^\]\n]*\])", r" \2\1", shielded)
    found: list[str] = []
    for line in shielded.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        for part in re.split(r"(?<=[.!?])\s+", line):
            part = part.strip()
            if part:
                found.append(part.replace(_SHIELD, "."))
    return found


def cited(sentence: str) -> list[str]:
    return [ref for group in CITATION.findall(sentence) for ref in _REF.findall(group)]


def check(text: str, allowed: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for sentence in sentences(text):
        refs = cited(sentence)
        if not refs:
            problems.append(Problem(sentence, "uncited"))
            continue
        unknown = tuple(ref for ref in refs if ref not in allowed)
        if unknown:
            problems.append(Problem(sentence, "unknown", unknown))
    return problems
