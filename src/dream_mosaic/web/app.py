"""Builds the ASGI application from a :class:`Platform`: every feature's API and pages on one app.

Adding a feature's routers: one line in ``ROUTERS``. Read CONTRIBUTING.md first (coordination rules).
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dream_mosaic import __version__
from dream_mosaic.analysis import endpoints as analysis_api
from dream_mosaic.analysis import pages as analysis_pages
from dream_mosaic.archive import endpoints as archive_api
from dream_mosaic.archive import pages as archive_pages
from dream_mosaic.archive import service as archive_service
from dream_mosaic.circles import endpoints as circles_api
from dream_mosaic.circles import live as circles_live
from dream_mosaic.circles import pages as circles_pages
from dream_mosaic.core.activity import Activity
from dream_mosaic.core.platform import Platform
from dream_mosaic.governance import endpoints as governance_api
from dream_mosaic.governance import pages as governance_pages
from dream_mosaic.journal import endpoints as journal_api
from dream_mosaic.journal import pages as journal_pages
from dream_mosaic.mosaic import endpoints as mosaic_api
from dream_mosaic.mosaic import pages as mosaic_pages
from dream_mosaic.web import problems
from dream_mosaic.web.limits import BodyLimit

STATIC = Path(__file__).resolve().parent / "static"
ROUTERS = [
    governance_api.router, journal_api.router, circles_api.router, circles_live.router,
    governance_pages.router, journal_pages.router, circles_pages.router,
    analysis_api.router, analysis_pages.router,
    mosaic_api.router, mosaic_pages.router,
    archive_api.router, archive_pages.router,
]


SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
                    (b"x-frame-options", b"DENY")]


class SecurityHeaders:
    """Adds the security headers to every HTTP response that does not set them itself. Plain ASGI: a
    ``BaseHTTPMiddleware`` (``@app.middleware``) costs an extra task and stream per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TrackActivity:
    """Counts HTTP requests in flight (``core/activity.py``), so that embedded background jobs run in the
    gaps between them. WebSockets are long-lived and do not count."""

    def __init__(self, app: ASGIApp, activity: Activity) -> None:
        self.app = app
        self.activity = activity

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.activity.enter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.activity.leave()


def create_app(platform: Platform | None = None) -> FastAPI:
    platform = platform or Platform()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await platform.pubsub.connect()
        if platform.settings.queue_in_process:
            platform.queue.start_workers(platform.activity)
        app.state.archive_warmth = warmth = archive_service.warm_up(platform.db.engine)
        # What is alive once the app has started (code, templates, models, lexicons) lives as long as the
        # server: keep it out of the collector's full passes, which otherwise stop requests for 20-140 ms
        # now and then (bench/api, bench/search).
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()
            warmth.close()
            platform.queue.stop_workers()
            await platform.pubsub.disconnect()

    app = FastAPI(
        title="Dream Mosaic",
        version=__version__,
        description="Share dreams together without losing anyone's individuality.",
        lifespan=lifespan,
        docs_url="/docs",
        openapi_url="/openapi.json",
        redoc_url=None,
    )
    app.state.platform = platform
    problems.install(app)
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/v1/health", tags=["platform"])
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit, max_bytes=platform.settings.max_body_bytes, upload_max_bytes=50_000_000)
    app.add_middleware(TrackActivity, activity=platform.activity)
    return app
