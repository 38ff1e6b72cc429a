"""The one pagination every list of the REST API uses."""

from __future__ import annotations

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` paging with a ceiling: an unbounded ``limit`` would let one request
    read a whole table (and overflow the database's LIMIT)."""

    max_limit = 500
