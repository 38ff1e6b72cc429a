"""Word-level differences between two texts, for comparing versions of a goal.

The texts are split into words, punctuation and the whitespace between them (so the output
reproduces both texts exactly), compared with :mod:`difflib`, and returned as structured
operations and as HTML. The HTML marks changes with ``<ins>``/``<del>`` and adds visually
hidden text ("[eingefügt: …]", "[gelöscht: …]") so the change reads without colour and in a
screen reader.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Op = Literal["equal", "insert", "delete"]

# Words, runs of whitespace, and single punctuation marks: "Zwei." → "Zwei und drei." keeps
# "Zwei" and "." and inserts " und drei".
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")


@dataclass(frozen=True)
class DiffOp:
    op: Op
    text: str

    def as_dict(self) -> dict[str, str]:
        return {"op": self.op, "text": self.text}


def tokenize(text: str) -> list[str]:
    """Words, whitespace runs and punctuation marks; ``"".join(tokenize(t)) == t``."""
    return _TOKEN.findall(text.replace("\r\n", "\n"))


def _is_space(text: str) -> bool:
    return not text.strip()


def diff_words(old: str, new: str) -> list[DiffOp]:
    """The operations that turn ``old`` into ``new``, word by word.

    Joining the ``equal`` and ``delete`` texts gives ``old``; ``equal`` and ``insert`` give
    ``new``. Within one change the deletion comes first. Whitespace alone does not split a
    change: "a b c" → "x y z" is one deletion and one insertion, not three of each, because
    that is how a reader sees it.
    """
    a, b = tokenize(old), tokenize(new)
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    raw = [  # (changed, old text, new text)
        (tag != "equal", "".join(a[i1:i2]), "".join(b[j1:j2]))
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
    ]

    # Fold equal runs of pure whitespace that sit between two changes into the change.
    merged: list[tuple[bool, str, str]] = []
    for index, (changed, old_part, new_part) in enumerate(raw):
        if (
            not changed
            and _is_space(old_part)
            and 0 < index < len(raw) - 1
            and raw[index - 1][0]
            and raw[index + 1][0]
        ):
            changed = True
        if merged and merged[-1][0] == changed:
            _flag, prev_old, prev_new = merged[-1]
            merged[-1] = (changed, prev_old + old_part, prev_new + new_part)
        else:
            merged.append((changed, old_part, new_part))

    ops: list[DiffOp] = []
    for changed, old_part, new_part in _words_first(merged):
        if not changed:
            if old_part:
                ops.append(DiffOp("equal", old_part))
            continue
        if old_part:
            ops.append(DiffOp("delete", old_part))
        if new_part:
            ops.append(DiffOp("insert", new_part))
    return ops


def _words_first(runs: list[tuple[bool, str, str]]) -> list[tuple[bool, str, str]]:
    """Slide a pure insertion or deletion that begins with whitespace to begin with its first
    word instead, when the text after it begins with the same whitespace ("Kitas[+ und
    Horte] bieten" → "Kitas [+und Horte ]bieten"): both are correct, the second reads better
    with the hidden markers and in a screen reader."""
    result = list(runs)
    for index, (changed, old_part, new_part) in enumerate(result):
        if not changed or (old_part and new_part) or index + 1 >= len(result):
            continue
        part = old_part or new_part
        lead = part[: len(part) - len(part.lstrip())]
        after = result[index + 1][1]
        if not lead or lead == part or not after.startswith(lead):
            continue
        moved = part[len(lead) :] + lead
        result[index] = (True, moved if old_part else "", moved if new_part else "")
        rest = after[len(lead) :]
        result[index + 1] = (False, rest, rest)
        if index > 0:
            _flag, before, _same = result[index - 1]
            result[index - 1] = (False, before + lead, before + lead)
        else:
            result.insert(0, (False, lead, lead))
    return result


def _marked(tag: str, label: str, text: str) -> str:
    return (
        f'<{tag}><span class="visually-hidden">[{escape(label)}: </span>'
        f'{escape(text)}<span class="visually-hidden">]</span></{tag}>'
    )


def render_html(ops: list[DiffOp]) -> SafeString:
    """The operations as HTML: escaped text, ``<ins>``/``<del>`` with hidden markers.

    Line breaks stay as characters: show it in an element with ``white-space: pre-wrap``."""
    inserted, deleted = _("eingefügt"), _("gelöscht")
    parts: list[str] = []
    for op in ops:
        if op.op == "equal":
            parts.append(str(escape(op.text)))
        elif op.op == "insert":
            parts.append(_marked("ins", inserted, op.text))
        else:
            parts.append(_marked("del", deleted, op.text))
    return mark_safe("".join(parts))  # noqa: S308 - every piece of user text is escaped above


@dataclass(frozen=True)
class TextDiff:
    ops: list[DiffOp]

    @property
    def html(self) -> SafeString:
        return render_html(self.ops)

    @property
    def changed(self) -> bool:
        return any(op.op != "equal" for op in self.ops)

    @property
    def words_inserted(self) -> int:
        return sum(_count_words(op.text) for op in self.ops if op.op == "insert")

    @property
    def words_deleted(self) -> int:
        return sum(_count_words(op.text) for op in self.ops if op.op == "delete")

    def as_dict(self) -> dict[str, object]:
        return {
            "ops": [op.as_dict() for op in self.ops],
            "html": str(self.html),
            "words_inserted": self.words_inserted,
            "words_deleted": self.words_deleted,
        }


def _count_words(text: str) -> int:
    return len(text.split())


def text_diff(old: str, new: str) -> TextDiff:
    return TextDiff(diff_words(old, new))
