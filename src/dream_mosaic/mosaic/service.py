"""The mosaic's rules applied: gather consented fragments, weave, review, publish, notify, and mend every
mosaic when a dreamer withdraws a dream.

Sources are read only through the consent gate: a circle's dreams through ``consent.circle_dreams`` as
the reviewing guide, an archive selection through ``consent.readable_dreams`` as whoever asked.
Attribution is ``consent.author_label(dream, None, circle_mode)``: the stricter of the dreamer's choice
and the circle's mode, as anyone but the dreamer sees it; a mosaic never shows more.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from sqlalchemy.orm import Session

from dream_mosaic.core import consent, events
from dream_mosaic.core.errors import Invalid, NotFound
from dream_mosaic.core.models import Circle, Dream, User, utcnow
from dream_mosaic.mosaic import narrator, rules
from dream_mosaic.mosaic.models import Mosaic, MosaicNotice, MosaicVersion
from dream_mosaic.mosaic.repository import MosaicRepository
from dream_mosaic.mosaic.schemas import (
    Arrangement,
    Association,
    Attribution,
    Fragment,
    FragmentAnalysis,
    MosaicCreate,
    MosaicDocument,
    MosaicOut,
    NoticeOut,
    VersionOut,
)
from dream_mosaic.mosaic.weave import compose, summarize

log = logging.getLogger(__name__)
NOT_FOUND = "No mosaic with that id, or it is not yours to see."
PARALLEL_FROM = 400  # analyse in worker processes from this many unanalysed dreams


# --- analysis -----------------------------------------------------------------------------------------


def _analyze_chunk(texts: list[str]) -> list[dict[str, Any]]:
    from dream_mosaic.analysis import analyze_many

    return [a.model_dump() for a in analyze_many(texts)]


def analyse_texts(texts: Sequence[str], workers: int | None = None) -> list[FragmentAnalysis]:
    """Analysis summaries of texts with the analysis engine, in worker processes when there are many.

    Without the engine (not installed yet) every summary is empty and marked unavailable.
    """
    try:
        from dream_mosaic.analysis import DreamAnalysis, analyze_many
    except ImportError:
        return [FragmentAnalysis(available=False) for _ in texts]
    texts = list(texts)
    workers = workers or min(os.cpu_count() or 1, 4)
    if len(texts) < PARALLEL_FROM or workers < 2:
        return [summarize(a) for a in analyze_many(texts)]
    size = -(-len(texts) // (workers * 4))
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = [a for chunk in pool.map(_analyze_chunk, chunks) for a in chunk]
    return [summarize(DreamAnalysis.model_validate(a)) for a in results]


def _summaries(repo: MosaicRepository, dreams: Sequence[Dream]) -> dict[str, FragmentAnalysis]:
    """Stored analyses where the analysis engine has them for the current text; the rest analysed now."""
    stored = repo.stored_analyses(dreams)
    out: dict[str, FragmentAnalysis] = {}
    if stored:
        from dream_mosaic.analysis import DreamAnalysis

        for dream_id, data in stored.items():
            try:
                out[dream_id] = summarize(DreamAnalysis.model_validate(data))
            except ValueError:
                continue
    missing = [d for d in dreams if d.id not in out]
    for d, s in zip(missing, analyse_texts([d.text for d in missing]), strict=True):
        out[d.id] = s
    return out


# --- gathering fragments --------------------------------------------------------------------------------


def _label(user: User, mode: str) -> Attribution:
    if mode == "named":
        return Attribution(attribution=mode, name=user.display_name)
    if mode == "alias":
        return Attribution(attribution=mode, name=user.alias)
    return Attribution(attribution="anonymous", name=None)


def fragments_of(repo: MosaicRepository, dreams: Sequence[Dream], circle: Circle | None) -> list[Fragment]:
    """Fragments of consented dreams: exact text, attribution as allowed, associations, analysis."""
    mode = circle.attribution_mode if circle else None
    summaries = _summaries(repo, dreams)
    assoc = repo.associations(circle.id, [d.id for d in dreams]) if circle else {}
    taps = repo.taps(circle.id, [d.id for d in dreams]) if circle else {}
    out = []
    for d in dreams:
        label = consent.author_label(d, None, mode)
        associations = [
            Association(id=c.id, text=c.text, attribution=_label(
                author, consent.stricter_attribution(c.attribution or "anonymous", mode or "anonymous")))
            for c, author in assoc.get(d.id, [])
        ]
        out.append(Fragment(
            dream_id=d.id, text=d.text, title=d.title or "", attribution=Attribution.model_validate(label),
            dreamt_on=d.dreamt_on.isoformat() if d.dreamt_on else None, associations=associations,
            taps=taps.get(d.id, 0), analysis=summaries[d.id],
        ))
    return out


def weave_circle(session: Session, viewer: User, circle_id: str, *, title: str | None = None,
                 order: Sequence[str] = (), narrate: bool = False, settings: object | None = None) -> MosaicDocument:
    """A circle's mosaic as ``viewer`` (a member) may weave it: the dreams shared into the circle."""
    repo = MosaicRepository(session)
    circle = repo.circle(circle_id)
    if circle is None or not any(m.user_id == viewer.id for m in circle.members):
        raise NotFound("No circle with that id, or you are not a member.")
    fragments = fragments_of(repo, repo.circle_dreams(viewer, circle.id), circle)
    doc = compose(fragments, title=title or f"{circle.name}: a mosaic", circle_id=circle.id,
                  circle_name=circle.name, order=order)
    return _narrated(doc, narrate, settings)


def weave_query(session: Session, viewer: User, query: str, *, title: str | None = None,
                order: Sequence[str] = (), narrate: bool = False, settings: object | None = None) -> MosaicDocument:
    """A mosaic of an archive selection, among the dreams ``viewer`` may read."""
    repo = MosaicRepository(session)
    dreams, how = repo.query_dreams(viewer, query)
    notes = [] if how == "archive search" else [
        "Selected with the built-in query language (words, \"phrases\", collection:, tag:, limit:); the "
        "archive's search was not installed."]
    doc = compose(fragments_of(repo, dreams, None), title=title or f"A mosaic of “{query}”", query=query,
                  order=order, notes=notes)
    return _narrated(doc, narrate, settings)


def _narrated(doc: MosaicDocument, narrate: bool, settings: object | None) -> MosaicDocument:
    if not narrate:
        return doc
    config = narrator.configured(settings)
    if config is None:
        return doc.model_copy(update={"notes": [*doc.notes, "Narration was asked for, but no narrator is "
                                                "configured (MOSAIC_NARRATOR_URL)."]})
    passages, note = narrator.narrate(doc.fragments, config)
    return doc.model_copy(update={"narration": passages, "notes": [*doc.notes, *([note] if note else [])]})


# --- drafts, review and publishing ----------------------------------------------------------------------


def _is_guide(circle: Circle, user: User) -> bool:
    return any(m.user_id == user.id and m.role == "guide" for m in circle.members)


def _is_member(circle: Circle, user: User) -> bool:
    return any(m.user_id == user.id for m in circle.members)


def may_review(repo: MosaicRepository, mosaic: Mosaic, user: User) -> bool:
    circle = repo.circle(mosaic.circle_id) if mosaic.circle_id else None
    return rules.can_review(bool(circle and _is_guide(circle, user)), mosaic.created_by == user.id,
                            mosaic.circle_id)


def may_read_published(repo: MosaicRepository, mosaic: Mosaic, user: User) -> bool:
    if mosaic.circle_id is None:
        return mosaic.created_by == user.id
    circle = repo.circle(mosaic.circle_id)
    return bool(circle and _is_member(circle, user))


def _basis(repo: MosaicRepository, mosaic: Mosaic) -> User | None:
    """Whose consent view a mosaic is woven from: its creator while they may still review it, else another
    guide of its circle."""
    creator = repo.user(mosaic.created_by)
    if mosaic.circle_id is None:
        return creator
    circle = repo.circle(mosaic.circle_id)
    if circle is None:
        return None
    if creator is not None and _is_guide(circle, creator):
        return creator
    guide = next((m.user for m in circle.members if m.role == "guide"), None)
    return guide


def reviewable(session: Session, viewer: User, mosaic_id: str) -> Mosaic:
    repo = MosaicRepository(session)
    mosaic = repo.get(mosaic_id)
    if mosaic is None or not may_review(repo, mosaic, viewer):
        raise NotFound(NOT_FOUND)
    return mosaic


def readable(session: Session, viewer: User, mosaic_id: str) -> Mosaic:
    repo = MosaicRepository(session)
    mosaic = repo.get(mosaic_id)
    if mosaic is None or not (may_review(repo, mosaic, viewer) or may_read_published(repo, mosaic, viewer)):
        raise NotFound(NOT_FOUND)
    return mosaic


def create_draft(session: Session, viewer: User, data: MosaicCreate, settings: object | None = None) -> Mosaic:
    repo = MosaicRepository(session)
    if data.circle_id:
        circle = repo.circle(data.circle_id)
        if circle is None or not _is_member(circle, viewer):
            raise NotFound("No circle with that id, or you are not a member.")
        if not _is_guide(circle, viewer):
            raise NotFound("Only this circle's guides weave its mosaic.")
    mosaic = Mosaic(circle_id=data.circle_id, query=data.query, created_by=viewer.id, title=data.title or "",
                    narrate=data.narrate)
    session.add(mosaic)
    session.flush()
    reweave(session, mosaic, settings)
    return mosaic


def reweave(session: Session, mosaic: Mosaic, settings: object | None = None) -> None:
    """Weave the draft again from what is consented now (keeping the guide's order and leave-outs)."""
    repo = MosaicRepository(session)
    basis = _basis(repo, mosaic)
    if basis is None:
        mosaic.draft = None
        return
    title = mosaic.title or None
    if mosaic.circle_id:
        doc = weave_circle(session, basis, mosaic.circle_id, title=title, order=mosaic.order_ids,
                           narrate=mosaic.narrate, settings=settings)
    else:
        doc = weave_query(session, basis, mosaic.query or "", title=title, order=mosaic.order_ids,
                          narrate=mosaic.narrate, settings=settings)
    if not mosaic.title:
        mosaic.title = doc.title
    mosaic.draft = doc.model_dump(mode="json")
    mosaic.updated_at = utcnow()
    repo.remember_dreams(mosaic.id, [f.dream_id for f in doc.fragments])
    session.flush()


def draft_document(mosaic: Mosaic) -> MosaicDocument | None:
    """The draft as the guide has arranged it."""
    if mosaic.draft is None:
        return None
    pool = MosaicDocument.model_validate(mosaic.draft)
    return rules.present_draft(pool, mosaic.order_ids, mosaic.excluded)


def arrange(session: Session, viewer: User, mosaic_id: str, data: Arrangement) -> Mosaic:
    mosaic = reviewable(session, viewer, mosaic_id)
    known = {f["dream_id"] for f in (mosaic.draft or {}).get("fragments", [])}
    for name, ids in (("order", data.order), ("excluded", data.excluded)):
        unknown = [i for i in ids or [] if i not in known]
        if unknown:
            raise Invalid(f"'{name}' names fragments that are not in this draft.", fragments=unknown[:20])
    if data.order is not None:
        mosaic.order_ids = list(dict.fromkeys(data.order))
    if data.excluded is not None:
        mosaic.excluded = list(dict.fromkeys(data.excluded))
    if data.title is not None and data.title.strip():
        mosaic.title = data.title.strip()
        if mosaic.draft is not None:
            mosaic.draft = {**mosaic.draft, "title": mosaic.title}
    mosaic.updated_at = utcnow()
    session.flush()
    return mosaic


def publish(session: Session, viewer: User, mosaic_id: str) -> MosaicVersion:
    """Freeze the arranged draft as the next version, and tell the circle's participants."""
    mosaic = reviewable(session, viewer, mosaic_id)
    repo = MosaicRepository(session)
    doc = draft_document(mosaic)
    if doc is None or not doc.fragments:
        raise Invalid("There is nothing to publish: weave a draft with at least one fragment first.")
    number = repo.next_version(mosaic.id)
    doc = doc.model_copy(update={"status": "published", "version": number})
    version = MosaicVersion(mosaic_id=mosaic.id, version=number, document=doc.model_dump(mode="json"),
                            published_by=viewer.id)
    session.add(version)
    repo.remember_dreams(mosaic.id, [f.dream_id for f in doc.fragments])
    if mosaic.circle_id:
        circle = repo.circle(mosaic.circle_id)
        name = circle.name if circle else "your circle"
        for member in repo.members(mosaic.circle_id):
            if member.user_id != viewer.id:
                session.add(MosaicNotice(user_id=member.user_id, mosaic_id=mosaic.id, circle_id=mosaic.circle_id,
                                         version=number, message=f"A mosaic of {name} was published: "
                                         f"“{mosaic.title}”, version {number}."))
    session.flush()
    return version


def version_document(session: Session, viewer: User, mosaic_id: str, number: int | None = None) -> MosaicDocument:
    mosaic = readable(session, viewer, mosaic_id)
    repo = MosaicRepository(session)
    numbers = repo.version_numbers(mosaic.id)
    if not numbers:
        raise NotFound("This mosaic has not been published yet.")
    version = repo.version(mosaic.id, number if number is not None else numbers[-1])
    if version is None:
        raise NotFound("No such version of this mosaic.")
    return MosaicDocument.model_validate(version.document)


def present(session: Session, mosaic: Mosaic, *, with_draft: bool) -> MosaicOut:
    versions = MosaicRepository(session).version_numbers(mosaic.id)
    return MosaicOut(
        id=mosaic.id, circle_id=mosaic.circle_id, query=mosaic.query, title=mosaic.title,
        status="published" if versions else "draft", versions=versions, order=list(mosaic.order_ids),
        excluded=list(mosaic.excluded),
        updated_at=mosaic.updated_at, document=draft_document(mosaic) if with_draft else None,
    )


def present_version(version: MosaicVersion) -> VersionOut:
    return VersionOut(mosaic_id=version.mosaic_id, version=version.version, published_at=version.published_at,
                      document=MosaicDocument.model_validate(version.document))


def notices(session: Session, viewer: User, unread_only: bool = False) -> list[NoticeOut]:
    return [NoticeOut(id=n.id, mosaic_id=n.mosaic_id, circle_id=n.circle_id, version=n.version, message=n.message,
                      created_at=n.created_at, read=n.read)
            for n in MosaicRepository(session).notices(viewer, unread_only)]


def mark_read(session: Session, viewer: User, notice_ids: Sequence[str]) -> int:
    count = 0
    wanted = set(notice_ids)
    for n in MosaicRepository(session).notices(viewer, unread_only=True):
        if n.id in wanted:
            n.read = True
            count += 1
    session.flush()
    return count


# --- withdrawal -------------------------------------------------------------------------------------------


def withdraw(session: Session, dream_ids: Sequence[str], change: str) -> list[str]:
    """Mend every mosaic that used these dreams, inside the transaction that changed them.

    Drafts drop the fragments at once (a job re-weaves them after the commit, so an edited or re-consented
    dream comes back as it now is). Published versions strike a fragment whose dream was deleted, is no
    longer consented, or whose text changed; a stricter attribution is applied in place.
    Returns the ids of the mosaics mended, for the job that re-weaves drafts.
    """
    repo = MosaicRepository(session)
    mosaics = repo.using(dream_ids)
    if not mosaics:
        return []
    changed = set(dream_ids)
    current = {} if change == events.DELETED else repo.dreams_by_id(list(changed))
    for mosaic in mosaics:
        basis = _basis(repo, mosaic)
        if change == events.DELETED:
            allowed: set[str] = set()
        elif mosaic.circle_id:
            allowed = repo.still_in_circle(basis, mosaic.circle_id, list(changed))
        else:
            allowed = repo.still_readable(basis, list(changed))
        if mosaic.draft is not None:
            pool = MosaicDocument.model_validate(mosaic.draft)
            left = [f for f in pool.fragments if f.dream_id not in changed]
            if len(left) != len(pool.fragments):
                again = compose(left, title=pool.title, circle_id=pool.circle_id, circle_name=pool.circle_name,
                                query=pool.query, order=[f.dream_id for f in left], woven_at=pool.woven_at,
                                notes=pool.notes)
                again = again.model_copy(update={"narration": [p for p in pool.narration
                                                               if not set(p.cites) & changed]})
                mosaic.draft = again.model_dump(mode="json")
                mosaic.updated_at = utcnow()
        circle = repo.circle(mosaic.circle_id) if mosaic.circle_id else None
        for version in repo.versions(mosaic.id):
            doc = MosaicDocument.model_validate(version.document)
            struck: dict[str, str] = {}
            relabel: dict[str, Attribution] = {}
            for dream_id in changed:
                fragment = doc.fragment(dream_id)
                if fragment is None or fragment.struck:
                    continue
                dream = current.get(dream_id)
                if dream is None or dream_id not in allowed:
                    struck[dream_id] = rules.WITHDRAWN_NOTE
                elif dream.text != fragment.text:
                    struck[dream_id] = rules.CHANGED_NOTE
                else:
                    relabel[dream_id] = Attribution.model_validate(consent.author_label(
                        dream, None, circle.attribution_mode if circle else None))
            mended = rules.mend(doc, struck, relabel)
            if mended is not doc:
                version.document = mended.model_dump(mode="json")
                version.struck = sorted(set(version.struck or []) | set(struck))
    session.flush()
    return [m.id for m in mosaics]


def refresh_drafts(session: Session, mosaic_ids: Sequence[str], settings: object | None = None) -> int:
    """Re-weave these drafts from what is consented now (the job after a dream changed)."""
    repo = MosaicRepository(session)
    done = 0
    for mosaic_id in mosaic_ids:
        mosaic = repo.get(mosaic_id)
        if mosaic is not None and mosaic.draft is not None:
            reweave(session, mosaic, settings)
            done += 1
    return done
