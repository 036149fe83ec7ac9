"""The fan-out's fast path: frames written once and straight to the socket under uvicorn, a reader too
far behind closed (it reconnects and resyncs), and the collector kept off long-lived connections."""

from __future__ import annotations

import asyncio
import gc
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import pytest
from websockets.frames import Close, Frame, Opcode
from websockets.streams import StreamReader

from dream_mosaic.circles import live


def _parse(data: bytes) -> Frame:
    reader = StreamReader()
    reader.feed_data(data)
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    raise AssertionError("incomplete frame")


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536, 200_000])
def test_frames_are_what_a_websocket_client_reads(size):
    text = ("é" * size)[:size] if size < 10 else "x" * (size - 2) + "é"
    frame = _parse(live.ws_frame(text.encode()))
    assert frame.opcode == Opcode.TEXT and frame.fin and not frame.rsv1  # uncompressed, valid with deflate too
    assert frame.data.decode() == text


class FakeTransport:
    def __init__(self, backlog: int = 0) -> None:
        self.backlog, self.written, self.closed, self.aborted = backlog, [], False, False

    def write(self, data: bytes) -> None:
        self.written.append(data)

    def get_write_buffer_size(self) -> int:
        return self.backlog

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


def _conn(transport: FakeTransport) -> live.Conn:
    ws: Any = SimpleNamespace()
    conn = live.Conn(ws, "u1", guide=False, admitted=True, send_queue=4, cfg=live.LiveSettings(send_buffer_kb=1))
    conn.transport = transport
    return conn


def test_a_shared_frame_is_encoded_once_and_written_whole():
    a, b = FakeTransport(), FakeTransport()
    frame = live.Frame('[{"type":"room","present":2}]')
    _conn(a).push(frame)
    _conn(b).push(frame)
    assert a.written == b.written == [live.ws_frame(frame.text.encode())]
    assert a.written[0] is b.written[0]  # the same bytes object: encoded once


def test_a_reader_too_far_behind_is_closed_and_told_to_come_back():
    slow = FakeTransport(backlog=2048)  # over the 1 KB limit set above
    conn = _conn(slow)

    async def push() -> None:  # on the event loop, as in the server
        conn.push('[{"type":"room","present":3}]')

    # In a thread of its own: a browser test earlier in this worker may leave Playwright's loop running in
    # the main thread, where asyncio.run() refuses to start.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, push()).result()
    assert conn.closing and slow.closed
    close = _parse(slow.written[-1])
    assert close.opcode == Opcode.CLOSE and Close.parse(close.data).code == live.CLOSE_AGAIN_LATER
    conn.push("[]")
    assert len(slow.written) == 1 and not slow.aborted  # nothing more for it; aborted only if it never goes


def test_the_collector_freezes_a_growing_room_and_thaws_an_emptied_one():
    hub = live.Hub(SimpleNamespace(), live.LiveSettings())  # type: ignore[arg-type]
    try:
        hub.connections = 600
        hub.settle()
        assert gc.get_freeze_count() > 0 and hub.frozen_at == 600
        hub.connections = 800  # not grown by half: no new freeze
        hub.settle()
        assert hub.frozen_at == 600
        hub.connections = 200
        hub.settle()
        assert gc.get_freeze_count() == 0 and hub.frozen_at == 0
    finally:
        gc.unfreeze()


def test_under_uvicorn_frames_go_straight_to_the_socket(app, open_session, join):
    open_session()
    lyra = join("lyra")
    lyra.wait_type("snapshot")
    hub = live.hub_of(app)
    conns = [c for room in hub.rooms.values() for c in room.conns]
    assert conns and all(c.transport is not None and c.sender is None for c in conns)
    lyra.send({"type": "ping", "t": 7})
    assert lyra.wait_type("pong")["t"] == 7
