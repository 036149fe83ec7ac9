"""One process of simulated participants (``python -m bench.live.crowd CONFIG OUT``).

Each participant holds a real WebSocket connection to ``mosaic serve`` on 127.0.0.1. Once every crowd
process has connected its share, the run starts at the same wall-clock moment everywhere: contributions
are offered as a Poisson stream (the sum of each participant's own rate), and taps likewise; every frame
received is timed. A contribution's text ends with a marker ``<<bench:client_id|author|sent_at>>`` so
any receiver can time it without parsing JSON (events arrive as arrays; direct answers as objects).
The loops are bounded: they stop by themselves after ``seconds`` plus a drain period, and every
connection is closed.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import resource
import sys
import time
from array import array
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

MARK = re.compile(r"<<bench:([^|>]+)\|(\d+)\|([\d.]+)>>")
DREAM = ("I was walking through the house I grew up in, but every door opened onto the sea, and my sister "
         "handed me keys that melted like ice while the tide came up the stairs. ")


class Participant:
    def __init__(self, index: int, token: str, guide: bool = False) -> None:
        self.index, self.token, self.guide = index, token, guide
        self.ws: ClientConnection | None = None
        self.alive = False  # its connection is open and being read
        self.stable = False  # connected from before the start until the end
        self.seen: set[str] = set()
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
        self.readers: list[asyncio.Task[None]] = []

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1

    async def join(self, p: Participant, url: str) -> None:
        for attempt in range(8):
            try:
                ws = await connect(url, additional_headers={"Authorization": f"Bearer {p.token}"},
                                   compression=None, open_timeout=30, max_size=2**22, ping_interval=None)
            except Exception:
                self.error("connect_failed")
                await asyncio.sleep(0.5 * (attempt + 1))
                continue
            while True:  # admission, then a snapshot once seated
                frame = await asyncio.wait_for(ws.recv(), 60)
                if '"type":"refused"' in frame.replace(" ", ""):
                    self.error("refused")
                    break
                if '"type": "snapshot"' in frame or '"type":"snapshot"' in frame:
                    p.ws = ws
                    return
            await ws.close()
            await asyncio.sleep(1.0 * (attempt + 1))
        self.error("never_seated")

    async def read(self, p: Participant) -> None:
        """Read everything from the moment one is seated: an unread connection stops answering the
        server's pings and would be closed, as it should be."""
        ws = p.ws
        assert ws is not None
        me = str(p.index)
        p.alive = True
        try:
            async for frame in ws:
                now = time.time()
                if isinstance(frame, bytes):
                    continue
                if frame.startswith("{"):  # a direct answer: ack, error, snapshot, tapped
                    reply = json.loads(frame)
                    if reply.get("type") == "error":
                        self.error(reply.get("code", "error"))
                    elif reply.get("type") == "ack":
                        sent = self.sent.get(reply["client_id"])
                        if sent is not None and reply["client_id"] not in self.acked:
                            self.acked[reply["client_id"]] = now
                            self.ack_latencies.append(now - sent)
                            self.ack_ids.append(reply["id"])
                    continue
                if "<<bench:" not in frame:
                    continue
                for cid, author, sent_at in MARK.findall(frame):
                    if author == me or cid in p.seen:
                        continue
                    p.seen.add(cid)
                    if self.running or now - float(sent_at) < 30:
                        p.latencies.append(now - float(sent_at))
        except Exception:
            pass
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
                await p.ws.send(json.dumps({"type": "contribute", "client_id": cid, "text": text}))  # type: ignore[union-attr]
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
                await p.ws.send(json.dumps({"type": "tap", "id": random.choice(self.ack_ids)}))  # type: ignore[union-attr]
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
            if p.ws is not None:
                self.readers.append(asyncio.create_task(self.read(p)))

        await asyncio.gather(*(one(p) for p in self.people))
        connect_seconds = time.time() - t0
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
        for p in self.people:
            if p.ws is not None:
                await p.ws.close()
        await asyncio.gather(*self.readers, return_exceptions=True)
        others = array("d")
        for p in self.people:
            if not p.guide:
                others.extend(p.latencies)
        received: dict[str, int] = {}
        for p in self.people:
            if p.stable and not p.guide:
                for cid in p.seen:
                    received[cid] = received.get(cid, 0) + 1
        return {
            "process": cfg["process"],
            "connected": sum(p.ws is not None for p in self.people),
            "stable_receivers": [p.index for p in self.people if p.stable and not p.guide],
            "connect_seconds": round(connect_seconds, 2),
            "sent": {cid: t for cid, t in self.sent.items()},
            "authors": self.author,
            "acked": list(self.acked),
            "received": received,
            "guide_seen": sorted(self.guide.seen) if self.guide else [],
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
