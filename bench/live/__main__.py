"""Live circles under load: 100, 1,000 and 5,000 simulated participants in one circle, each on a real
WebSocket connection to ``mosaic serve`` on 127.0.0.1, then the same across two server processes sharing
Redis pub/sub. Goal (issue 4): 5,000 participants at p99 ≤ 500 ms with nothing lost.

A realistic rate: each participant offers a dream about once every ``--offer-every`` seconds (600: once per
ten-minute sharing phase) and taps a fragment once every ``--tap-every`` seconds (60), as Poisson streams;
small circles get at least ``--min-offer-rate`` offers a second so their percentiles rest on enough samples.

Measured, from the wall clock shared by every process on the machine:
- ``p50_ms``/``p99_ms``: from a participant sending a contribution to its appearance in each other
  participant's view (every receiver counts); ``guide_p50_ms``/``guide_p99_ms``: on the guide's console;
  ``ack_p50_ms``/``ack_p99_ms``: until the author holds the acknowledgement (stored, durable);
- ``lost``: acknowledged contributions that some connected participant (or the guide) never saw, or that
  are missing from the database afterwards; ``errors``: refusals, failed connections, disconnections,
  error answers; ``peak_rss_mb``: the server processes' peak resident memory (summed).

The set-up writes people, tokens, memberships and seats straight into the database (seats are a
separate, tested concern); the crowd then connects in batches before the clock starts. The loops stop by
themselves; nothing but 127.0.0.1 is contacted.

    python -m bench live [--participants 100,1000,5000] [--seconds 60] [--processes 1,2] [--redis URL]
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from bench import write_result

REPO = Path(__file__).resolve().parents[2]
GOAL_P99_MS = 500.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 1)


def raise_open_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # children inherit it


def prepare(data_dir: Path, participants: int) -> dict[str, Any]:
    """People, tokens, a circle with everyone a member and seated, and a session in its sharing phase."""
    from sqlalchemy import insert

    from dream_mosaic.circles.models import Admission, CircleSession
    from dream_mosaic.circles.rules import parse_phases
    from dream_mosaic.core.models import AuthToken, Circle, CircleMember, User, new_id, utcnow
    from dream_mosaic.core.platform import Platform
    from dream_mosaic.core.security import hash_password, new_token, token_hash
    from dream_mosaic.core.settings import Settings
    from dream_mosaic.migrations import upgrade

    platform = Platform(Settings(data_dir=data_dir, queue_url="memory://", secret_key="bench"))
    upgrade(platform.db.url)
    password = hash_password("bench-password")  # one hash for all: set-up speed, not what is measured
    now = utcnow()
    tokens: list[tuple[int, str]] = []
    users, auth, members, seats = [], [], [], []
    guide_id, circle_id, session_id = new_id(), new_id(), new_id()
    guide_token = new_token()
    users.append({"id": guide_id, "username": "guide", "display_name": "Guide", "alias": "guide",
                  "password_hash": password, "role": "guide", "disabled": False, "created_at": now})
    auth.append({"id": new_id(), "user_id": guide_id, "token_hash": token_hash(guide_token), "kind": "api",
                 "created_at": now, "expires_at": None})
    members.append({"circle_id": circle_id, "user_id": guide_id, "role": "guide", "joined_at": now})
    for i in range(participants):
        uid, token = new_id(), new_token()
        tokens.append((i, token))
        users.append({"id": uid, "username": f"p{i}", "display_name": f"Participant {i}", "alias": f"dreamer-{i}",
                      "password_hash": password, "role": "dreamer", "disabled": False, "created_at": now})
        auth.append({"id": new_id(), "user_id": uid, "token_hash": token_hash(token), "kind": "api",
                     "created_at": now, "expires_at": None})
        members.append({"circle_id": circle_id, "user_id": uid, "role": "participant", "joined_at": now})
        seats.append({"session_id": session_id, "user_id": uid, "state": "admitted", "ticket": i + 1,
                      "first_timer": True, "requested_at": now, "admitted_at": now, "seen_at": now})
    with platform.db.transaction() as db:
        db.execute(insert(User), users)
        db.execute(insert(AuthToken), auth)
        db.execute(insert(Circle), [{"id": circle_id, "name": "Bench Matrix", "purpose": "", "capacity": participants,
                                     "attribution_mode": "alias", "created_by": guide_id, "settings": {},
                                     "created_at": now}])
        db.execute(insert(CircleMember), members)
        db.execute(insert(CircleSession), [{
            "id": session_id, "circle_id": circle_id, "title": "Bench", "phases": parse_phases(None),
            "phase": "sharing", "phase_started_at": now, "phase_elapsed": 0.0, "paused": False, "locked": False,
            "moderation": "permissive", "hold_until_reveal": False, "admission": "waitlist",
            "capacity": participants, "max_waiting": 0, "min_group": 3, "draws": 0, "created_by": guide_id,
            "created_at": now, "closed_at": None}])
        db.execute(insert(Admission), seats)
    platform.close()
    return {"circle_id": circle_id, "session_id": session_id, "tokens": tokens, "guide_token": guide_token,
            "database_url": platform.db.url}


class Server:
    """``mosaic serve`` on a free loopback port over the shared data directory."""

    def __init__(self, data_dir: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = (data_dir.parent / f"serve-{self.port}.log").open("w")
        cmd = [sys.executable, "-c", "from dream_mosaic.cli.main import main; main()", "serve",
               "--port", str(self.port), "--data-dir", str(data_dir)]
        self.process = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError(f"mosaic serve did not start; see {self.log.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.log.close()


class RssWatch:
    """Peak resident memory of the server processes, sampled twice a second."""

    def __init__(self, pids: list[int]) -> None:
        import psutil

        self.procs = [psutil.Process(p) for p in pids]
        self.peak = 0.0
        self.cpu_start = self.cpu()
        self.stop_flag = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self) -> None:
        while not self.stop_flag.is_set():
            try:
                total = sum(p.memory_info().rss for p in self.procs)
                self.peak = max(self.peak, total / 2**20)
            except Exception:
                pass
            self.stop_flag.wait(0.5)

    def mark(self) -> None:
        self.cpu_start = self.cpu()

    def cpu(self) -> float:
        return sum(sum(p.cpu_times()[:2]) for p in self.procs)

    def stop(self) -> tuple[float, float]:
        """Peak RSS in MB, and CPU seconds used since the mark (the start of the measured run)."""
        self.stop_flag.set()
        self.thread.join(2)
        return round(self.peak, 1), round(self.cpu() - self.cpu_start, 1)


def run(participants: int, processes: int, args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="mosaic-bench-live-"))
    data_dir = work / "var"
    setup = prepare(data_dir, participants)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MOSAIC_") or k.startswith("MOSAIC_LIVE_")}
    env.update({"MOSAIC_SECRET_KEY": "bench", "MOSAIC_QUEUE_URL": "memory://",
                "MOSAIC_LIVE_MAX_CONNECTIONS": str(participants + 100)})
    if processes > 1:
        env["MOSAIC_BROADCAST_URL"] = args.redis
    servers: list[Server] = []
    crowds: list[subprocess.Popen[bytes]] = []
    try:
        for _ in range(processes):
            servers.append(Server(data_dir, env))
        watch = RssWatch([s.process.pid for s in servers])
        urls = [s.url.replace("http://", "ws://") + f"/api/v1/circles/{setup['circle_id']}/live" for s in servers]
        offer_rate = max(participants / args.offer_every, args.min_offer_rate)
        tap_rate = participants / args.tap_every
        k = args.client_processes if participants >= 1000 else 1
        go = work / "go"
        for c in range(k):
            share = setup["tokens"][c::k]
            config = {"process": c, "participants": share, "guide_token": setup["guide_token"] if c == 0 else None,
                      "urls": urls, "seconds": args.seconds, "drain": args.drain, "offer_rate": offer_rate / k,
                      "tap_rate": tap_rate / k, "ready": str(work / f"ready-{c}"), "go": str(go)}
            (work / f"crowd-{c}.json").write_text(json.dumps(config))
            cmd = [sys.executable, "-m", "bench.live.crowd", str(work / f"crowd-{c}.json"), str(work / f"out-{c}.json")]
            crowds.append(subprocess.Popen(cmd, cwd=REPO, env={**os.environ, "PYTHONPATH": os.environ.get(
                "PYTHONPATH", "") + os.pathsep + str(REPO)}))
        t0 = time.monotonic()
        while not all((work / f"ready-{c}").exists() for c in range(k)):
            if any(p.poll() not in (None, 0) for p in crowds):
                raise RuntimeError("a crowd process failed while connecting")
            if time.monotonic() - t0 > 600:
                raise RuntimeError("the crowd did not connect within 10 minutes")
            time.sleep(0.2)
        connect_seconds = time.monotonic() - t0
        go.write_text(f"{time.time() + 1.0:.6f}")
        watch.mark()
        load_before = os.getloadavg()[0]
        for p in crowds:
            p.wait(args.seconds + args.drain + 120)
        peak, server_cpu = watch.stop()
        load_after = os.getloadavg()[0]
    finally:  # never leave a server or a crowd behind, even when interrupted
        for crowd in crowds:
            if crowd.poll() is None:
                crowd.kill()
        for s in servers:
            s.stop()
    outs = [json.loads((work / f"out-{c}.json").read_text()) for c in range(k)]
    if os.environ.get("BENCH_LIVE_KEEP"):  # the raw per-process figures, for a closer look
        for c in range(k):
            shutil.copy(work / f"out-{c}.json", Path(os.environ["BENCH_LIVE_KEEP"]) / f"out-{participants}-{c}.json")
    result = summarise(participants, processes, outs, setup, peak, connect_seconds, args, offer_rate, tap_rate)
    result["server_cpu_s"] = server_cpu
    # This machine may be shared: the 1-minute load average (2 cores) before and after the measured run.
    result["load_average"] = [round(load_before, 2), round(load_after, 2)]
    shutil.rmtree(work, ignore_errors=True)
    return result


def summarise(participants: int, processes: int, outs: list[dict[str, Any]], setup: dict[str, Any], peak: float,
              connect_seconds: float, args: argparse.Namespace, offer_rate: float, tap_rate: float) -> dict[str, Any]:
    from sqlalchemy import create_engine, text

    latencies = [x for o in outs for x in o["latencies"]]
    guide = [x for o in outs for x in o["guide_latencies"]]
    acks = [x for o in outs for x in o["ack_latencies"]]
    acked = {cid for o in outs for cid in o["acked"]}
    authors = {cid: a for o in outs for cid, a in o["authors"].items()}
    stable = {i for o in outs for i in o["stable_receivers"]}
    received: dict[str, int] = {}
    for o in outs:
        for cid, n in o["received"].items():
            received[cid] = received.get(cid, 0) + n
    guide_seen = {cid for o in outs for cid in o["guide_seen"]}
    missing_views = {cid for cid in acked
                     if received.get(cid, 0) < len(stable) - (1 if authors.get(cid) in stable else 0)}
    missing_guide = acked - guide_seen
    engine = create_engine(setup["database_url"])
    with engine.connect() as conn:
        stored = conn.execute(text("select count(*) from circle_contributions where session_id = :s"),
                              {"s": setup["session_id"]}).scalar() or 0
    engine.dispose()
    errors: dict[str, int] = {}
    for o in outs:
        for kind, n in o["errors"].items():
            errors[kind] = errors.get(kind, 0) + n
    lost = len(missing_views | missing_guide) + max(0, len(acked) - stored)
    expected = sum(len(stable) - (1 if authors.get(c) in stable else 0) for c in acked)
    p99 = percentile(latencies, 99)
    return {
        "participants": participants,
        "processes": processes,
        "p50_ms": ms(percentile(latencies, 50)),
        "p99_ms": ms(p99),
        "lost": lost,
        "errors": sum(errors.values()),
        "peak_rss_mb": peak,
        "max_ms": ms(max(latencies) if latencies else None),
        "guide_p50_ms": ms(percentile(guide, 50)),
        "guide_p99_ms": ms(percentile(guide, 99)),
        "ack_p50_ms": ms(percentile(acks, 50)),
        "ack_p99_ms": ms(percentile(acks, 99)),
        "contributions_sent": sum(len(o["sent"]) for o in outs),
        "contributions_acked": len(acked),
        "contributions_stored": stored,
        "deliveries_measured": len(latencies),
        "deliveries_expected": expected,
        "taps_sent": sum(o["taps"] for o in outs),
        "offer_rate_per_s": round(offer_rate, 2),
        "tap_rate_per_s": round(tap_rate, 2),
        "seconds": args.seconds,
        "connect_seconds": round(connect_seconds, 1),
        "client_processes": len(outs),
        "client_peak_rss_mb": round(sum(o["peak_rss_mb"] for o in outs), 1),
        "client_cpu_s": round(sum(o["cpu_s"] for o in outs), 1),
        "error_kinds": errors,
        "meets_goal": p99 is not None and p99 * 1000 <= GOAL_P99_MS and lost == 0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench live", description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", default="100,1000,5000")
    parser.add_argument("--processes", default="1,2", help="server processes: 1, then 2 with Redis")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--drain", type=float, default=5.0)
    parser.add_argument("--offer-every", type=float, default=600.0)
    parser.add_argument("--tap-every", type=float, default=60.0)
    parser.add_argument("--min-offer-rate", type=float, default=0.5)
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--redis", default=os.environ.get("MOSAIC_TEST_REDIS", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--out", default="live", help="results file name under bench/results/")
    args = parser.parse_args()
    if not args.redis.startswith(("redis://127.0.0.1", "redis://localhost", "redis://[::1]")):
        parser.error("the benchmark only talks to a Redis on this machine (127.0.0.1)")
    raise_open_files()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so `finally` stops the servers
    runs = []
    for processes in [int(p) for p in args.processes.split(",")]:
        for participants in [int(n) for n in args.participants.split(",")]:
            print(f"-- {participants} participants, {processes} server process(es) ...", flush=True)
            result = run(participants, processes, args)
            runs.append(result)
            print(json.dumps(result), flush=True)
    path = write_result(args.out, {
        "benchmark": "live circles: contribution to others' views over WebSocket on loopback",
        "goal": "5,000 participants, p99 <= 500 ms, nothing lost",
        "machine": {"cpus": os.cpu_count(), "python": host.python_version(), "system": host.platform()},
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "runs": runs,
    })
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
