"""Errors the domain raises. The web layer turns each into an RFC 9457 problem+json answer."""

from __future__ import annotations

from typing import Any


class MosaicError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class Invalid(MosaicError):
    status = 422
    title = "Invalid input"


class NotFound(MosaicError):
    """Also what a person gets for something they may not see: existence is not disclosed."""

    status = 404
    title = "Not found"


class Unauthorized(MosaicError):
    status = 401
    title = "Sign-in required"


class Forbidden(MosaicError):
    status = 403
    title = "Not allowed"


class Conflict(MosaicError):
    status = 409
    title = "Conflict"


class TooMany(MosaicError):
    status = 429
    title = "Too many requests"


class Unavailable(MosaicError):
    status = 503
    title = "Temporarily unavailable"
