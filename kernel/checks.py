"""Input checks every service shares: whole numbers that fit an id column, lists of them, and
text that a person can read.

Text is refused (``Invalid``, never a database error) when it holds characters no database
or person can use: NUL (PostgreSQL cannot store it in a text column) and lone surrogates
(not encodable as UTF-8). Text that consists only of invisible characters (spaces, zero-width
spaces, joiners, the byte-order mark, …) counts as empty.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from kernel.errors import Invalid

ID_MAX = 2**63 - 1  # the largest value of a database id column

# Control characters other than tab, newline and carriage return; NUL among them.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Characters that render as nothing: format characters (Cf: zero-width space and joiners,
# word joiner, BOM, bidi marks), the Hangul and Braille fillers, and every kind of space.
_INVISIBLE_EXTRA = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f")


def integer(value: Any, field: str) -> int:
    """A whole number within a database id column's range (``True`` is not a number)."""
    if not isinstance(value, int) or isinstance(value, bool) or not -ID_MAX <= value <= ID_MAX:
        raise Invalid(_("%(field)s muss eine ganze Zahl sein.") % {"field": field}, field=field)
    return value


def optional_id(value: Any, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= ID_MAX:
        raise Invalid(_("%(field)s muss eine Zahl sein.") % {"field": field}, field=field)
    return value


def integer_list(values: Any, field: str) -> list[int]:
    """Distinct whole numbers in the order given."""
    if values is None:
        return []
    if not isinstance(values, list | tuple):
        raise Invalid(
            _("%(field)s muss eine Liste von Zahlen sein.") % {"field": field}, field=field
        )
    return list(dict.fromkeys(integer(v, field) for v in values))


def is_blank(value: str) -> bool:
    """True when nothing of ``value`` would be visible to a reader."""
    return all(
        ch.isspace() or ch in _INVISIBLE_EXTRA or unicodedata.category(ch) in ("Cf", "Zs")
        for ch in value
    )


def unusable_character(value: str) -> str | None:
    """The first character of ``value`` that cannot be stored or read, or ``None``."""
    match = _CONTROL.search(value) or _SURROGATE.search(value)
    return match.group(0) if match else None


def text(
    value: Any,
    field: str,
    *,
    label: str,
    required: bool,
    max_length: int | None,
    strip: bool = True,
) -> str:
    """Text for ``field`` (``label`` names it to a person): stripped, at most ``max_length``
    characters (``None``: the caller checks the length), refused when it holds NUL, other
    control characters or lone surrogates; when ``required``, refused when it is empty or
    invisible (invisible text that is not required becomes "")."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(label)s muss Text sein.") % {"label": label}, field=field)
    bad = unusable_character(value)
    if bad is not None:
        raise Invalid(
            _("%(label)s enthält ein Zeichen, das nicht gespeichert werden kann (U+%(code)04X).")
            % {"label": label, "code": ord(bad)},
            field=field,
        )
    if strip:
        value = value.strip()
    if is_blank(value):
        if required:
            raise Invalid(_("%(label)s fehlt.") % {"label": label}, field=field)
        value = ""
    if max_length is not None and len(value) > max_length:
        raise Invalid(
            _("%(label)s darf höchstens %(n)s Zeichen lang sein.")
            % {"label": label, "n": max_length},
            field=field,
        )
    return value
