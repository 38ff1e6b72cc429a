"""JSON request bodies with bounds: at most ``API_JSON_MAX_BYTES`` bytes and
``API_JSON_MAX_DEPTH`` levels of arrays and objects.

Without them a body like ``[[[[…]]]]`` a few thousand levels deep ends in a ``RecursionError``
(a 500) in the decoder or in whatever walks the data next, and a huge body is read into
memory whole. Both are refused with a 400 in the API's error shape,
``{"code": "invalid", "detail": …}``, before any view sees the data.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.settings import api_settings


def _refuse(detail: str) -> exceptions.ParseError:
    return exceptions.ParseError(detail=detail, code="invalid")


def _reject_constant(name: str) -> None:
    # NaN and ±Infinity are not JSON (DRF refuses them the same way with STRICT_JSON)
    raise ValueError(f"{name} is not valid JSON")


def depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests arrays and objects deeper than ``limit`` (iterative, so a deep
    value cannot exhaust the stack here either)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class BoundedJSONParser(JSONParser):
    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = int(settings.API_JSON_MAX_BYTES)
        max_depth = int(settings.API_JSON_MAX_DEPTH)
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise _refuse(
                _("Der Inhalt ist zu groß: höchstens %(limit)d Bytes JSON.") % {"limit": limit}
            )
        try:
            text = raw.decode(encoding)
            data = json.loads(
                text,
                parse_constant=_reject_constant if api_settings.STRICT_JSON else None,
            )
        except RecursionError:
            raise _refuse(self._too_deep(max_depth)) from None
        except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise exceptions.ParseError(_("Ungültiges JSON: %(error)s") % {"error": exc}) from None
        if depth_exceeds(data, max_depth):
            raise _refuse(self._too_deep(max_depth))
        return data

    @staticmethod
    def _too_deep(limit: int) -> str:
        return _("Das JSON ist zu tief verschachtelt: höchstens %(limit)d Ebenen.") % {
            "limit": limit
        }
