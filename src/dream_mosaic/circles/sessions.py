"""Live sessions applied: open and steer a session, seat people or keep their place on the waitlist,
take contributions and taps, moderate, and describe it all to each viewer as they may see it.

Every function here works inside the caller's database transaction and returns the *events* the change
causes; the caller commits first and publishes them after, so nobody hears of a write that is not durable.
An event is ``{"aud": audience, "event": payload, ...}``; audiences are ``all`` (everyone connected,
seated or waiting), ``seated`` (seated participants and guides, ``except`` one person), ``guides``,
``user`` (one person) and ``waiting`` (the waitlist, each told their own place).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, lazyload

from dream_mosaic.circles import rules
from dream_mosaic.circles.models import Admission, CircleSession, Contribution
from dream_mosaic.circles.repository import CircleRepository, SessionRepository
from dream_mosaic.circles.schemas import ContributionIn, SessionControl, SessionOpen
from dream_mosaic.core import consent
from dream_mosaic.core.errors import Conflict, Forbidden, Invalid, NotFound, TooMany
from dream_mosaic.core.models import Circle, CircleMember, Dream, User, utcnow

log = logging.getLogger(__name__)
Event = dict[str, Any]
SEAT_GRACE = timedelta(seconds=90)  # a seat is kept this long for someone whose connection dropped
WAIT_GRACE = timedelta(minutes=10)  # a place on the waitlist, likewise
HEARTBEAT_SLACK = timedelta(seconds=30)
NO_SESSION = "This circle has no live session right now."


def _utc(value: datetime) -> datetime:
    """SQLite hands back naive datetimes; everything here is UTC."""
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------- reading a session


def open_session_of(db: Session, circle_id: str) -> CircleSession:
    s = SessionRepository(db).open_for(circle_id)
    if s is None:
        raise NotFound(NO_SESSION)
    return s


def session_by_id(db: Session, circle_id: str, session_id: str) -> CircleSession:
    s = SessionRepository(db).get(session_id)
    if s is None or s.circle_id != circle_id:
        raise NotFound("No such session in this circle.")
    return s


def state(s: CircleSession, now: datetime | None = None) -> dict[str, Any]:
    """What everyone may know of the session: phase, clock, pause and lock, how it admits."""
    now = now or utcnow()
    spec = rules.phase_spec(s.phases, s.phase)
    elapsed = rules.phase_elapsed(_utc(s.phase_started_at), s.phase_elapsed, s.paused, now)
    return {
        "type": "session", "id": s.id, "circle_id": s.circle_id, "title": s.title,
        "phase": s.phase, "label": spec["label"], "hint": spec.get("hint", ""), "allows": spec["allows"],
        "phases": [{"name": p["name"], "label": p["label"], "minutes": p["minutes"]} for p in s.phases],
        "remaining": rules.remaining_seconds(spec["minutes"], elapsed),
        "paused": s.paused, "locked": s.locked, "moderation": s.moderation,
        "hold_until_reveal": s.hold_until_reveal, "admission": s.admission, "capacity": s.capacity,
        "k": s.min_group, "closed": s.closed_at is not None,
        "pooling": s.admission == "lottery" and s.draws == 0,
    }


def circle_of(db: Session, circle_id: str) -> Circle:
    """The circle without its member list: a live circle may have thousands, and no hot path needs them."""
    circle = db.get(Circle, circle_id, options=[lazyload(Circle.members)])
    if circle is None:
        raise NotFound("No circle with that id.")
    return circle


def guides(db: Session, circle_id: str, user: User) -> bool:
    """Whether ``user`` guides this circle (admins guide every circle), by one membership lookup."""
    if user.role == "admin":
        return True
    member = CircleRepository(db).membership(circle_id, user.id)
    return member is not None and member.role == "guide"


def _guide_of(db: Session, s: CircleSession, user: User) -> None:
    if not guides(db, s.circle_id, user):
        raise Forbidden("Only this circle's guides can do that.")


# ---------------------------------------------------------------- opening and steering


def open_session(db: Session, guide: User, circle_id: str, data: SessionOpen) -> CircleSession:
    circle = circle_of(db, circle_id)
    if not guides(db, circle_id, guide):
        raise Forbidden("Only this circle's guides can open a session.")
    running = SessionRepository(db).open_for(circle_id)
    if running is not None:
        raise Conflict("This circle already has a live session; close it first.", session_id=running.id)
    config = [p.model_dump(exclude_none=True) for p in data.phases] if data.phases else \
        (circle.settings or {}).get("phases")
    try:
        phases = rules.parse_phases(config)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    s = CircleSession(
        circle_id=circle.id, title=data.title or circle.name, phases=phases, phase=phases[0]["name"],
        phase_started_at=utcnow(), phase_elapsed=0.0, paused=False, locked=False,
        moderation=data.moderation, hold_until_reveal=data.hold_until_reveal, admission=data.admission,
        capacity=data.capacity or circle.capacity, max_waiting=data.max_waiting, min_group=data.min_group,
        draws=0, created_by=guide.id,
    )
    db.add(s)
    db.flush()
    return s


def control(db: Session, guide: User, s: CircleSession, data: SessionControl) -> list[Event]:
    """Move phase, pause or resume, lock, change moderation, or draw the lottery."""
    _guide_of(db, s, guide)
    if s.closed_at is not None:
        raise Conflict("This session has closed.")
    now = utcnow()
    events: list[Event] = []
    elapsed = rules.phase_elapsed(_utc(s.phase_started_at), s.phase_elapsed, s.paused, now)
    if data.phase is not None and data.phase != s.phase:
        if not rules.can_move(s.phases, s.phase, data.phase):
            raise Invalid(f"There is no phase {data.phase!r} to move to.")
        left_gathering = s.phase == s.phases[0]["name"]  # a lottery's pool fills in the first phase
        s.phase, s.phase_started_at, s.phase_elapsed, elapsed = data.phase, now, 0.0, 0.0
        if data.phase == rules.CLOSED:
            s.closed_at = now
        if left_gathering and s.admission == "lottery" and s.draws == 0:
            data = data.model_copy(update={"draw": True})
    if data.paused is not None and data.paused != s.paused:
        if data.paused:
            s.phase_elapsed = elapsed
        else:
            s.phase_started_at = now
        s.paused = data.paused
    for name in ("locked", "moderation", "hold_until_reveal"):
        value = getattr(data, name)
        if value is not None:
            setattr(s, name, value)
    if data.draw:
        if s.admission != "lottery":
            raise Invalid("Only a lottery session draws seats.")
        s.draws = max(s.draws, 1)  # the pool closes; fill_seats below makes the draw
    db.flush()
    events.append({"aud": "all", "event": state(s, now)})
    if data.draw or data.phase:
        events += fill_seats(db, s)
    return events


# ---------------------------------------------------------------- seats and the waitlist


def admission_view(db: Session, s: CircleSession, adm: Admission | None, guide: bool = False) -> dict[str, Any]:
    repo = SessionRepository(db)
    view: dict[str, Any] = {"type": "admission", "mode": s.admission, "capacity": s.capacity}
    if guide:
        return {**view, "state": "admitted", "guide": True}
    if adm is None or adm.state == "left":
        return {**view, "state": "none"}
    view["state"] = adm.state
    if adm.state == "waiting":
        waiting = repo.waiting(s.id)
        view["waiting"] = len(waiting)
        view["first_timer"] = adm.first_timer
        if s.admission == "waitlist":
            view["position"] = rules.waitlist_position([(u, t) for u, t, _f in waiting], adm.user_id)
    return view


def holds_place(db: Session, s: CircleSession, user: User) -> bool:
    """Whether ``user`` already has a seat or a place on the waitlist of this session."""
    adm = SessionRepository(db).admission(s.id, user.id)
    return adm is not None and adm.state in ("admitted", "waiting")


def request_seat(db: Session, user: User, s: CircleSession) -> dict[str, Any]:
    """Take a seat, or a place on the waitlist (or in the lottery). Asking again, after a lost
    connection, keeps the seat or the place one already had."""
    if guides(db, s.circle_id, user):
        return admission_view(db, s, None, guide=True)
    if s.closed_at is not None:
        return {"type": "admission", "state": "closed", "mode": s.admission, "capacity": s.capacity}
    repo = SessionRepository(db)
    now = utcnow()
    adm = repo.admission(s.id, user.id)
    if adm is not None and adm.state in ("admitted", "waiting"):
        if now - _utc(adm.seen_at) > HEARTBEAT_SLACK:  # a reconnection storm need not write every time
            adm.seen_at = now
        return admission_view(db, s, adm)
    repo.get(s.id, lock=True)
    decision = rules.decide_seat(mode=s.admission, admitted=repo.count(s.id, "admitted"), capacity=s.capacity,
                                 waiting=repo.count(s.id, "waiting"), max_waiting=s.max_waiting,
                                 pooling=s.admission == "lottery" and s.draws == 0)
    if decision.state == "refused":
        raise TooMany(decision.reason + " Please try again in a few minutes.", retry_after=60,
                      capacity=s.capacity)
    if CircleRepository(db).membership(s.circle_id, user.id) is None:
        # Circles are open to join; seats in a live session are what is scarce.
        db.add(CircleMember(circle_id=s.circle_id, user_id=user.id, role="participant"))
    ticket = repo.next_ticket(s.id)
    if adm is None:
        adm = Admission(session_id=s.id, user_id=user.id,
                        first_timer=not repo.been_seated_before(s.circle_id, user.id, s.id))
        db.add(adm)
    adm.state, adm.ticket, adm.requested_at, adm.seen_at = decision.state, ticket, now, now
    if decision.state == "admitted":
        adm.admitted_at = now
    db.flush()
    return admission_view(db, s, adm)


def leave(db: Session, user: User, s: CircleSession) -> list[Event]:
    adm = SessionRepository(db).admission(s.id, user.id)
    if adm is None or adm.state == "left":
        return []
    was = adm.state
    adm.state = "left"
    db.flush()
    return fill_seats(db, s) if was == "admitted" else _queue_event(db, s)


def _queue_event(db: Session, s: CircleSession) -> list[Event]:
    waiting = SessionRepository(db).waiting(s.id)
    if not waiting:
        return []
    return [{"aud": "waiting", "queue": [u for u, _t, _f in waiting], "numbered": s.admission == "waitlist",
             "event": {"type": "admission", "state": "waiting", "mode": s.admission, "capacity": s.capacity,
                       "waiting": len(waiting)}}]


def fill_seats(db: Session, s: CircleSession) -> list[Event]:
    """Give free seats to those waiting: in order of arrival, or by a lottery favouring first-timers."""
    if s.admission == "lottery" and s.draws == 0:
        return []  # the pool is still gathering
    repo = SessionRepository(db)
    repo.get(s.id, lock=True)
    free = s.capacity - repo.count(s.id, "admitted")
    chosen = rules.choose_next(s.admission, repo.waiting(s.id), free, rules.draw_seed(s.id, s.draws))
    if not chosen:
        return []
    if s.admission == "lottery":
        s.draws += 1
    now = utcnow()
    events: list[Event] = []
    for user_id in chosen:
        adm = repo.admission(s.id, user_id)
        assert adm is not None
        adm.state, adm.admitted_at, adm.seen_at = "admitted", now, now
        events.append({"aud": "user", "user": user_id, "event": {
            "type": "admission", "state": "admitted", "mode": s.admission, "capacity": s.capacity}})
    db.flush()
    return events + _queue_event(db, s)


def heartbeat(db: Session, session_id: str, user_ids: list[str]) -> None:
    """Those connected to this process are still here: their seats and places are kept."""
    SessionRepository(db).touch(session_id, user_ids, utcnow())


def sweep(db: Session, s: CircleSession) -> list[Event]:
    """Free the seats of people gone longer than the grace period, drop stale waiters, refill."""
    repo = SessionRepository(db)
    now = utcnow()
    gone = repo.stale(s.id, "admitted", now - SEAT_GRACE)
    lapsed = repo.stale(s.id, "waiting", now - WAIT_GRACE)
    for adm in gone + lapsed:
        adm.state = "left"
    db.flush()
    if not gone and not lapsed:
        return fill_seats(db, s)
    return fill_seats(db, s) or _queue_event(db, s)


# ---------------------------------------------------------------- contributions


def screen(text: str) -> tuple[list[str], list[str], list[dict[str, Any]], bool]:
    """Emotions, motifs and distress signals of a text, from the analysis engine; and whether screening
    worked. Without the engine, nothing is detected; if it fails, the guide sees the text first."""
    try:
        from dream_mosaic.analysis import analyze
    except ImportError:  # the engine is optional for circles
        return [], [], [], True
    try:
        result = analyze(text)
    except Exception:
        log.exception("screening a circle contribution failed")
        return [], [], [], False
    emotions: list[str] = sorted({e.code for e in result.emotions})
    motifs = list(dict.fromkeys(result.motifs))
    distress: list[dict[str, Any]] = [
        {"kind": d.kind, "sentence": d.sentence, "span": list(d.span), "confidence": d.confidence}
        for d in result.distress]
    return emotions, motifs, distress, True


def _seated(db: Session, s: CircleSession, user: User) -> tuple[Circle, bool, bool]:
    circle = circle_of(db, s.circle_id)
    guide = guides(db, s.circle_id, user)
    adm = SessionRepository(db).admission(s.id, user.id)
    return circle, guide, adm is not None and adm.state == "admitted"


def _refuse(s: CircleSession, kind: str, admitted: bool, guide: bool) -> None:
    refusal = rules.may_contribute(phase=rules.phase_spec(s.phases, s.phase), kind=kind, paused=s.paused,
                                   locked=s.locked, admitted=admitted, is_guide=guide)
    if refusal is not None:
        raise Conflict(refusal.message, code=refusal.code)


def share_into_circle(db: Session, dreamer: User, dream: Dream, circle: Circle) -> None:
    """Offering a journal dream shares it into the circle through the journal's own consent change:
    a circle link, and at least ``circle`` visibility. A wider visibility the dreamer chose is kept."""
    from dream_mosaic.journal import service as journal
    from dream_mosaic.journal.repository import DreamRepository
    from dream_mosaic.journal.schemas import ConsentUpdate

    if circle.id in dream.circle_ids and dream.visibility in consent.SHAREABLE:
        return
    keep = DreamRepository(db).member_circle_ids(dreamer, dream.circle_ids)
    visibility = dream.visibility if dream.visibility in consent.SHAREABLE else "circle"
    journal.set_consent(db, dreamer, dream.id, ConsentUpdate(
        visibility=visibility, attribution=dream.attribution,  # type: ignore[arg-type]
        circle_ids=[c for c in dream.circle_ids if c in keep] + [circle.id]))


def withdraw_offers(db: Session, dream_ids: list[str], *, deleted: bool) -> int:
    """Remove the offerings of these dreams from every session whose circle they are no longer shared
    into (or all of them, for deleted dreams). Returns how many were removed."""
    removed = 0
    for c, circle_id in SessionRepository(db).offers_of(dream_ids):
        dream = db.get(Dream, c.dream_id)
        still = not deleted and dream is not None and dream.visibility in consent.SHAREABLE \
            and circle_id in dream.circle_ids
        if not still:
            c.status, c.text, c.decided_at = rules.REMOVED, "", utcnow()
            removed += 1
    db.flush()
    return removed


def contribute(db: Session, user: User, s: CircleSession, data: ContributionIn
               ) -> tuple[Contribution, bool, list[Event]]:
    """Take a contribution. Returns (contribution, created, events); a resend of the same ``client_id``
    returns the first one and no events."""
    repo = SessionRepository(db)
    existing = repo.by_client_id(s.id, user.id, data.client_id)
    if existing is not None:
        return existing, False, []
    circle, guide, admitted = _seated(db, s, user)
    _refuse(s, data.kind, admitted, guide)
    if data.parent_id is not None:
        parent = repo.contribution(s.id, data.parent_id)
        if parent is None or not (parent.status == rules.VISIBLE or guide or parent.author_id == user.id):
            raise NotFound("No such fragment in this session.")
    chosen = data.attribution or circle.attribution_mode
    if data.dream_id is not None:
        from dream_mosaic.journal import service as journal

        dream = journal.own_dream(db, user, data.dream_id)  # only one's own dream can be offered
        share_into_circle(db, user, dream, circle)
        text = f"{dream.title}\n\n{dream.text}" if dream.title else dream.text
        attribution = consent.stricter_attribution(circle.attribution_mode, dream.attribution, chosen)
    else:
        assert data.text is not None
        text = data.text
        attribution = consent.stricter_attribution(circle.attribution_mode, chosen)
    emotions, motifs, distress, screened = screen(text)
    status = rules.initial_status(moderation=s.moderation, hold_until_reveal=s.hold_until_reveal,
                                  distress=bool(distress))
    if not screened and status == rules.VISIBLE:
        status = rules.PENDING
    c = Contribution(session_id=s.id, author_id=user.id, client_id=data.client_id, kind=data.kind,
                     parent_id=data.parent_id, dream_id=data.dream_id, text=text, attribution=attribution,
                     status=status, phase=s.phase, emotions=emotions, motifs=motifs, distress=distress,
                     created_at=utcnow())
    c.author = user
    db.add(c)
    db.flush()
    events = _status_events(c, None)
    if distress:
        events.append({"aud": "guides", "event": alert(c)})
    return c, True, events


def public_view(c: Contribution) -> dict[str, Any]:
    return {"type": "contribution", "id": c.id, "kind": c.kind, "parent_id": c.parent_id, "text": c.text,
            "phase": c.phase, "created_at": _utc(c.created_at).isoformat(),
            "author": {"attribution": c.attribution, "name": consent.shown_name(c.attribution, c.author)}}


def own_view(c: Contribution) -> dict[str, Any]:
    return {**public_view(c), "author": {"attribution": "self", "name": c.author.display_name},
            "mine": True, "status": c.status, "shown_as": c.attribution}


def guide_view(c: Contribution) -> dict[str, Any]:
    return {**public_view(c), "status": c.status, "emotions": c.emotions, "motifs": c.motifs,
            "distress": c.distress}


def alert(c: Contribution) -> dict[str, Any]:
    """A private distress alert for the guides: the sentence that raised it and what they can do."""
    return {"type": "alert", "contribution_id": c.id, "created_at": _utc(c.created_at).isoformat(),
            "author": public_view(c)["author"], "status": c.status,
            "signals": [{"kind": d["kind"], "sentence": d["sentence"], "confidence": d["confidence"]}
                        for d in c.distress],
            "actions": ["checkin", "hold", "release", "pause"]}


def _status_events(c: Contribution, before: str | None) -> list[Event]:
    events: list[Event] = [
        {"aud": "guides", "event": guide_view(c), "dirty": True},
        {"aud": "user", "user": c.author_id, "event": own_view(c)},
    ]
    if c.status == rules.VISIBLE and before != rules.VISIBLE:
        events.append({"aud": "seated", "except": c.author_id, "event": public_view(c), "dirty": True})
    elif before == rules.VISIBLE and c.status != rules.VISIBLE:
        events.append({"aud": "seated", "except": c.author_id, "event": {"type": "retract", "id": c.id},
                       "dirty": True})
    return events


def moderate(db: Session, guide: User, s: CircleSession, contribution_id: str, action: str) -> list[Event]:
    _guide_of(db, s, guide)
    c = SessionRepository(db).contribution(s.id, contribution_id)
    if c is None:
        raise NotFound("No such contribution in this session.")
    before = c.status
    try:
        c.status = rules.moderate(before, action)
    except ValueError as exc:
        raise Conflict(str(exc)) from exc
    c.decided_at = utcnow()
    if action == "remove":
        c.text = ""  # removed words are not kept
    db.flush()
    return _status_events(c, before)


def checkin(db: Session, guide: User, s: CircleSession, contribution_id: str, message: str) -> list[Event]:
    """A private word from the guide to the person behind a contribution; the guide needs no name."""
    _guide_of(db, s, guide)
    c = SessionRepository(db).contribution(s.id, contribution_id)
    if c is None:
        raise NotFound("No such contribution in this session.")
    return [{"aud": "user", "user": c.author_id, "event": {
        "type": "checkin", "contribution_id": c.id, "from": guide.display_name, "message": message,
        "at": utcnow().isoformat()}}]


def tap(db: Session, user: User, s: CircleSession, contribution_id: str) -> tuple[bool, list[Event]]:
    """This resonates with me. Once per person per fragment; counts only ever show in aggregates."""
    return tap_by_id(db, s.id, user.id, contribution_id)


def tap_by_id(db: Session, session_id: str, user_id: str, contribution_id: str) -> tuple[bool, list[Event]]:
    """``tap`` by ids: the most frequent write of a live circle, so one query for every check (session
    phase and flags, seat, guide role, the fragment visible in this session) and one
    ``INSERT … ON CONFLICT DO NOTHING``, with no objects loaded. Same rules, same answers."""
    repo = SessionRepository(db)
    row = repo.tap_context(session_id, user_id, contribution_id)
    if row is None:
        raise NotFound("No such session in this circle.")
    guide = row.user_role == "admin" or row.role == "guide"
    refusal = rules.may_contribute(phase=rules.phase_spec(row.phases, row.phase), kind="tap", paused=row.paused,
                                   locked=row.locked, admitted=row.seat == "admitted", is_guide=guide)
    if refusal is not None:
        raise Conflict(refusal.message, code=refusal.code)
    if row.status != rules.VISIBLE:
        raise NotFound("No such fragment in this session.")
    if not repo.add_tap(session_id, user_id, contribution_id, utcnow()):
        return False, []
    return True, [{"aud": "guides", "event": {"type": "tap", "id": contribution_id}, "dirty": True}]


# ---------------------------------------------------------------- what a viewer sees on arrival


def snapshot(db: Session, user: User, s: CircleSession) -> dict[str, Any]:
    """Everything a viewer may see now: guides all contributions with the moderation queue and alerts,
    participants the visible contributions and their own."""
    repo = SessionRepository(db)
    circle = circle_of(db, s.circle_id)
    guide = guides(db, s.circle_id, user)
    rows = repo.readable_contributions(s.id, user.id, everything=guide)
    if guide:
        items = [guide_view(c) for c in rows]
        alerts = [alert(c) for c in rows if c.distress and c.status == rules.HELD]
    else:
        items = [own_view(c) if c.author_id == user.id else public_view(c) for c in rows]
        alerts = []
    return {"type": "snapshot", "session": state(s), "guide": guide, "contributions": items,
            "alerts": alerts, "tapped": repo.tapped_by(s.id, user.id),
            "me": {"name": user.display_name, "alias": user.alias, "circle_mode": circle.attribution_mode}}


def facts(db: Session, s: CircleSession) -> tuple[list[rules.Fact], dict[str, int]]:
    """The visible contributions and tap counts that aggregates are computed from."""
    repo = SessionRepository(db)
    rows = [rules.Fact(id=i, kind=k, author_id=a, created_at=_utc(t), emotions=list(e or []),
                       motifs=list(m or []), excerpt=x or "")
            for i, k, a, t, e, m, x in repo.visible_facts(s.id)]
    return rows, repo.tap_counts(s.id)
