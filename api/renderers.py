"""The API's JSON renderer: DRF's, with every moment that reaches it unserialised (a raw
``datetime`` in a view's dict) in the one format of ``kernel.times``: UTC, ``…+00:00``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder as DrfJSONEncoder

from kernel.times import utc_iso


class UtcJSONEncoder(DrfJSONEncoder):
    def default(self, obj: Any) -> Any:
        if isinstance(obj, datetime):
            return utc_iso(obj)
        return super().default(obj)


class JSONRenderer(renderers.JSONRenderer):
    encoder_class = UtcJSONEncoder
