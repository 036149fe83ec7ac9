"""The rules of a live circle, as plain functions without I/O: phases and their timers, what a
contribution's status is and how a guide may change it, who gets a seat, and when aggregates may be shown.

Default phases follow Ullman dream groups and Social Dreaming matrices: the group gathers, dreams are
offered, members respond "if this were my dream…", the guide weaves the threads, the group reflects.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# ---------------------------------------------------------------- phases

KINDS = ("dream", "association", "reflection", "tap")
DEFAULT_PHASES: list[dict[str, Any]] = [
    {"name": "gathering", "label": "Gathering", "allows": [], "minutes": None,
     "hint": "Arrive, settle, say hello. Nothing is shared yet."},
    {"name": "sharing", "label": "Sharing dreams", "allows": ["dream", "tap"], "minutes": None,
     "hint": "Offer a dream from your journal or write one now."},
    {"name": "associating", "label": "Associating", "allows": ["association", "tap"], "minutes": None,
     "hint": "Respond to a fragment: \u201cif this were my dream\u2026\u201d. Tap what resonates."},
    {"name": "weaving", "label": "Weaving", "allows": ["association", "tap"], "minutes": None,
     "hint": "The guide draws threads between the dreams."},
    {"name": "reflection", "label": "Reflection", "allows": ["reflection"], "minutes": None,
     "hint": "What will you take with you?"},
    {"name": "closed", "label": "Closed", "allows": [], "minutes": None,
     "hint": "The circle has closed. Thank you."},
]
CLOSED = "closed"
_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


def parse_phases(config: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """A circle's phase list, checked: known kinds only, unique names, ending with ``closed``.
    ``None`` or an empty list gives the defaults; a default phase named alone takes its defaults."""
    if not config:
        return [dict(p) for p in DEFAULT_PHASES]
    defaults = {p["name"]: p for p in DEFAULT_PHASES}
    out: list[dict[str, Any]] = []
    for item in config:
        name = str(item.get("name", "")).strip().lower()
        if not _NAME.match(name):
            raise ValueError(f"phase name {name!r} must be a short lowercase word")
        if any(p["name"] == name for p in out):
            raise ValueError(f"phase {name!r} appears twice")
        base = defaults.get(name, {"label": name.capitalize(), "allows": [], "minutes": None, "hint": ""})
        allows = list(item.get("allows", base["allows"]))
        unknown = [k for k in allows if k not in KINDS]
        if unknown:
            raise ValueError(f"phase {name!r} allows unknown kinds: {', '.join(unknown)}")
        minutes = item.get("minutes", base["minutes"])
        if minutes is not None and not (isinstance(minutes, int | float) and 0 < minutes <= 600):
            raise ValueError(f"phase {name!r}: minutes must be between 1 and 600")
        out.append({"name": name, "label": str(item.get("label") or base["label"])[:60],
                     "allows": allows if name != CLOSED else [], "minutes": minutes,
                     "hint": str(item.get("hint", base["hint"]))[:300]})
    if out[-1]["name"] != CLOSED:
        out.append(dict(defaults[CLOSED]))
    return out


def phase_spec(phases: Sequence[dict[str, Any]], name: str) -> dict[str, Any]:
    for p in phases:
        if p["name"] == name:
            return p
    raise ValueError(f"no phase named {name!r} in this session")


def can_move(phases: Sequence[dict[str, Any]], current: str, target: str) -> bool:
    """The guide may go to any phase, back or forward, but a closed session stays closed."""
    names = [p["name"] for p in phases]
    return current != CLOSED and target in names and target != current


def phase_elapsed(started_at: datetime, elapsed_before: float, paused: bool, now: datetime) -> float:
    """Seconds the current phase has run; the clock stands still while the circle is paused."""
    return elapsed_before if paused else elapsed_before + max(0.0, (now - started_at).total_seconds())


def remaining_seconds(minutes: float | None, elapsed: float) -> float | None:
    return None if minutes is None else max(0.0, minutes * 60 - elapsed)


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def may_contribute(*, phase: dict[str, Any], kind: str, paused: bool, locked: bool,
                   admitted: bool, is_guide: bool) -> Refusal | None:
    """Why a contribution (or tap) cannot be taken now, or None if it can."""
    if phase["name"] == CLOSED:
        return Refusal("closed", "This session has closed.")
    if paused:
        return Refusal("paused", "The guide has paused the circle for a moment.")
    if not (admitted or is_guide):
        return Refusal("not_admitted", "You are not seated in this session yet.")
    if locked and kind != "tap":
        return Refusal("locked", "The guide has closed new contributions for now.")
    if kind not in phase["allows"] and not is_guide:
        what = {"dream": "Dreams", "association": "Associations", "reflection": "Reflections",
                "tap": "Resonance taps"}[kind]
        return Refusal("phase", f"{what} are not part of the {phase['label'].lower()} phase.")
    return None


# ---------------------------------------------------------------- contributions and moderation

VISIBLE, PENDING, HIDDEN, HELD, REMOVED = "visible", "pending", "hidden", "held", "removed"


def initial_status(*, moderation: str, hold_until_reveal: bool, distress: bool) -> str:
    """Distress goes to the guide alone first; strict moderation waits for approval; a session that
    holds until reveal keeps contributions hidden; otherwise everyone sees it at once."""
    if distress:
        return HELD
    if moderation == "strict":
        return PENDING
    if hold_until_reveal:
        return HIDDEN
    return VISIBLE


MODERATION = {
    # action: (statuses it applies to, the status it leads to)
    "approve": ({PENDING}, VISIBLE),
    "reveal": ({HIDDEN, PENDING}, VISIBLE),
    "release": ({HELD}, VISIBLE),
    "hide": ({VISIBLE, PENDING}, HIDDEN),
    "hold": ({VISIBLE, PENDING, HIDDEN}, HELD),
    "remove": ({VISIBLE, PENDING, HIDDEN, HELD}, REMOVED),
}


def moderate(status: str, action: str) -> str:
    if action not in MODERATION:
        raise ValueError(f"unknown moderation action {action!r}")
    applies, result = MODERATION[action]
    if status not in applies:
        raise ValueError(f"cannot {action} a contribution that is {status}")
    return result


# ---------------------------------------------------------------- admission

FIRST_TIMER_WEIGHT = 3  # a first-timer holds three lottery tickets, a returning participant one


@dataclass(frozen=True)
class SeatDecision:
    state: str  # "admitted", "waiting" or "refused"
    reason: str = ""


def decide_seat(*, mode: str, admitted: int, capacity: int, waiting: int, max_waiting: int,
                pooling: bool) -> SeatDecision:
    """A new request: a free seat is taken at once (unless a lottery pool is still gathering); otherwise
    the person waits, unless the waitlist itself is full."""
    if admitted < capacity and not (mode == "lottery" and (pooling or waiting > 0)):
        return SeatDecision("admitted")
    if waiting >= max_waiting:
        return SeatDecision("refused", "The circle and its waitlist are full.")
    return SeatDecision("waiting")


def waitlist_position(tickets: Sequence[tuple[str, int]], user_id: str) -> int | None:
    """1-based place of ``user_id`` among waiting (user, ticket) pairs, in order of arrival."""
    for i, (uid, _t) in enumerate(sorted(tickets, key=lambda x: x[1]), start=1):
        if uid == user_id:
            return i
    return None


def draw_seed(session_id: str, draw: int) -> int:
    """Lottery draws are reproducible from the session and draw number, so anyone can audit them."""
    return int.from_bytes(hashlib.sha256(f"{session_id}:{draw}".encode()).digest()[:8], "big")


def choose_next(mode: str, candidates: Sequence[tuple[str, int, bool]], seats: int, seed: int) -> list[str]:
    """Who gets ``seats`` free seats among waiting (user_id, ticket, first_timer).

    ``waitlist``: in order of arrival. ``lottery``: weighted draw without replacement, first-timers
    weighted ``FIRST_TIMER_WEIGHT`` to one; among equal weights everyone has the same chance."""
    if seats <= 0 or not candidates:
        return []
    if mode != "lottery":
        return [c[0] for c in sorted(candidates, key=lambda c: c[1])[:seats]]
    rng = random.Random(seed)
    pool = sorted(candidates, key=lambda c: c[1])
    chosen: list[str] = []
    while pool and len(chosen) < seats:
        weights = [FIRST_TIMER_WEIGHT if c[2] else 1 for c in pool]
        pick = rng.choices(range(len(pool)), weights=weights)[0]
        chosen.append(pool.pop(pick)[0])
    return chosen


# ---------------------------------------------------------------- aggregates (k-anonymity)

_PLURAL = re.compile(r"(?<=[a-z]{3})(es|s)$")
MOTIF_SYNONYMS = {"sea": "water", "ocean": "water", "flood": "water", "river": "water", "fly": "flying",
                  "flight": "flying", "tooth": "teeth", "house": "home"}


def merge_motif(motif: str) -> str:
    """One name per motif, so the cloud does not show 'Water', 'water' and 'waters' apart."""
    m = re.sub(r"\s+", " ", motif.strip().lower())
    if m in MOTIF_SYNONYMS:
        return MOTIF_SYNONYMS[m]
    if m not in {"glass", "bus", "chaos", "teeth"}:
        m = _PLURAL.sub("", m) if not m.endswith("ss") else m
    return MOTIF_SYNONYMS.get(m, m)


@dataclass
class Fact:
    """What aggregates may know of a visible contribution."""

    id: str
    kind: str
    author_id: str
    created_at: datetime
    emotions: list[str] = field(default_factory=list)
    motifs: list[str] = field(default_factory=list)
    excerpt: str = ""


def aggregates(facts: Iterable[Fact], taps: dict[str, int], present: int, k: int,
               started_at: datetime, bucket_seconds: int = 300, top: int = 5) -> dict[str, Any]:
    """The circle's emotion mix over time, motif cloud and most resonant fragments, or why not yet.

    Only contributions everyone can already see go in (the caller passes visible ones only); nothing
    is shown until ``k`` people are present, so no count can be traced to one person."""
    if present < k:
        return {"shown": False, "present": present, "k": k,
                "reason": f"Shared patterns appear once {k} people are here."}
    facts = list(facts)
    mix: Counter[str] = Counter()
    timeline: dict[int, Counter[str]] = {}
    cloud: Counter[str] = Counter()
    for f in facts:
        for code in set(f.emotions):
            mix[code] += 1
            bucket = max(0, int((f.created_at - started_at).total_seconds() // bucket_seconds))
            timeline.setdefault(bucket, Counter())[code] += 1
        for motif in {merge_motif(m) for m in f.motifs}:
            cloud[motif] += 1
    ranked = sorted((f for f in facts if taps.get(f.id)), key=lambda f: (-taps[f.id], f.created_at))
    return {
        "shown": True, "present": present, "k": k,
        "contributions": len(facts),
        "emotions": dict(sorted(mix.items())),
        "timeline": [{"minute": b * bucket_seconds // 60, "emotions": dict(sorted(c.items()))}
                     for b, c in sorted(timeline.items())],
        "motifs": [{"motif": m, "count": c} for m, c in sorted(cloud.items(), key=lambda x: (-x[1], x[0]))[:30]],
        "resonance": [{"id": f.id, "taps": taps[f.id], "excerpt": f.excerpt} for f in ranked[:top]],
        "ranks": {f.id: i for i, f in enumerate(ranked, start=1)},
    }


# ---------------------------------------------------------------- flow control


class TokenBucket:
    """A small rate limiter: ``rate`` actions a second, bursts up to ``burst``. The clock is passed in."""

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst, self.tokens, self.at = rate, burst, burst, now

    def take(self, now: float, cost: float = 1.0) -> bool:
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False

    def wait_seconds(self, cost: float = 1.0) -> float:
        return max(0.0, (cost - self.tokens) / self.rate)
