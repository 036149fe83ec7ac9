"""RFC 9457 problem details for every error, so no client ever sees a traceback."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from dream_mosaic.core.errors import MosaicError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api/") and "text/html" in request.headers.get("accept", "")


def _html(request: Request, status: int, title: str, detail: str) -> Response:
    from dream_mosaic.core.pages import render

    return render(request, "error.html", {"status": status, "title": title, "detail": detail}, status=status)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "request"


def describe(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    out = []
    for err in errors:
        kind = err.get("type", "")
        msg = str(err.get("msg", "is not valid"))
        if kind == "json_invalid":
            msg = "The request body is not valid JSON."
        elif kind == "extra_forbidden":
            msg = "This field is not known; remove it."
        elif kind == "missing":
            msg = "This field is required."
        msg = msg.removeprefix("Value error, ")
        out.append({"field": _field(tuple(err.get("loc", ()))), "message": msg})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(MosaicError)
    async def _domain(request: Request, exc: MosaicError) -> Response:
        if _wants_html(request):
            return _html(request, exc.status, exc.title, exc.detail)
        response = problem(exc.status, exc.title, exc.detail, **exc.extra)
        if "retry_after" in exc.extra:
            response.headers["Retry-After"] = str(exc.extra["retry_after"])
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = describe(list(exc.errors()))
        body_unreadable = any(e["message"] == "The request body is not valid JSON." for e in errors)
        status = 400 if body_unreadable else 422
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        if _wants_html(request):
            return _html(request, status, "That did not look right", summary)
        return problem(status, "Malformed request" if status == 400 else "Invalid input", summary, errors=errors)

    @app.exception_handler(ValidationError)
    async def _model_invalid(request: Request, exc: ValidationError) -> Response:
        errors = describe(list(exc.errors()))  # type: ignore[arg-type]
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return problem(422, "Invalid input", summary, errors=errors)

    @app.exception_handler(DataError)
    async def _unstorable(request: Request, exc: DataError) -> Response:
        # The database refused a value (PostgreSQL: a NUL character, a number out of range, a string
        # too long): that is input we cannot store or search, not a crash. Logged, in case it is ours.
        log.warning("database refused a value on %s %s: %s", request.method, request.url.path, exc.orig)
        detail = ("Part of this request cannot be stored or searched (for example a NUL character or a "
                  "number out of range). Nothing was saved.")
        if _wants_html(request):
            return _html(request, 422, "That did not look right", detail)
        return problem(422, "Invalid input", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        titles = {404: "Not found", 405: "Method not allowed", 413: "Request too large"}
        title = titles.get(exc.status_code, "Request not accepted")
        detail = str(exc.detail) if exc.detail else title
        if exc.status_code == 404 and detail == "Not Found":
            detail = "There is nothing at this address."
        if _wants_html(request):
            return _html(request, exc.status_code, title, detail)
        return problem(exc.status_code, title, detail)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # A bug, not bad input: log it whole for us, tell the person plainly, never send the traceback.
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem(500, "Something went wrong on our side",
                       "Your request was not completed and nothing was saved. Please try again.")


__all__ = ["HTMLResponse", "install", "problem"]
