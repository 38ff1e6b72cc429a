"""Domain errors. Doors translate them: HTTP status in the API, error frames in rooms."""

from __future__ import annotations


class DomainError(Exception):
    """Base class; ``code`` is the protocol's error code, ``message`` is for humans."""

    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.field = field


class Invalid(DomainError):
    code = "invalid"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class RateLimited(DomainError):
    code = "rate_limited"
