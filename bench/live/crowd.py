"""One process of simulated participants (``python -m bench.live.crowd CONFIG OUT``).

Each participant holds a real WebSocket connection to ``mosaic serve`` on 127.0.0.1. Once every crowd
process has connected its share, the run starts at the same wall-clock moment everywhere: contributions
are offered as a Poisson stream (the sum of each participant's own rate), and taps likewise; every frame
received is timed. A contribution's text ends with a marker ``<<bench:client_id|author|sent_at>>`` so
any receiver can time it without parsing JSON (events arrive as arrays; direct answers as objects).
The loops are bounded: they stop by themselves after ``seconds`` plus a drain period, and every
connection is closed.

The client is deliberately lean, because it shares the machine's cores with the server it measures:
a plain ``asyncio.Protocol`` per connection with a minimal RFC 6455 client (handshake, masking, frame
parsing, answering pings), no task per connection once seated, one clock reading per chunk of bytes
received, and JSON parsed only for direct answers (objects); event frames are only searched for markers.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import hashlib
import json
import os
import random
import re
import resource
import struct
import sys
import time
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MARK = re.compile(rb"<<bench:([^|>]+)\|(\d+)\|([\d.]+)>>")
DREAM = ("I was walking through the house I grew up in, but every door opened onto the sea, and my sister "
         "handed me keys that melted like ice while the tide came up the stairs. ")
GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def masked(opcode: int, payload: bytes) -> bytes:
    """A client frame (RFC 6455 §5.3: clients mask)."""
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
    elif n < 65536:
        head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
    else:
        head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
    key = os.urandom(4)
    stream = (key * (n // 4 + 1))[:n]
    body = (int.from_bytes(payload, "big") ^ int.from_bytes(stream, "big")).to_bytes(n, "big") if n else b""
    return head + key + body


class Wire(asyncio.Protocol):
    """One client WebSocket: handshake, then frames handed to ``on_text(payload, now)``."""

    def __init__(self, path: str, host: str, token: str) -> None:
        self.key = base64.b64encode(os.urandom(16))
        self.request = (f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        f"Sec-WebSocket-Key: {self.key.decode()}\r\nSec-WebSocket-Version: 13\r\n"
                        f"Authorization: Bearer {token}\r\n\r\n").encode()
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.upgraded = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.inbox: asyncio.Queue[bytes] | None = asyncio.Queue()  # until seated; then on_text
        self.on_text: Callable[[bytes, float], None] | None = None
        self.on_lost: Callable[[], None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        buf = self.buf
        buf += data
        if not self.upgraded.done():
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).decode("latin-1")
            del buf[: end + 4]
            accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest()).decode()
            if not head.startswith("HTTP/1.1 101") or accept not in head:
                self.upgraded.set_exception(ConnectionError(head.split("\r\n", 1)[0]))
                assert self.transport is not None
                self.transport.close()
                return
            self.upgraded.set_result(None)
        now = time.time()
        pos, size = 0, len(buf)
        while size - pos >= 2:
            b0, b1 = buf[pos], buf[pos + 1]
            n, at = b1 & 0x7F, pos + 2
            if n == 126:
                if size - at < 2:
                    break
                n, at = int.from_bytes(buf[at:at + 2], "big"), at + 2
            elif n == 127:
                if size - at < 8:
                    break
                n, at = int.from_bytes(buf[at:at + 8], "big"), at + 8
            if size - at < n:
                break
            payload = bytes(buf[at:at + n])
            pos = at + n
            opcode = b0 & 0x0F
            if opcode == 1:
                if self.on_text is not None:
                    self.on_text(payload, now)
                elif self.inbox is not None:
                    self.inbox.put_nowait(payload)
            elif opcode == 9:  # ping: answer it, as a browser would
                self.send(0xA, payload)
            elif opcode == 8 and self.transport is not None:
                self.transport.close()
        if pos:
            del buf[:pos]

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.upgraded.done():
            self.upgraded.set_exception(ConnectionError("closed during the handshake"))
        if not self.closed.done():
            self.closed.set_result(None)
        if self.on_lost is not None:
            self.on_lost()

    def send(self, opcode: int, payload: bytes) -> None:
        if self.transport is None or self.transport.is_closing():
            raise ConnectionError("not connected")
        self.transport.write(masked(opcode, payload))

    def send_text(self, text: str) -> None:
        self.send(0x1, text.encode())

    async def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send(0x8, struct.pack("!H", 1000))
            try:
                await asyncio.wait_for(asyncio.shield(self.closed), 5)
            except TimeoutError:
                self.transport.abort()


class Participant:
    def __init__(self, index: int, token: str, guide: bool = False) -> None:
        self.index, self.token, self.guide = index, token, guide
        self.ws: Wire | None = None
        self.me = str(index).encode()
        self.alive = False  # its connection is open and being read
        self.stable = False  # connected from before the start until the end
        self.seen: set[bytes] = set()
        self.latencies = array("d")


class Crowd:
    def __init__(self, config: dict[str, Any]) -> None:
        self.cfg = config
        self.people = [Participant(i, t) for i, t in config["participants"]]
        if config.get("guide_token"):
            self.guide: Participant | None = Participant(-1, config["guide_token"], guide=True)
            self.people.append(self.guide)
        else:
            self.guide = None
        self.sent: dict[str, float] = {}
        self.author: dict[str, int] = {}
        self.acked: dict[str, float] = {}
        self.ack_ids: list[str] = []
        self.ack_latencies = array("d")
        self.errors: dict[str, int] = {}
        self.taps = 0
        self.running = False
        self.finished = False

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def join(self, p: Participant, url: str) -> None:
        parts = urlsplit(url)
        loop = asyncio.get_running_loop()
        for attempt in range(8):
            try:
                _t, ws = await asyncio.wait_for(loop.create_connection(
                    lambda: Wire(parts.path, parts.netloc, p.token), parts.hostname, parts.port), 30)
                await asyncio.wait_for(ws.upgraded, 30)
            except Exception:
                self.error("connect_failed")
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            assert ws.inbox is not None
            while True:  # admission, then a snapshot once seated
                try:
                    frame = await asyncio.wait_for(ws.inbox.get(), 60)
                except TimeoutError:
                    self.error("no_snapshot")
                    break
                if b'"type":"refused"' in frame.replace(b" ", b""):
                    self.error("refused")
                    break
                if b'"type": "snapshot"' in frame or b'"type":"snapshot"' in frame:
                    p.ws = ws
                    self.seated(p)
                    return
            await ws.close()
            await asyncio.sleep(1.0 * (attempt + 1))
        self.error("never_seated")

    def seated(self, p: Participant) -> None:
        """Read everything from the moment one is seated (an unread connection would stop answering
        pings and be closed, as it should be): frames are handled as they arrive, with no task."""
        ws = p.ws
        assert ws is not None and ws.inbox is not None
        backlog, ws.inbox = ws.inbox, None
        p.alive = True
        ws.on_text = lambda frame, now: self.received(p, frame, now)
        ws.on_lost = lambda: self.lost(p)
        now = time.time()
        while not backlog.empty():
            self.received(p, backlog.get_nowait(), now)

    def received(self, p: Participant, frame: bytes, now: float) -> None:
        if frame[:1] == b"{":  # a direct answer: ack, error, tapped
            reply = json.loads(frame)
            kind = reply.get("type")
            if kind == "error":
                self.error(reply.get("code", "error"))
            elif kind == "ack":
                cid = reply["client_id"]
                sent = self.sent.get(cid)
                if sent is not None and cid not in self.acked:
                    self.acked[cid] = now
                    self.ack_latencies.append(now - sent)
                    self.ack_ids.append(reply["id"])
            return
        if b"<<bench:" not in frame:
            return
        me, seen = p.me, p.seen
        for cid, author, sent_at in MARK.findall(frame):
            if author == me or cid in seen:
                continue
            seen.add(cid)
            if self.running or now - float(sent_at) < 30:
                p.latencies.append(now - float(sent_at))

    def lost(self, p: Participant) -> None:
        p.alive = False
        if self.running:
            p.stable = False
            self.error("disconnected")
        elif not self.finished:
            self.error("disconnected_before_start")

    async def offer(self, end: float, rate: float) -> None:
        seated = [p for p in self.people if not p.guide and p.alive]
        n = 0
        while time.time() < end and seated:
            await asyncio.sleep(random.expovariate(rate))
            p = random.choice(seated)
            n += 1
            cid = f"c{self.cfg['process']}x{n}"
            now = time.time()
            self.sent[cid] = now
            self.author[cid] = p.index
            text = f"{DREAM}<<bench:{cid}|{p.index}|{now:.6f}>>"
            try:
                p.ws.send_text(json.dumps({"type": "contribute", "client_id": cid, "text": text}))  # type: ignore[union-attr]
            except Exception:
                self.error("send_failed")

    async def tap(self, end: float, rate: float) -> None:
        seated = [p for p in self.people if not p.guide and p.alive]
        while time.time() < end and seated:
            await asyncio.sleep(random.expovariate(rate))
            if not self.ack_ids:
                continue
            p = random.choice(seated)
            try:
                p.ws.send_text(json.dumps({"type": "tap", "id": random.choice(self.ack_ids)}))  # type: ignore[union-attr]
                self.taps += 1
            except Exception:
                self.error("send_failed")

    async def run(self, ready: Path, go: Path) -> dict[str, Any]:
        cfg = self.cfg
        urls = cfg["urls"]
        sem = asyncio.Semaphore(cfg.get("connect_concurrency", 100))
        t0 = time.time()

        async def one(p: Participant) -> None:
            async with sem:
                url = urls[0] if p.guide else urls[p.index % len(urls)]
                await self.join(p, url)

        await asyncio.gather(*(one(p) for p in self.people))
        connect_seconds = time.time() - t0
        gc.collect()
        gc.freeze()  # the measuring instrument should not pause for a full collection over 5,000 connections
        ready.write_text(json.dumps({"connected": sum(p.ws is not None for p in self.people)}))
        while not go.exists():
            await asyncio.sleep(0.05)
        start = float(go.read_text())
        await asyncio.sleep(max(0.0, start - time.time()))
        for p in self.people:
            p.stable = p.alive
        self.running = True
        cpu0 = time.process_time()
        end = start + cfg["seconds"]
        await asyncio.gather(self.offer(end, cfg["offer_rate"]), self.tap(end, cfg["tap_rate"]))
        await asyncio.sleep(cfg["drain"])
        self.running = False
        self.finished = True
        cpu = time.process_time() - cpu0
        await asyncio.gather(*(p.ws.close() for p in self.people if p.ws is not None), return_exceptions=True)
        others = array("d")
        for p in self.people:
            if not p.guide:
                others.extend(p.latencies)
        received: dict[str, int] = {}
        for p in self.people:
            if p.stable and not p.guide:
                for raw in p.seen:
                    cid = raw.decode()
                    received[cid] = received.get(cid, 0) + 1
        return {
            "process": cfg["process"],
            "connected": sum(p.ws is not None for p in self.people),
            "stable_receivers": [p.index for p in self.people if p.stable and not p.guide],
            "connect_seconds": round(connect_seconds, 2),
            "sent": {cid: t for cid, t in self.sent.items()},
            "authors": self.author,
            "acked": list(self.acked),
            "ack_times": {cid: [self.sent[cid], at] for cid, at in self.acked.items()},
            "received": received,
            "guide_seen": sorted(c.decode() for c in self.guide.seen) if self.guide else [],
            "guide_latencies": list(self.guide.latencies) if self.guide else [],
            "latencies": list(others),
            "ack_latencies": list(self.ack_latencies),
            "taps": self.taps,
            "cpu_s": round(cpu, 1),
            "errors": self.errors,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        }


def main() -> None:
    config_path, out_path = Path(sys.argv[1]), Path(sys.argv[2])
    config = json.loads(config_path.read_text())
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    crowd = Crowd(config)
    result = asyncio.run(crowd.run(Path(config["ready"]), Path(config["go"])))
    out_path.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
