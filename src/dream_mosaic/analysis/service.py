"""Analysing stored dreams and keeping the results: idempotent, versioned, failures recorded.

:func:`analyse_dreams` is what every job and ``mosaic analyze --all`` call. For each dream it compares
what is stored (the analysed text's hash, each component's version, the embedding model) with what
would be produced now, and does only the difference:

- everything current: nothing (so a job that runs twice, or a retried batch, is harmless);
- same text, some component newer: only those components (and what reads them) run again;
- new text, a changed cast (the names its dreamer has declared: ``analysis.cast``), or nothing stored:
  the whole pipeline.

Computation happens outside any write transaction; the write re-reads each dream and drops a result
whose dream was edited or deleted meanwhile (the edit queued its own analysis). A dream whose analysis
raises is retried by the job queue up to ``MAX_ATTEMPTS`` times, then marked ``failed`` with the error
kept for its dreamer to see. The rest of its batch is stored regardless.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dream_mosaic.analysis.cast import StatedRelation, groups_by_cast, stated_relations
from dream_mosaic.analysis.cast import codes as cast_codes
from dream_mosaic.analysis.cast import digest as cast_digest
from dream_mosaic.analysis.models import EMOTION_COLUMNS, AnalysisRecord
from dream_mosaic.analysis.repository import AnalysisRepository
from dream_mosaic.analysis.schemas import DreamAnalysis
from dream_mosaic.core.database import Database
from dream_mosaic.core.models import AnalysisStatus, Dream, utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
ERROR_LIMIT = 2000
CAST_KEY = "cast"  # in a record's versions: the fingerprint of the cast it was analysed with


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# The engine, behind three small functions (tests replace them to simulate failures).
def pipeline_versions() -> dict[str, str]:
    from dream_mosaic.analysis import default_pipeline

    return dict(default_pipeline().versions)


def run_full(texts: list[str], cast: Mapping[str, str] | None = None) -> list[DreamAnalysis]:
    from dream_mosaic.analysis import analyze_many

    return analyze_many(texts, cast)


def run_update(text: str, previous: DreamAnalysis, cast: Mapping[str, str] | None = None) -> DreamAnalysis:
    from dream_mosaic.analysis import default_pipeline

    return default_pipeline().update(text, previous, cast)


def run_embed(texts: list[str]) -> np.ndarray:
    from dream_mosaic.analysis import embed

    return embed(texts)


def embedding_model() -> str:
    from dream_mosaic.analysis.embedding import MODEL_NAME

    return MODEL_NAME


@dataclass
class BatchResult:
    analysed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already current
    retry: dict[str, str] = field(default_factory=dict)  # failed, will be retried: id -> error
    failed: dict[str, str] = field(default_factory=dict)  # failed for good: id -> error
    missing: list[str] = field(default_factory=list)  # deleted (or edited) before the result was stored

    @property
    def first_error(self) -> str:
        return next(iter({**self.retry, **self.failed}.values()), "")


@dataclass
class _Work:
    dream_id: str
    text: str
    digest: str
    previous: DreamAnalysis | None  # set when only stale components need to run
    keep_embedding: bool
    cast: dict[str, str] = field(default_factory=dict)  # the names its dreamer has declared
    versions: dict[str, str] = field(default_factory=dict)  # what it is analysed by, its cast included
    analysis: DreamAnalysis | None = None
    vector: np.ndarray | None = None
    error: str | None = None


def _is_current(rec: AnalysisRecord | None, digest: str, versions: dict[str, str], model: str) -> bool:
    return (
        rec is not None
        and rec.status == AnalysisStatus.done.value
        and rec.text_hash == digest
        and rec.versions == versions
        and rec.embedding_model == model
    )


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:ERROR_LIMIT]


def _guarded(items: list[_Work], batch: Callable[[list[_Work]], None], one: Callable[[_Work], None]) -> None:
    """Run ``batch`` over all items; if it raises, run ``one`` per item so one bad dream fails alone."""
    if not items:
        return
    try:
        batch(items)
        return
    except Exception as exc:
        if len(items) == 1:
            items[0].error = _describe(exc)
            return
        log.warning("analysis batch of %d failed; retrying dream by dream", len(items), exc_info=True)
    for item in items:
        try:
            one(item)
        except Exception as exc:
            item.error = _describe(exc)


def _compute(work: list[_Work]) -> None:
    full = [w for w in work if w.previous is None]
    partial = [w for w in work if w.previous is not None]

    def full_batch(items: list[_Work]) -> None:
        # one engine call per cast: most dreams have none, and a dreamer's dreams share theirs
        for idx in groups_by_cast([w.cast for w in items]):
            group = [items[i] for i in idx]
            for item, analysis in zip(group, run_full([w.text for w in group], group[0].cast), strict=True):
                item.analysis = analysis

    def full_one(item: _Work) -> None:
        item.analysis = run_full([item.text], item.cast)[0]

    def partial_one(item: _Work) -> None:
        assert item.previous is not None
        item.analysis = run_update(item.text, item.previous, item.cast)

    _guarded(full, full_batch, full_one)
    for item in partial:
        try:
            partial_one(item)
        except Exception as exc:
            item.error = _describe(exc)

    needs_vector = [w for w in work if w.error is None and not w.keep_embedding]

    def embed_batch(items: list[_Work]) -> None:
        vectors = run_embed([w.text for w in items])
        for item, vector in zip(items, vectors, strict=True):
            item.vector = vector

    def embed_one(item: _Work) -> None:
        item.vector = run_embed([item.text])[0]

    _guarded(needs_vector, embed_batch, embed_one)


def _fill(rec: AnalysisRecord, item: _Work, model: str) -> None:
    analysis = item.analysis
    assert analysis is not None
    present = analysis.emotion_codes()
    rec.analysis = analysis.model_dump(mode="json")
    rec.text_hash = item.digest
    rec.versions = dict(item.versions)
    rec.embedding_model = model
    if item.vector is not None:
        rec.embedding = np.asarray(item.vector, dtype="<f4").tobytes()
    rec.valence = float(analysis.valence)
    for code, column in EMOTION_COLUMNS.items():
        setattr(rec, column, code in present)
    rec.dreamer_present = bool(analysis.dreamer_present)
    rec.n_characters = len(analysis.characters)
    kinds = [i.kind for i in analysis.interactions]
    rec.n_aggression = kinds.count("aggression")
    rec.n_friendliness = kinds.count("friendliness")
    rec.n_sexuality = kinds.count("sexuality")
    rec.n_distress = len(analysis.distress)
    rec.status = AnalysisStatus.done.value
    rec.error = None
    rec.analysed_at = utcnow()


def _mark_done_where_pending(db: Database, dream_ids: list[str]) -> None:
    """A dream whose stored analysis is current is done, even if a crash left its status pending."""
    from sqlalchemy import select

    from dream_mosaic.core.models import Dream

    with db.transaction(write=False) as session:
        stale = list(session.scalars(
            select(Dream.id).where(Dream.id.in_(dream_ids), Dream.analysis_status != AnalysisStatus.done.value)))
    if stale:
        with db.transaction() as session:
            AnalysisRepository(session).set_dream_status(stale, AnalysisStatus.done.value)


def analyse_dreams(db: Database, dream_ids: Sequence[str], *, force: bool = False) -> BatchResult:
    """Bring the stored analysis of these dreams up to date. Safe to call any number of times."""
    result = BatchResult()
    ids = list(dict.fromkeys(dream_ids))
    versions = pipeline_versions()
    model = embedding_model()

    with db.transaction(write=False) as session:
        repo = AnalysisRepository(session)
        texts = repo.dream_texts(ids)
        records = repo.records(list(texts))
        casts = repo.dreamer_casts(list(texts))
        work: list[_Work] = []
        for dream_id in ids:
            if dream_id not in texts:
                result.missing.append(dream_id)
                continue
            text = texts[dream_id]
            digest = text_hash(text)
            rec = records.get(dream_id)
            cast = cast_codes(casts.get(dream_id, {}))
            # The cast shapes the characters and all that reads them: an analysis made with another cast
            # (or none) is out of date, and is redone in full.
            wanted = versions if not cast else {**versions, CAST_KEY: cast_digest(cast) or ""}
            if not force and _is_current(rec, digest, wanted, model):
                result.skipped.append(dream_id)
                continue
            same_text = not force and rec is not None and rec.analysis is not None and rec.text_hash == digest
            same_cast = rec is not None and (rec.versions or {}).get(CAST_KEY) == wanted.get(CAST_KEY)
            previous = (
                DreamAnalysis.model_validate(rec.analysis) if same_text and same_cast and rec is not None else None
            )
            keep = same_text and rec is not None and rec.embedding_model == model
            work.append(_Work(dream_id, text, digest, previous, keep, cast, wanted))

    if result.skipped:
        _mark_done_where_pending(db, result.skipped)
    if not work:
        return result
    _compute(work)

    with db.transaction() as session:
        repo = AnalysisRepository(session)
        now_texts = repo.dream_texts([w.dream_id for w in work], lock=True)
        records = repo.records(list(now_texts))
        done: list[str] = []
        pending: list[str] = []
        failed: list[str] = []
        for item in work:
            if now_texts.get(item.dream_id) is None or text_hash(now_texts[item.dream_id]) != item.digest:
                result.missing.append(item.dream_id)  # deleted, or edited: the edit queued its own job
                continue
            rec = records.get(item.dream_id)
            if rec is None:
                rec = AnalysisRecord(dream_id=item.dream_id, attempts=0, versions={})
                session.add(rec)
            rec.attempts = (rec.attempts or 0) + 1
            if item.error is None:
                _fill(rec, item, model)
                done.append(item.dream_id)
                result.analysed.append(item.dream_id)
                continue
            rec.error = item.error
            if rec.attempts >= MAX_ATTEMPTS:
                rec.status = AnalysisStatus.failed.value
                failed.append(item.dream_id)
                result.failed[item.dream_id] = item.error
                log.error("analysis of dream %s failed for good after %d attempts: %s",
                          item.dream_id, rec.attempts, item.error)
            else:
                rec.status = AnalysisStatus.pending.value
                pending.append(item.dream_id)
                result.retry[item.dream_id] = item.error
        session.flush()
        repo.set_dream_status(done, AnalysisStatus.done.value)
        repo.set_dream_status(pending, AnalysisStatus.pending.value)
        repo.set_dream_status(failed, AnalysisStatus.failed.value)
    return result


def request_analysis(session: Session, dream_ids: Sequence[str]) -> None:
    """A fresh request for these dreams (an edit, or ``mosaic analyze``): earlier failures are forgiven,
    so the job queue gets its full number of attempts again. Runs inside the caller's transaction."""
    if not dream_ids:
        return
    session.execute(
        update(AnalysisRecord)
        .where(AnalysisRecord.dream_id.in_(list(dream_ids)), AnalysisRecord.status != AnalysisStatus.done.value)
        .values(attempts=0, error=None, status=AnalysisStatus.pending.value)
    )
    failed = list(session.scalars(select(Dream.id).where(
        Dream.id.in_(list(dream_ids)), Dream.analysis_status == AnalysisStatus.failed.value)))
    AnalysisRepository(session).set_dream_status(failed, AnalysisStatus.pending.value)


def text_changed(session: Session, dream_ids: Sequence[str]) -> None:
    """Dreams were edited: if their text changed (the journal then marks them pending), start over."""
    changed = list(session.scalars(select(Dream.id).where(
        Dream.id.in_(list(dream_ids)), Dream.analysis_status == AnalysisStatus.pending.value)))
    if changed:
        session.execute(
            update(AnalysisRecord)
            .where(AnalysisRecord.dream_id.in_(changed))
            .values(attempts=0, error=None, status=AnalysisStatus.pending.value)
        )


# --- Reading results -------------------------------------------------------------------------------

PUBLIC_FIELDS = (
    "emotions", "valence", "characters", "dreamer_present", "interactions", "settings", "misfortunes",
    "good_fortunes", "successes", "failures", "motifs",
)


def current_analysis(dream: Dream, rec: AnalysisRecord | None) -> dict[str, Any] | None:
    """The stored analysis if it is of the dream's current text (spans point into that text)."""
    if rec is None or rec.analysis is None or rec.text_hash != text_hash(dream.text):
        return None
    return rec.analysis


def visible_analysis(analysis: dict[str, Any], *, is_dreamer: bool) -> dict[str, Any]:
    """What one reader may see: the dreamer everything; anyone else never the distress signals."""
    shown = {k: analysis[k] for k in PUBLIC_FIELDS if k in analysis}
    if is_dreamer:
        shown["distress"] = list(analysis.get("distress") or [])
    return shown


def distress_signals(session: Session, dream_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Distress signals of these dreams, for the circles feature to show to a circle's guides.

    The caller must already have checked that the reader guides a circle these dreams are shared into.
    """
    return AnalysisRepository(session).distress_of(dream_ids)


def highlight_segments(text: str, emotions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Split ``text`` into plain and emotion-carrying pieces, for ``<mark>`` in the dreamer's page.

    Overlapping spans merge; a span outside the text is ignored. Each piece is ``{"text", "codes"}``.
    """
    marks: list[tuple[int, int, str]] = []
    for emotion in emotions:
        for span in emotion.get("spans") or []:
            start, end = int(span[0]), int(span[1])
            if 0 <= start < end <= len(text):
                marks.append((start, end, str(emotion.get("code", ""))))
    marks.sort()
    merged: list[tuple[int, int, list[str]]] = []
    for start, end, code in marks:
        if merged and start < merged[-1][1]:
            s, e, codes = merged[-1]
            merged[-1] = (s, max(e, end), codes if code in codes else [*codes, code])
        else:
            merged.append((start, end, [code]))
    pieces: list[dict[str, Any]] = []
    at = 0
    for start, end, codes in merged:
        if start > at:
            pieces.append({"text": text[at:start], "codes": []})
        pieces.append({"text": text[start:end], "codes": codes})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "codes": []})
    return pieces


# --- Re-analysis of what is stored (``mosaic analyze --all | --since DATE``) ----------------------


@dataclass
class Totals:
    analysed: int = 0
    current: int = 0
    failed: int = 0
    gone: int = 0
    errors: dict[str, str] = field(default_factory=dict)


def reanalyse(db: Database, *, since: datetime | None = None, force: bool = False, batch: int = 200,
              on_progress: Callable[[int, int], None] | None = None) -> Totals:
    """Bring every stored dream's analysis (or those changed since ``since``) up to date, in this process.

    Only what changed is computed (see :func:`analyse_dreams`); ``force`` recomputes everything.
    Earlier failures are forgiven first, so each failed dream gets a fresh try.
    """
    totals = Totals()
    with db.transaction(write=False) as session:
        total = AnalysisRepository(session).count_dreams(since=since)
    done = 0
    if on_progress:
        on_progress(0, total)
    with db.transaction(write=False) as session:
        chunks = list(AnalysisRepository(session).dream_ids(since=since, chunk=batch))
    for ids in chunks:
        with db.transaction() as session:
            request_analysis(session, ids)
        result = analyse_dreams(db, ids, force=force)
        totals.analysed += len(result.analysed)
        totals.current += len(result.skipped)
        totals.gone += len(result.missing)
        totals.failed += len(result.retry) + len(result.failed)
        totals.errors.update({**result.retry, **result.failed})
        done += len(ids)
        if on_progress:
            on_progress(done, total)
    return totals


def _own_analyses(session: Session, viewer: Any, sample: int) -> tuple[int, list[DreamAnalysis]]:
    """How many dreams ``viewer`` owns, and the current analyses of them (a seeded sample of ``sample``)."""
    n_dreams, chosen = AnalysisRepository(session).own_dream_sample(viewer, sample)
    analyses: list[DreamAnalysis] = []
    for start in range(0, len(chosen), 500):
        rows = session.execute(
            select(Dream.text, AnalysisRecord.text_hash, AnalysisRecord.analysis)
            .join(AnalysisRecord, AnalysisRecord.dream_id == Dream.id)
            .where(Dream.id.in_(chosen[start : start + 500]), AnalysisRecord.analysis.is_not(None))
        )
        analyses += [DreamAnalysis.model_validate(a) for text, digest, a in rows if digest == text_hash(text)]
    return n_dreams, analyses


def own_indicators(session: Session, viewer: Any, sample: int = 3000) -> dict[str, Any]:
    """The HVdC indicators of ``viewer``'s own analysed dreams (a seeded sample of ``sample`` if more)."""
    from dream_mosaic.analysis.indicators import indicator_table

    n_dreams, analyses = _own_analyses(session, viewer, sample)
    return {"dreams": n_dreams, "analysed": len(analyses), "sampled": n_dreams > sample,
            "rows": indicator_table(analyses=analyses) if analyses else []}


def names_in_own_dreams(session: Session, viewer: Any, cast: Mapping[str, str], limit: int = 12,
                        sample: int = 3000) -> list[tuple[str, int]]:
    """The names the analysis found most often in ``viewer``'s own dreams (in how many dreams each), those
    not in ``cast`` yet and in two dreams at least: who the dreamer may want to say who they are."""
    from collections import Counter

    declared = {name.lower() for name in cast}
    counts: Counter[str] = Counter()
    for analysis in _own_analyses(session, viewer, sample)[1]:
        # one person named ("Frank"), not names listed together ("Hannah and Margo", one group)
        counts.update({c.text for c in analysis.characters
                       if c.identity == "K" and c.number == "1" and c.text[:1].isupper()
                       and c.text.lower() not in declared})
    return [(name, n) for name, n in counts.most_common(limit) if n >= 2]


def stated_in_own_dreams(session: Session, viewer: Any, cast: Mapping[str, str], limit: int = 12,
                         sample: int = 3000) -> list[StatedRelation]:
    """Who ``viewer``'s own dreams say people are ("our son Reynaldo"), for names not in ``cast`` yet:
    suggestions for their cast, each with the words that said it (``cast.stated_relations``)."""
    texts = AnalysisRepository(session).own_dream_texts(viewer, sample)
    return stated_relations(texts, declared=cast)[:limit]


def save_cast(session: Session, dreamer: Any, people: dict[str, str]) -> list[str]:
    """Store a dreamer's declared cast (``analysis.cast.build_cast``: name -> relation). Returns their
    dreams to analyse again, already marked pending (none when the codes are unchanged): after a crash
    between the commit and the queue, ``tasks.requeue_pending`` finds them."""
    repo = AnalysisRepository(session)
    before = repo.cast_of(dreamer.id)
    if before == people:
        return []
    repo.save_cast(dreamer.id, people)
    if cast_codes(before) == cast_codes(people):
        return []  # other words, the same codes ("aunt" for "grandmother"): nothing to analyse again
    dream_ids = repo.own_dream_ids(dreamer)
    repo.set_dream_status(dream_ids, AnalysisStatus.pending.value)
    return dream_ids
