"""The live hub: WebSocket connections of one server process, and the rooms that fan news out to them.

- Every change is committed by ``sessions`` first; only then is it published on ``platform.pubsub``
  (``memory://`` in one process, ``redis://`` across several), on one channel per session.
- Each process keeps one *room* per live session, subscribed once to that channel. The room routes each
  event to the connections allowed to see it (everyone, seated people, guides, one person, the waitlist)
  and batches what arrives within ``flush_ms`` into one frame per connection, encoded once for all who
  receive the same thing.
- Each connection has a bounded send queue drained by its own task: a slow phone never holds up the
  room; one that falls too far behind is asked to reconnect and gets a fresh snapshot.
- Aggregates (presence, emotion mix, motif cloud, resonance) are computed by each room at most once a
  second from the database, so every process shows the same figures; presence is the sum of what each
  process reports for itself.
- Under overload (too many connections, too many arrivals at once, too many writes in flight) a new
  arrival or a write gets a clear "try again" answer, and those already inside keep being served.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import struct
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.orm import Session

from dream_mosaic.circles import rules, sessions
from dream_mosaic.circles.models import CircleSession
from dream_mosaic.circles.repository import SessionRepository
from dream_mosaic.circles.schemas import CheckIn, ContributionIn, ModerationIn, SessionControl
from dream_mosaic.core.auth import SESSION_COOKIE, user_for_token
from dream_mosaic.core.errors import MosaicError, NotFound
from dream_mosaic.core.models import User
from dream_mosaic.core.platform import Platform

log = logging.getLogger(__name__)
T = TypeVar("T")
CLOSE_AGAIN_LATER = 1013  # WebSocket "try again later"


class LiveSettings(BaseSettings):
    """Limits of one process's hub (``MOSAIC_LIVE_*``)."""

    model_config = SettingsConfigDict(env_prefix="MOSAIC_LIVE_", extra="ignore")

    max_connections: int = 12_000
    flush_ms: int = 40
    max_flush_ms: int = 200
    send_queue: int = 400
    send_buffer_kb: int = 1024
    direct_writes: bool = True
    arrivals_per_second: float = 300.0
    arrivals_burst: float = 600.0
    max_writes_in_flight: int = 200
    contributions_per_second: float = 0.5
    contributions_burst: float = 4.0
    taps_per_second: float = 4.0
    taps_burst: float = 12.0
    tick_seconds: float = 1.0
    heartbeat_seconds: float = 15.0
    gc_freeze: bool = True


def channel(session_id: str) -> str:
    return f"circle-session:{session_id}"


class Refused(Exception):
    """A connection that cannot be taken now, with the reason to tell it."""

    def __init__(self, code: int, status: int, title: str, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.code, self.status, self.title, self.detail, self.retry_after = code, status, title, detail, retry_after

    def message(self) -> dict[str, Any]:
        return {"type": "refused", "status": self.status, "title": self.title, "detail": self.detail,
                "retry_after": self.retry_after}


def ws_frame(payload: bytes) -> bytes:
    """One unfragmented, unmasked WebSocket text frame (RFC 6455 §5.2) as a server sends it. Without the
    RSV1 bit it is an uncompressed message, valid whether or not permessage-deflate was negotiated."""
    n = len(payload)
    if n < 126:
        return bytes((0x81, n)) + payload
    if n < 65536:
        return struct.pack("!BBH", 0x81, 126, n) + payload
    return struct.pack("!BBQ", 0x81, 127, n) + payload


def _close_frame(code: int, reason: str) -> bytes:
    body = struct.pack("!H", code) + reason.encode()[:120]
    return bytes((0x88, len(body))) + body


def transport_of(ws: WebSocket) -> Any | None:
    """The socket under an accepted WebSocket when the server is uvicorn (any of its WebSocket
    implementations), found behind the ASGI ``send`` callable and the wrappers Starlette puts around it;
    None elsewhere (the test client, another server), and the hub then sends through ASGI as usual.

    Writing a finished frame straight to the transport costs a ``write()``: no task, no ASGI message, no
    per-socket encoding. uvicorn writes its own frames (pings, close) whole and synchronously too, on the
    same event loop, so frames never interleave."""
    seen: set[int] = set()
    todo: list[tuple[Any, int]] = [(getattr(ws, "_send", None), 0)]
    while todo:
        obj, depth = todo.pop()
        if obj is None or id(obj) in seen or depth > 6:
            continue
        seen.add(id(obj))
        owner = getattr(obj, "__self__", None)
        transport = getattr(owner, "transport", None)
        if isinstance(owner, asyncio.Protocol) and all(  # uvloop's transports are not asyncio classes
                callable(getattr(transport, name, None)) for name in ("write", "get_write_buffer_size",
                                                                      "is_closing", "close", "abort")):
            return transport
        for cell in getattr(obj, "__closure__", None) or ():
            with contextlib.suppress(ValueError):
                if callable(cell.cell_contents):
                    todo.append((cell.cell_contents, depth + 1))
        inner = getattr(obj, "__wrapped__", None)
        if inner is not None:
            todo.append((inner, depth + 1))
    return None


class Frame:
    """An outgoing message: its text, and its wire form encoded once for however many receive it."""

    __slots__ = ("_wire", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        if self._wire is None:
            self._wire = ws_frame(self.text.encode())
        return self._wire


class Conn:
    def __init__(self, ws: WebSocket, user_id: str, guide: bool, admitted: bool, send_queue: int,
                 cfg: LiveSettings) -> None:
        self.ws, self.user_id, self.guide, self.admitted = ws, user_id, guide, admitted
        self.queue: asyncio.Queue[str | None] = asyncio.Queue(maxsize=send_queue)
        now = time.monotonic()
        self.contributions = rules.TokenBucket(cfg.contributions_per_second, cfg.contributions_burst, now)
        self.taps = rules.TokenBucket(cfg.taps_per_second, cfg.taps_burst, now)
        self.closing = False
        self.sender: asyncio.Task[None] | None = None
        self.transport = transport_of(ws) if cfg.direct_writes else None
        self.buffer_limit = cfg.send_buffer_kb * 1024

    @property
    def seated(self) -> bool:
        return self.admitted or self.guide

    def start(self) -> None:
        """After the handshake: a sending task only where frames go through ASGI."""
        if self.transport is None:
            self.sender = asyncio.create_task(self.send_loop())

    def push(self, frame: str | Frame) -> None:
        if self.closing:
            return
        transport = self.transport
        if transport is not None:
            if transport.is_closing():
                self.closing = True
            elif transport.get_write_buffer_size() > self.buffer_limit:
                self.too_slow()
            else:
                transport.write(frame.wire if isinstance(frame, Frame) else ws_frame(frame.encode()))
            return
        try:
            self.queue.put_nowait(frame.text if isinstance(frame, Frame) else frame)
        except asyncio.QueueFull:  # too far behind: drop what is queued, close, start again from a snapshot
            self.closing = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(None)

    def too_slow(self) -> None:
        """A reader hopelessly behind (its unsent frames over ``send_buffer_kb``): it is closed rather than
        let grow, and its device reconnects and starts again from a fresh snapshot."""
        self.closing = True
        transport = self.transport
        assert transport is not None
        transport.write(_close_frame(CLOSE_AGAIN_LATER, "Too far behind; reconnect for a fresh view."))
        transport.close()  # flushes what it can, then closes; never waits for a reader that is gone
        asyncio.get_running_loop().call_later(10, transport.abort)

    async def send_loop(self) -> None:
        try:
            while True:
                frame = await self.queue.get()
                if frame is None:
                    await self.ws.close(CLOSE_AGAIN_LATER, "Too far behind; reconnect for a fresh view.")
                    return
                await self.ws.send_text(frame)
        except Exception:  # the connection went away; the receive loop cleans up
            return


class Room:
    """One live session as seen from this process."""

    def __init__(self, hub: Hub, session_id: str) -> None:
        self.hub, self.session_id = hub, session_id
        self.conns: set[Conn] = set()
        self.by_user: dict[str, set[Conn]] = {}
        self.pending: list[dict[str, Any]] = []
        self.flush_scheduled = False
        self.presence: dict[str, tuple[int, float]] = {}
        self.reported = -1
        self.dirty = True
        self.last_present = -1
        self.last_figures = ("", "")
        self.newly_seated: list[Conn] = []  # told they have a seat: a snapshot follows that news
        self.background: set[asyncio.Task[None]] = set()
        self.ready = asyncio.Event()
        self.tasks: list[asyncio.Task[None]] = []

    # connections

    def add(self, conn: Conn) -> None:
        self.conns.add(conn)
        self.by_user.setdefault(conn.user_id, set()).add(conn)
        self.dirty = True

    def catch_up(self, conn: Conn) -> None:
        """The figures the others already have, so a newcomer is not left blank until they change."""
        if self.last_figures[0]:
            conn.push("[" + ",".join(self.last_figures) + "]" if conn.seated else "[" + self.last_figures[0] + "]")

    def remove(self, conn: Conn) -> bool:
        """Forget a connection; True if it was that person's last one here."""
        self.conns.discard(conn)
        mine = self.by_user.get(conn.user_id, set())
        mine.discard(conn)
        if not mine:
            self.by_user.pop(conn.user_id, None)
        self.dirty = True
        return not mine

    def local_present(self) -> int:
        return sum(1 for conns in self.by_user.values() if any(c.seated for c in conns))

    def present(self) -> int:
        now = time.monotonic()
        others = sum(n for proc, (n, at) in self.presence.items() if proc != self.hub.proc and now - at < 6)
        return others + self.local_present()

    # tasks

    async def start(self) -> None:
        self.tasks = [asyncio.create_task(self._listen()), asyncio.create_task(self._tick())]
        await asyncio.wait_for(self.ready.wait(), timeout=10)

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
        for task in self.tasks:
            with contextlib.suppress(BaseException):
                await task

    async def _listen(self) -> None:
        while True:
            try:
                async with self.hub.platform.pubsub.subscribe(channel(self.session_id)) as messages:
                    self.ready.set()
                    async for envelope in messages:
                        self.route(envelope)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live room %s lost its subscription; resubscribing", self.session_id)
                await asyncio.sleep(1)

    def route(self, envelope: dict[str, Any]) -> None:
        if envelope.get("aud") == "_presence":
            self.presence[envelope["proc"]] = (int(envelope["n"]), time.monotonic())
            return
        if envelope.get("dirty"):
            self.dirty = True
        event = envelope.get("event") or {}
        if envelope.get("aud") == "user" and event.get("type") == "admission" and event.get("state") == "admitted":
            for conn in self.by_user.get(envelope["user"], ()):
                if not conn.admitted:
                    conn.admitted = True
                    self.dirty = True
                    self.newly_seated.append(conn)
        self.pending.append(envelope)
        if not self.flush_scheduled:
            self.flush_scheduled = True
            asyncio.get_running_loop().call_later(self.flush_seconds(), self.flush)

    def flush_seconds(self) -> float:
        """The batching window: ``flush_ms`` up to a thousand connections, growing with the room (to at
        most ``max_flush_ms``) so a big room gets fewer, fuller frames instead of more, emptier ones."""
        cfg = self.hub.cfg
        return min(cfg.max_flush_ms, cfg.flush_ms * max(1.0, len(self.conns) / 1000)) / 1000

    def flush(self) -> None:
        """Send what arrived since the last flush: one frame per connection, shared where identical."""
        self.flush_scheduled = False
        batch, self.pending = self.pending, []
        if not batch or not self.conns:
            return
        everyone: list[str] = []
        seated: list[tuple[str, str | None]] = []
        guides: list[str] = []
        personal: dict[str, list[str]] = {}
        for env in batch:
            aud = env.get("aud")
            text = json.dumps(env["event"], separators=(",", ":"))
            if aud == "all":
                everyone.append(text)
            elif aud == "seated":
                seated.append((text, env.get("except")))
            elif aud == "guides":
                guides.append(text)
            elif aud == "user":
                personal.setdefault(env["user"], []).append(text)
            elif aud == "waiting":
                queue: list[str] = env.get("queue", [])
                for place, uid in enumerate(queue, start=1):
                    if uid in self.by_user:
                        event = {**env["event"], **({"position": place} if env.get("numbered") else {})}
                        personal.setdefault(uid, []).append(json.dumps(event, separators=(",", ":")))
        excepted = {e for _t, e in seated if e}
        common_seated = everyone + [t for t, _e in seated]
        frames: dict[str, Frame] = {}

        def frame(key: str, parts: Callable[[], list[str]]) -> Frame:
            if key not in frames:
                frames[key] = Frame("[" + ",".join(parts()) + "]")
            return frames[key]

        for conn in list(self.conns):
            uid = conn.user_id
            if conn.guide:  # guides get their own fuller copy of every seated event
                if uid in personal:
                    conn.push("[" + ",".join(everyone + guides + personal[uid]) + "]")
                elif everyone or guides:
                    conn.push(frame("guide", lambda: everyone + guides))
            elif uid in personal or (conn.admitted and uid in excepted):
                parts = everyone + ([t for t, e in seated if e != uid] if conn.admitted else [])
                parts += personal.get(uid, [])
                if parts:
                    conn.push("[" + ",".join(parts) + "]")
            elif conn.admitted:
                if common_seated:
                    conn.push(frame("seated", lambda: common_seated))
            elif everyone:
                conn.push(frame("all", lambda: everyone))
        seated_now, self.newly_seated = self.newly_seated, []
        for conn in seated_now:
            task = asyncio.create_task(self.hub.send_snapshot(conn, self.session_id))
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    def send_figures(self, room: dict[str, Any], agg: dict[str, Any]) -> None:
        """Presence and seats to everyone, aggregates to seated people and guides: only what changed,
        riding in the next flush with whatever else is going out, not in frames of their own."""
        room_text = json.dumps(room, separators=(",", ":"))
        agg_text = json.dumps(agg, separators=(",", ":"))
        if room_text != self.last_figures[0]:
            self.route({"aud": "all", "event": room})
        if agg_text != self.last_figures[1]:
            self.route({"aud": "seated", "event": agg})
            self.route({"aud": "guides", "event": agg})
        self.last_figures = (room_text, agg_text)

    async def _tick(self) -> None:
        """Presence, aggregates and seats, once a tick; heartbeats and the seat sweep less often."""
        hub, cfg = self.hub, self.hub.cfg
        last_beat = time.monotonic()
        last_report = 0.0
        while True:
            await asyncio.sleep(cfg.tick_seconds)
            try:
                now = time.monotonic()
                local = self.local_present()
                if local != self.reported or now - last_report > 2:
                    self.reported, last_report = local, now
                    await hub.platform.pubsub.publish(channel(self.session_id),
                                                      {"aud": "_presence", "proc": hub.proc, "n": local})
                present = self.present()
                if self.dirty or self.last_present != present:
                    self.dirty, self.last_present = False, present
                    room, agg = await hub.read(partial(_room_figures, session_id=self.session_id, present=present))
                    self.send_figures(room, agg)
                if now - last_beat > cfg.heartbeat_seconds:
                    last_beat = now
                    events = await hub.write(partial(_beat_and_sweep, session_id=self.session_id,
                                                   users=list(self.by_user)))
                    await hub.publish(self.session_id, events)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("live room %s tick failed", self.session_id)


def _room_figures(db: Session, session_id: str, present: int) -> tuple[dict[str, Any], dict[str, Any]]:
    repo = SessionRepository(db)
    s = repo.get(session_id)
    if s is None:
        return {"type": "room", "present": present}, {"type": "aggregates", "shown": False}
    room = {"type": "room", "present": present, "seated": repo.count(s.id, "admitted"),
            "waiting": repo.count(s.id, "waiting"), "capacity": s.capacity}
    facts, taps = sessions.facts(db, s) if present >= s.min_group else ([], {})
    agg = rules.aggregates(facts, taps, present, s.min_group, sessions._utc(s.created_at))
    return room, {"type": "aggregates", **agg}


def _beat_and_sweep(db: Session, session_id: str, users: list[str]) -> list[dict[str, Any]]:
    s = SessionRepository(db).get(session_id)
    if s is None or s.closed_at is not None:
        return []
    sessions.heartbeat(db, session_id, users)
    return sessions.sweep(db, s)


class WriteBatch:
    """Group commit: writes that arrive while one commit is on its way to disk go together in the next.

    Each write runs in its own savepoint, so one refused write leaves the others intact; the whole batch
    is committed once (one fsync on SQLite), and only then is each writer answered. An acknowledgement
    therefore still means "stored", but a thousand taps a second no longer queue for a thousand fsyncs.
    """

    MAX = 256

    def __init__(self, platform: Platform) -> None:
        self.platform = platform
        self.pending: list[tuple[Callable[[Session], Any], asyncio.Future[Any]]] = []
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def submit(self, work: Callable[[Session], T]) -> T:
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self._loop())
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self.pending.append((work, future))
        self.wake.set()
        return await future

    async def _loop(self) -> None:
        while True:
            await self.wake.wait()
            self.wake.clear()
            batch, self.pending = self.pending[: self.MAX], self.pending[self.MAX:]
            if self.pending:
                self.wake.set()
            if not batch:
                continue
            try:
                results = await anyio.to_thread.run_sync(self._commit, [work for work, _f in batch])
            except Exception as exc:  # the commit itself failed: nobody's write is stored
                results = [(False, exc)] * len(batch)
            for (_work, future), (ok, value) in zip(batch, results, strict=True):
                if future.done():
                    continue
                if ok:
                    future.set_result(value)
                else:
                    future.set_exception(value)

    def _commit(self, works: list[Callable[[Session], Any]]) -> list[tuple[bool, Any]]:
        out: list[tuple[bool, Any]] = []
        with self.platform.db.transaction() as db:
            for work in works:
                try:
                    with db.begin_nested():
                        out.append((True, work(db)))
                except Exception as exc:
                    out.append((False, exc))
        return out


class Hub:
    """All live rooms of this process."""

    def __init__(self, platform: Platform, cfg: LiveSettings | None = None) -> None:
        self.platform = platform
        self.cfg = cfg or LiveSettings()
        self.proc = uuid.uuid4().hex[:10]
        self.rooms: dict[str, Room] = {}
        self.room_lock = asyncio.Lock()
        self.connections = 0
        self.writes_in_flight = 0
        self.warmed = False
        self.batch = WriteBatch(platform)
        self.background: set[asyncio.Task[Any]] = set()
        self.arrivals = rules.TokenBucket(self.cfg.arrivals_per_second, self.cfg.arrivals_burst, time.monotonic())
        self.frozen_at = 0  # connections when the collector last froze what was alive

    def settle(self) -> None:
        """Keep the cyclic garbage collector's full passes short while thousands are connected.

        Each connection is hundreds of long-lived objects; with 5,000 of them (and the analysis models) a
        full collection walked every one and stopped the event loop for 0.5-0.8 s, which was most of the
        p99 at 5,000. So when the number of connections has grown by half since the last time (from 500
        up), what is alive is frozen (``gc.freeze``: left out of later passes); when it falls below half,
        it is all unfrozen again so the collector can reclaim those who left."""
        if not self.cfg.gc_freeze:
            return
        n = self.connections
        if n >= 500 and n >= 1.5 * self.frozen_at:
            gc.freeze()
            self.frozen_at = n
        elif self.frozen_at and n < self.frozen_at / 2:
            gc.unfreeze()
            self.frozen_at = 0

    async def read(self, work: Callable[[Session], T]) -> T:
        """Run a read in a worker thread (on SQLite it never queues behind the write lock)."""
        def call() -> T:
            with self.platform.db.transaction(write=False) as db:
                return work(db)

        return await anyio.to_thread.run_sync(call)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run a write in the next group commit; returns once it is durable."""
        return await self.batch.submit(work)

    async def publish(self, session_id: str, events: list[dict[str, Any]]) -> None:
        for envelope in events:
            await self.platform.pubsub.publish(channel(session_id), envelope)

    async def room(self, session_id: str) -> Room:
        async with self.room_lock:
            room = self.rooms.get(session_id)
            if room is None:
                if not self.rooms and not self.warmed:
                    # Load the analysis models now, not when the first dream is offered.
                    self.warmed = True
                    warm = asyncio.create_task(anyio.to_thread.run_sync(sessions.screen, "I woke up happy."))
                    self.background.add(warm)
                    warm.add_done_callback(self.background.discard)
                room = self.rooms[session_id] = Room(self, session_id)
                await room.start()
            return room

    async def release(self, room: Room) -> None:
        async with self.room_lock:
            if not room.conns and self.rooms.get(room.session_id) is room:
                del self.rooms[room.session_id]
                await room.stop()

    async def send_snapshot(self, conn: Conn, session_id: str) -> None:
        try:
            snap = await self.read(lambda db: _snapshot(db, conn.user_id, session_id))
            conn.push(json.dumps(snap, separators=(",", ":")))
        except Exception:
            log.exception("snapshot for a live connection failed")

    # ------------------------------------------------------------ one connection

    async def serve(self, ws: WebSocket, circle_id: str) -> None:
        try:
            user_id, guide, session_id, admission = await self._arrive(ws, circle_id)
        except Refused as refused:
            await ws.accept()
            await ws.send_json(refused.message())
            await ws.close(refused.code, refused.title)
            return
        await ws.accept()
        self.connections += 1
        self.settle()
        conn = Conn(ws, user_id, guide, admission.get("state") == "admitted", self.cfg.send_queue, self.cfg)
        room = await self.room(session_id)
        room.add(conn)
        conn.start()
        try:
            conn.push(json.dumps(admission))
            if conn.seated:
                await self.send_snapshot(conn, session_id)
            else:
                state = await self.read(lambda db: sessions.state(sessions.session_by_id(db, circle_id, session_id)))
                conn.push(json.dumps(state))
            room.catch_up(conn)
            while not conn.closing:
                try:
                    message = await ws.receive_json()
                except (ValueError, KeyError):
                    conn.push(json.dumps({"type": "error", "code": "bad_json",
                                          "message": "Messages are JSON objects with a 'type'."}))
                    continue
                if not isinstance(message, dict):
                    continue
                reply = await self._handle(conn, circle_id, session_id, message)
                if reply is not None:
                    conn.push(json.dumps(reply, default=str))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            self.connections -= 1
            self.settle()
            conn.closing = True
            last = room.remove(conn)
            if conn.sender is not None:
                conn.sender.cancel()
            if last:
                with contextlib.suppress(Exception):
                    await self.write(lambda db: sessions.heartbeat(db, session_id, [user_id]))
            if not room.conns:
                await self.release(room)

    async def _arrive(self, ws: WebSocket, circle_id: str) -> tuple[str, bool, str, dict[str, Any]]:
        if self.connections >= self.cfg.max_connections:
            raise Refused(CLOSE_AGAIN_LATER, 503, "The circle is very busy",
                          "This server has as many people as it can serve well right now. "
                          "Please try again in a minute.", 60)
        kind, token = _presented(ws)
        if token is None:
            raise Refused(4401, 401, "Sign-in required", "Please sign in first.")
        if kind == "session" and not _same_origin(ws):
            raise Refused(4403, 403, "Not allowed", "This page may not open that circle.")

        def arrive(db: Session) -> tuple[str, bool, str, dict[str, Any]]:
            user = user_for_token(db, token, kind)
            if user is None:
                raise Refused(4401, 401, "Sign-in required", "Please sign in again.")
            s = sessions.open_session_of(db, circle_id)
            guide = sessions.guides(db, circle_id, user)
            if not guide and not self.may_arrive(db, s, user):
                raise Refused(CLOSE_AGAIN_LATER, 503, "Many people are arriving",
                              "Many people are arriving at once. Your device will try again in a few seconds.",
                              3)
            return user.id, guide, s.id, sessions.request_seat(db, user, s)

        try:
            return await self.write(arrive)
        except MosaicError as exc:
            status = exc.status
            code = {404: 4404, 403: 4403, 429: 4429}.get(status, 4400)
            raise Refused(code, status, exc.title, exc.detail, exc.extra.get("retry_after")) from exc

    def may_arrive(self, db: Session, s: CircleSession, user: User) -> bool:
        """Returning people (who hold a seat or a place) always get back in; new arrivals are paced."""
        return sessions.holds_place(db, s, user) or self.arrivals.take(time.monotonic())

    async def _handle(self, conn: Conn, circle_id: str, session_id: str, message: dict[str, Any]
                      ) -> dict[str, Any] | None:
        kind = message.get("type")
        if kind == "ping":
            return {"type": "pong", "t": message.get("t")}
        handler = HANDLERS.get(str(kind))
        if handler is None:
            return {"type": "error", "code": "unknown", "message": f"Unknown message type {kind!r}."}
        schema, work, limit = handler
        try:
            data = schema.model_validate({k: v for k, v in message.items() if k not in ("type", "id")}) \
                if schema is not None else None
        except ValidationError as exc:
            return {"type": "error", "code": "invalid", "client_id": message.get("client_id"),
                    "message": "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()[:3])}
        if limit is not None and not getattr(conn, limit).take(time.monotonic()):
            return {"type": "error", "code": "slow_down", "client_id": message.get("client_id"),
                    "retry_after": round(getattr(conn, limit).wait_seconds(), 1) + 0.1,
                    "message": "A little slower, please: your words are kept and will be sent again."}
        if self.writes_in_flight >= self.cfg.max_writes_in_flight:
            return {"type": "error", "code": "busy", "client_id": message.get("client_id"), "retry_after": 1,
                    "message": "The circle is very busy; your words are kept and will be sent again."}
        self.writes_in_flight += 1
        try:
            who = Who(conn.user_id, circle_id, session_id)
            reply, events = await self.write(lambda db: work(db, who, data, message))
        except MosaicError as exc:
            return {"type": "error", "code": exc.extra.get("code", exc.title.lower().replace(" ", "_")),
                    "status": exc.status, "client_id": message.get("client_id"), "message": exc.detail}
        except Exception:  # a bug, not bad input: log it whole, tell the person plainly, keep the connection
            log.exception("live %s failed", kind)
            return {"type": "error", "code": "server_error", "status": 500, "client_id": message.get("client_id"),
                    "message": "Something went wrong on our side and nothing was saved. Please try again."}
        finally:
            self.writes_in_flight -= 1
        await self.publish(session_id, events)  # after the commit: only durable news is told
        return reply


def _snapshot(db: Session, user_id: str, session_id: str) -> dict[str, Any]:
    s = SessionRepository(db).get(session_id)
    user = db.get(User, user_id)
    assert s is not None and user is not None
    return sessions.snapshot(db, user, s)


@dataclass(frozen=True)
class Who:
    """Who sends a message, in which session; each handler loads only what it needs."""

    user_id: str
    circle_id: str
    session_id: str

    def user(self, db: Session) -> User:
        user = db.get(User, self.user_id)
        if user is None:
            raise NotFound("No such person.")
        return user

    def session(self, db: Session) -> CircleSession:
        return sessions.session_by_id(db, self.circle_id, self.session_id)


# What each message type does: (schema, work in one transaction, rate limit bucket)
Work = Callable[[Session, Who, Any, dict[str, Any]], tuple[dict[str, Any] | None, list[Any]]]


def _contribute(db: Session, who: Who, data: ContributionIn, _m: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    c, created, events = sessions.contribute(db, who.user(db), who.session(db), data)
    return {"type": "ack", "client_id": data.client_id, "id": c.id, "status": c.status, "created": created}, events


def _tap(db: Session, who: Who, _d: None, m: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The most frequent write: by ids, with nothing loaded (``sessions.tap_by_id``)."""
    created, events = sessions.tap_by_id(db, who.session_id, who.user_id, str(m.get("id", "")))
    return {"type": "tapped", "id": m.get("id"), "created": created}, events


def _control(db: Session, who: Who, data: SessionControl, _m: dict[str, Any]) -> tuple[None, list[Any]]:
    return None, sessions.control(db, who.user(db), who.session(db), data)


def _moderate(db: Session, who: Who, data: ModerationIn, m: dict[str, Any]) -> tuple[None, list[Any]]:
    return None, sessions.moderate(db, who.user(db), who.session(db), str(m.get("id", "")), data.action)


def _checkin(db: Session, who: Who, data: CheckIn, m: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    return {"type": "checked_in", "id": m.get("id")}, sessions.checkin(db, who.user(db), who.session(db),
                                                                      str(m.get("id", "")), data.message)


def _leave(db: Session, who: Who, _d: None, _m: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    return {"type": "admission", "state": "left"}, sessions.leave(db, who.user(db), who.session(db))


HANDLERS: dict[str, tuple[type[BaseModel] | None, Work, str | None]] = {
    "contribute": (ContributionIn, _contribute, "contributions"),
    "tap": (None, _tap, "taps"),
    "control": (SessionControl, _control, None),
    "moderate": (ModerationIn, _moderate, None),
    "checkin": (CheckIn, _checkin, None),
    "leave": (None, _leave, None),
}


def _presented(ws: WebSocket) -> tuple[str, str | None]:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return "api", header[7:].strip()
    return "session", ws.cookies.get(SESSION_COOKIE)


def _same_origin(ws: WebSocket) -> bool:
    """A page on another site must not open a circle with this browser's cookie."""
    origin = ws.headers.get("origin")
    if not origin:
        return True
    return origin.split("://", 1)[-1].rstrip("/") == ws.headers.get("host", "")


def hub_of(app: Any) -> Hub:
    hub: Hub | None = getattr(app.state, "live_hub", None)
    if hub is None:
        hub = app.state.live_hub = Hub(app.state.platform)
    return hub


router = APIRouter()


@router.websocket("/api/v1/circles/{circle_id}/live")
async def live(ws: WebSocket, circle_id: str) -> None:
    """The live view of a circle's open session. Send JSON objects with a ``type``: ``contribute``,
    ``tap``, ``leave``, ``ping``; guides also ``control``, ``moderate``, ``checkin``. Receives JSON
    objects (admission, snapshot, ack, error) and arrays of events."""
    await hub_of(ws.app).serve(ws, circle_id)
