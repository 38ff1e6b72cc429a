"""The one pagination every list of the REST API uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` paging with a ceiling: an unbounded ``limit`` would let one request
    read a whole table (and overflow the database's LIMIT)."""

    max_limit = 500


def paginated(
    request: Request,
    view: Any,
    rows: Any,
    serialize: Callable[[Sequence[Any]], Any],
) -> Response:
    """``{"count", "next", "previous", "results"}`` for a list an ``APIView`` builds itself
    (a queryset or a list); ``serialize`` turns the page's rows into JSON-able data. The view
    sets ``pagination_class = Pagination`` so the schema documents the envelope."""
    paginator = Pagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serialize(page or []))


_PAGES: dict[type[Any], type[serializers.Serializer]] = {}


def page_of(item: type[serializers.Serializer]) -> type[serializers.Serializer]:
    """The schema of a page of ``item`` (for a view whose other methods answer plain lists,
    where ``pagination_class`` would wrap those too)."""
    if item not in _PAGES:
        _PAGES[item] = type(
            f"{item.__name__.removesuffix('Output')}Page",
            (serializers.Serializer,),
            {
                "count": serializers.IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": item(many=True),
            },
        )
    return _PAGES[item]
