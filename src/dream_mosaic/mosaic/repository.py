"""Every mosaic query. Dreams are read only through the consent gate (``core.consent``); the archive's
search and the live circles' associations are used when those features are installed."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Text, cast, delete, func, select
from sqlalchemy.orm import Session

from dream_mosaic.core import consent
from dream_mosaic.core.models import Circle, CircleMember, Collection, Dream, User
from dream_mosaic.mosaic.models import Mosaic, MosaicDream, MosaicNotice, MosaicVersion

MAX_QUERY_DREAMS = 20_000
_TERM = re.compile(r'(\w+):("[^"]*"|\S+)|"([^"]+)"|(\S+)')


class MosaicRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    # --- mosaics --------------------------------------------------------------------------------------

    def get(self, mosaic_id: str) -> Mosaic | None:
        return self.session.get(Mosaic, mosaic_id)

    def for_circle(self, circle_id: str) -> list[Mosaic]:
        return list(self.session.scalars(
            select(Mosaic).where(Mosaic.circle_id == circle_id).order_by(Mosaic.updated_at.desc())))

    def of_creator(self, user: User) -> list[Mosaic]:
        return list(self.session.scalars(
            select(Mosaic).where(Mosaic.created_by == user.id, Mosaic.circle_id.is_(None))
            .order_by(Mosaic.updated_at.desc())))

    def versions(self, mosaic_id: str) -> list[MosaicVersion]:
        return list(self.session.scalars(
            select(MosaicVersion).where(MosaicVersion.mosaic_id == mosaic_id).order_by(MosaicVersion.version)))

    def version_numbers(self, mosaic_id: str) -> list[int]:
        return list(self.session.scalars(
            select(MosaicVersion.version).where(MosaicVersion.mosaic_id == mosaic_id)
            .order_by(MosaicVersion.version)))

    def version(self, mosaic_id: str, number: int) -> MosaicVersion | None:
        return self.session.get(MosaicVersion, (mosaic_id, number))

    def next_version(self, mosaic_id: str) -> int:
        top = self.session.scalar(select(func.max(MosaicVersion.version)).where(MosaicVersion.mosaic_id == mosaic_id))
        return int(top or 0) + 1

    def remember_dreams(self, mosaic_id: str, dream_ids: Sequence[str]) -> None:
        known = set(self.session.scalars(select(MosaicDream.dream_id).where(MosaicDream.mosaic_id == mosaic_id)))
        for dream_id in dict.fromkeys(dream_ids):
            if dream_id not in known:
                self.session.add(MosaicDream(mosaic_id=mosaic_id, dream_id=dream_id))

    def forget_dreams(self, dream_ids: Sequence[str]) -> None:
        self.session.execute(delete(MosaicDream).where(MosaicDream.dream_id.in_(list(dream_ids))))

    def using(self, dream_ids: Sequence[str]) -> list[Mosaic]:
        """Every mosaic that holds any of these dreams in its draft or a version."""
        ids = select(MosaicDream.mosaic_id).where(MosaicDream.dream_id.in_(list(dream_ids)))
        return list(self.session.scalars(select(Mosaic).where(Mosaic.id.in_(ids))))

    # --- notices --------------------------------------------------------------------------------------

    def notices(self, user: User, unread_only: bool = False) -> list[MosaicNotice]:
        stmt = select(MosaicNotice).where(MosaicNotice.user_id == user.id)
        if unread_only:
            stmt = stmt.where(MosaicNotice.read.is_(False))
        return list(self.session.scalars(stmt.order_by(MosaicNotice.created_at.desc()).limit(200)))

    def members(self, circle_id: str) -> list[CircleMember]:
        return list(self.session.scalars(select(CircleMember).where(CircleMember.circle_id == circle_id)))

    def circle(self, circle_id: str) -> Circle | None:
        return self.session.get(Circle, circle_id)

    def user(self, user_id: str | None) -> User | None:
        return self.session.get(User, user_id) if user_id else None

    def user_by_name(self, username: str) -> User | None:
        return self.session.scalar(select(User).where(User.username == username.strip().lower()))

    # --- sources, through the consent gate --------------------------------------------------------------

    def circle_dreams(self, viewer: User, circle_id: str) -> list[Dream]:
        stmt = consent.circle_dreams(viewer, circle_id).order_by(Dream.dreamt_on, Dream.created_at, Dream.id)
        return list(self.session.scalars(stmt))

    def still_in_circle(self, viewer: User | None, circle_id: str, dream_ids: Sequence[str]) -> set[str]:
        if viewer is None:
            return set()
        stmt = consent.circle_dreams(viewer, circle_id).where(Dream.id.in_(list(dream_ids)))
        return {d.id for d in self.session.scalars(stmt)}

    def still_readable(self, viewer: User | None, dream_ids: Sequence[str]) -> set[str]:
        stmt = consent.readable_dreams(viewer).where(Dream.id.in_(list(dream_ids)))
        return {d.id for d in self.session.scalars(stmt)}

    def dreams_by_id(self, dream_ids: Sequence[str]) -> dict[str, Dream]:
        return {d.id: d for d in self.session.scalars(select(Dream).where(Dream.id.in_(list(dream_ids))))}

    def query_dreams(self, viewer: User, query: str, limit: int = MAX_QUERY_DREAMS) -> tuple[list[Dream], str]:
        """Dreams an archive query selects, among those ``viewer`` may read. Uses the archive's search when
        that feature is installed; otherwise a small built-in language (see :func:`parse_query`)."""
        found = _archive_search(self.session, viewer, query, limit)
        if found is not None:
            ids = found
            stmt = consent.readable_dreams(viewer).where(Dream.id.in_(ids))  # the gate again, whatever it said
            rank = {d: i for i, d in enumerate(ids)}
            return sorted(self.session.scalars(stmt), key=lambda d: rank.get(d.id, 0)), "archive search"
        stmt = consent.readable_dreams(viewer)
        terms = parse_query(query)
        for word in terms["words"]:
            stmt = stmt.where(func.lower(Dream.text).contains(word.lower(), autoescape=True))
        if terms["collection"]:
            stmt = stmt.join(Collection, Collection.id == Dream.collection_id).where(
                Collection.slug.in_(terms["collection"]))
        for tag in terms["tag"]:
            stmt = stmt.where(func.lower(cast(Dream.tags, Text)).contains(f'"{tag.lower()}"', autoescape=True))
        cap = min(limit, int(terms["limit"][0])) if terms["limit"] and terms["limit"][0].isdigit() else limit
        stmt = stmt.order_by(Dream.dreamt_on, Dream.created_at, Dream.id).limit(cap)
        return list(self.session.scalars(stmt)), "built-in query"

    # --- what other features know about these dreams -----------------------------------------------------

    def stored_analyses(self, dreams: Sequence[Dream]) -> dict[str, dict[str, Any]]:
        """The analysis engine's stored analyses of these dreams' current texts (empty without it)."""
        try:
            from dream_mosaic.analysis.repository import AnalysisRepository
            from dream_mosaic.analysis.service import current_analysis
        except ImportError:
            return {}
        out: dict[str, dict[str, Any]] = {}
        ids = [d.id for d in dreams]
        for start in range(0, len(ids), 900):
            records = AnalysisRepository(self.session).records(ids[start:start + 900])
            for d in dreams[start:start + 900]:
                found = current_analysis(d, records.get(d.id))
                if found is not None:
                    out[d.id] = found
        return out

    def associations(self, circle_id: str, dream_ids: Sequence[str]) -> dict[str, list[tuple[Any, User]]]:
        """Visible associations that circle members made, in this circle's live sessions, to these dreams:
        ``{dream_id: [(contribution, author), ...]}``. Empty until the live circles feature is installed."""
        try:
            from dream_mosaic.circles.models import CircleSession, Contribution
        except ImportError:
            return {}
        if not dream_ids:
            return {}
        offered = (
            select(Contribution.id, Contribution.dream_id)
            .join(CircleSession, CircleSession.id == Contribution.session_id)
            .where(CircleSession.circle_id == circle_id, Contribution.dream_id.in_(list(dream_ids)),
                   Contribution.kind == "dream")
        )
        parent_to_dream: dict[str, str] = {cid: did for cid, did in self.session.execute(offered) if did}
        if not parent_to_dream:
            return {}
        rows = self.session.scalars(
            select(Contribution).where(Contribution.parent_id.in_(list(parent_to_dream)),
                                       Contribution.kind == "association", Contribution.status == "visible")
            .order_by(Contribution.created_at))
        out: dict[str, list[tuple[Any, User]]] = defaultdict(list)
        for c in rows:
            if c.parent_id in parent_to_dream:
                out[parent_to_dream[c.parent_id]].append((c, c.author))
        return dict(out)


    def taps(self, circle_id: str, dream_ids: Sequence[str]) -> dict[str, int]:
        """How many members tapped "this resonates" on each dream in this circle's live sessions."""
        try:
            from dream_mosaic.circles.models import CircleSession, Contribution, ResonanceTap
        except ImportError:
            return {}
        if not dream_ids:
            return {}
        stmt = (
            select(Contribution.dream_id, func.count(func.distinct(ResonanceTap.user_id)))
            .join(ResonanceTap, ResonanceTap.contribution_id == Contribution.id)
            .join(CircleSession, CircleSession.id == Contribution.session_id)
            .where(CircleSession.circle_id == circle_id, Contribution.dream_id.in_(list(dream_ids)),
                   Contribution.kind == "dream")
            .group_by(Contribution.dream_id)
        )
        return {dream_id: int(n) for dream_id, n in self.session.execute(stmt) if dream_id}


def parse_query(query: str) -> dict[str, list[str]]:
    """The built-in query language, used until the archive's is installed: words and "quoted phrases" that
    must all appear in the text, ``collection:SLUG`` (or ``series:SLUG``), ``tag:TAG`` and ``limit:N``."""
    out: dict[str, list[str]] = {"words": [], "collection": [], "tag": [], "limit": []}
    for key, value, phrase, word in _TERM.findall(query):
        if key:
            key = "collection" if key.lower() in {"collection", "series"} else key.lower()
            value = value.strip('"')
            if key in out and value:
                out[key].append(value)
            else:
                out["words"].append(f"{key}:{value}")
        elif phrase:
            out["words"].append(phrase)
        elif word:
            out["words"].append(word)
    return out


def _archive_search(session: Session, viewer: User, query: str, limit: int) -> list[str] | None:
    """Dream ids from ``dream_mosaic.archive``'s search service (all pages, up to ``limit``), or None while
    that feature is not installed."""
    try:
        from dream_mosaic.archive import service as archive  # type: ignore[attr-defined,unused-ignore]
    except ImportError:
        return None
    search = getattr(archive, "search", None)
    if search is None:
        return None
    ids: list[str] = []
    after: Any = None
    while len(ids) < limit:
        try:
            page = search(session, viewer, query, limit=min(500, limit - len(ids)), after=after)
        except TypeError:  # a search service with another signature: use the built-in language instead
            return None
        hits = getattr(page, "results", None)
        if hits is None:
            hits = getattr(page, "items", page)
        before = len(ids)
        for hit in hits:
            dream_id = hit if isinstance(hit, str) else getattr(hit, "id", None) or getattr(hit, "dream_id", None)
            if dream_id:
                ids.append(str(dream_id))
        after = getattr(page, "next_after", None)
        if after is None or len(ids) == before:
            break
    return ids
