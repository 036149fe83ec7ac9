"""The archive's services: search (keyword, phrase, boolean, wildcard, regex and semantic), facets, and
statistics (frequency over time and series, comparison of two selections, the HVdC profile).

Other features call :func:`search` with the archive's query language (``archive.query``)::

    page = search(session, viewer, 'teeth* series:norms-f', limit=50)
    page.total, page.selection_total, page.share, [hit.id for hit in page.results]

Every count goes through ``ArchiveRepository.scope``, which starts from the consent gate. Counts are
cached per viewer (and the circles they belong to) for the current *generation* of the archive, which
moves on with every dream created, edited, re-consented or withdrawn, so a cached number never includes
a dream that is no longer readable.
"""

from __future__ import annotations

import bisect
import logging
import os
import random
import re
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from dream_mosaic.archive import rules, textindex
from dream_mosaic.archive.query import EMOTIONS, FIELDS, And, Node, Query, QueryError, parse
from dream_mosaic.archive.repository import ArchiveRepository, has_regex, prewarm_postgres
from dream_mosaic.archive.schemas import (
    CompareSide,
    Comparison,
    FacetValue,
    Frequency,
    FrequencyRow,
    Profile,
    ProfileRow,
    SearchHit,
    SearchPage,
)
from dream_mosaic.archive.vectors import EmbeddingsUnavailable, VectorIndex, embed_texts
from dream_mosaic.core import consent, residency
from dream_mosaic.core.errors import Invalid, NotFound, Unavailable
from dream_mosaic.core.models import Dream, User
from dream_mosaic.journal.schemas import Author

MAX_LIMIT = 10_000
SEMANTIC_MAX = 200
log = logging.getLogger(__name__)
T = TypeVar("T")


def parse_or_invalid(text: str) -> Query:
    try:
        return parse(text)
    except QueryError as exc:
        raise Invalid(str(exc), field="q") from exc


# --- a small cache of counts, keyed by who asks and the archive's generation --------------------------------


class CountCache:
    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self.data: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self.lock = threading.Lock()
        self.enabled = True

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        if not self.enabled:
            return compute()
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]  # type: ignore[no-any-return]
        value = compute()
        with self.lock:
            self.data[key] = value
            while len(self.data) > self.size:
                self.data.popitem(last=False)
        return value


cache = CountCache()
# MOSAIC_ARCHIVE_COUNT_CACHE=0 turns the cache off (benchmarks measure both ways).
cache.enabled = os.environ.get("MOSAIC_ARCHIVE_COUNT_CACHE", "1") != "0"


def _viewer_key(session: Session, viewer: User | None) -> tuple[Any, ...]:
    """Who is asking, as far as the consent gate cares: the person and the circles they are in now."""
    state = textindex.search_state(session, viewer)
    current, circles = state.generation, state.circles
    return (str(session.get_bind().engine.url), current, viewer.id if viewer else None, circles)


def count(session: Session, viewer: User | None, node: Node | None, *, key: tuple[Any, ...] | None = None) -> int:
    key = key or _viewer_key(session, viewer)
    return cache.get((*key, "count", str(node)), lambda: _count(session, viewer, node))


def _count(session: Session, viewer: User | None, node: Node | None) -> int:
    """Through the on-disk text index when it can say the query (``archive.textindex``), else SQL."""
    fast = textindex.count(session, viewer, node)
    return fast if fast is not None else ArchiveRepository(session).count(viewer, node)


# --- search ----------------------------------------------------------------------------------------------


def _hit(dream: Dream, viewer: User | None, doc_id: int, words: int, query: Query,
         score: float | None = None, series: str | None = None) -> SearchHit:
    body = dream.text
    spans = rules.highlight_spans(body, query.highlight_terms())
    return SearchHit(
        id=dream.id,
        title=dream.title or "",
        text=body,
        highlights=spans,
        excerpt=rules.excerpt(body, spans),
        series=series if series is not None else (dream.collection.slug if dream.collection else None),
        dreamt_on=dream.dreamt_on,
        year=dream.dreamt_on.year if dream.dreamt_on else None,
        words=words,
        dreamer_sex=dream.dreamer_sex,
        lucid=dream.lucid,
        nightmare=dream.nightmare,
        recurring=dream.recurring,
        author=Author(**consent.author_label(dream, viewer)),  # type: ignore[arg-type]
        score=score,
        cursor=doc_id,
    )


def search(
    session: Session,
    viewer: User | None,
    query_text: str,
    *,
    semantic: bool = False,
    like: str | None = None,
    limit: int = 20,
    after: int | None = None,
    before: int | None = None,
    facets: bool = False,
) -> SearchPage:
    """Search the dreams ``viewer`` may read. Keyword search pages by keyset (``after``/``before``, the
    ``cursor`` of a result); semantic search (``semantic`` or ``like`` a dream id) returns the best
    ``limit`` by similarity among the query's filters."""
    started = time.perf_counter()
    query = parse_or_invalid(query_text)
    limit = max(1, min(int(limit), MAX_LIMIT))
    with textindex.memo(session):
        if semantic or like:
            page = _semantic(session, viewer, query, like, min(limit, SEMANTIC_MAX))
        else:
            page = _keyword(session, viewer, query, limit, after, before, facets)
    page.took_ms = round((time.perf_counter() - started) * 1000, 2)
    return page


def _keyword(session: Session, viewer: User | None, query: Query, limit: int, after: int | None,
             before: int | None, want_facets: bool) -> SearchPage:
    repo = ArchiveRepository(session)
    key = _viewer_key(session, viewer)
    if has_regex(query.root):
        # One scan gives both the count and the page: a regex reads every candidate text.
        matched = cache.get((*key, "ids", query.canonical()), lambda: repo.match_doc_ids(viewer, query.root))
        total = len(matched)
        rows = repo.page_of(viewer, _keyset_slice(matched, limit + 1, after, before))
    else:
        total = count(session, viewer, query.root, key=key)
        rows = repo.page(viewer, query.root, limit=limit + 1, after=after, before=before) if total else []
    selection_total = count(session, viewer, query.selection, key=key) if query.has_text else total
    more = len(rows) > limit  # one row past the page says whether another page follows (or precedes)
    rows = rows[-limit:] if before is not None else rows[:limit]
    results = [_hit(d, viewer, doc_id, words, query, series=slug) for d, doc_id, words, slug in rows]
    next_after = results[-1].cursor if results and (more or before is not None) else None
    prev_before = results[0].cursor if results and (after is not None or (before is not None and more)) else None
    page = SearchPage(
        query=query.canonical(), total=total, selection_total=selection_total,
        share=rules.share(total, selection_total), results=results,
        next_after=next_after, prev_before=prev_before,
    )
    if want_facets and total:
        page.facets = cache.get((*key, "facets", query.canonical()), lambda: facets(session, viewer, query))
    return page


def _keyset_slice(ordered: list[int], n: int, after: int | None, before: int | None) -> list[int]:
    if before is not None:
        end = bisect.bisect_left(ordered, before)
        return ordered[max(0, end - n):end]
    start = bisect.bisect_right(ordered, after) if after is not None else 0
    return ordered[start:start + n]


_FIELD_TOKEN = re.compile(r'\b[A-Za-z_]+:(?:"[^"]*"|[^\s()"]*)|\b(?:AND|OR|NOT)\b|[()]')


def description_of(query: Query) -> str:
    """The words of a query without its filters and operators: what a semantic search embeds."""
    return re.sub(r"\s+", " ", _FIELD_TOKEN.sub(" ", query.text)).strip(" -/")


def _semantic(session: Session, viewer: User | None, query: Query, like: str | None, limit: int) -> SearchPage:
    repo = ArchiveRepository(session)
    index = VectorIndex.for_session(session)
    notes: list[str] = []
    try:
        index.sync(session)
    except Exception as exc:  # pragma: no cover - a database error is reported like any other
        raise Unavailable("The semantic index could not be read.") from exc
    if like:
        source = repo.readable_dreams(viewer, [like]).get(like)
        if source is None:
            raise NotFound("No dream with that id, or it is not yours to see.")
        vector = index.vector_of(like)
        if vector is None:
            try:
                vector = embed_texts([source.text])[0]
            except EmbeddingsUnavailable as exc:
                raise Unavailable(f"Semantic search is not available here: {exc}") from exc
    else:
        description = description_of(query)
        if not description:
            raise Invalid("Describe the dreams to look for in words (or give a dream to find others like it).",
                          field="q")
        try:
            vector = embed_texts([description])[0]
        except EmbeddingsUnavailable as exc:
            raise Unavailable(f"Semantic search is not available here: {exc}") from exc
    if len(index) == 0:
        notes.append("No dream has an embedding yet: the analysis engine adds them as it analyses dreams.")
    selection = query.selection
    key = _viewer_key(session, viewer)
    selection_total = count(session, viewer, selection, key=key)
    exclude = {like} if like else set()
    found: dict[str, tuple[Dream, int, int]] = {}
    ranked: list[tuple[str, float]] = []
    if selection is not None and selection_total <= 200_000:
        among = [i for i in repo.ids(viewer, selection) if i not in exclude]
        ranked = index.top(vector, limit, among=among)
        found = repo.dreams_by_ids(viewer, selection, [i for i, _ in ranked])
    else:
        want = limit + max(10, limit // 2)  # most neighbours are usually readable; widen if not
        while True:
            ranked = [(i, s) for i, s in index.top(vector, want + len(exclude)) if i not in exclude]
            found = repo.dreams_by_ids(viewer, selection, [i for i, _ in ranked])
            if len(found) >= limit or want >= len(index):
                break
            want *= 4
    results: list[SearchHit] = []
    for dream_id, score in ranked:
        if dream_id in found and len(results) < limit:
            dream, doc_id, words = found[dream_id]
            results.append(_hit(dream, viewer, doc_id, words, query, score=round(score, 4)))
    notes.append("Semantic results are ranked by similarity; total counts the results shown, not a share.")
    return SearchPage(query=query.canonical(), semantic=True, total=len(results), selection_total=selection_total,
                      share=None, results=results, notes=notes)


# --- facets ----------------------------------------------------------------------------------------------

EMOTION_NAMES = {code: name for name, code in EMOTIONS.items() if len(name) > 2 and name in
                 ("anger", "apprehension", "sadness", "confusion", "happiness")}


def facets(session: Session, viewer: User | None, query: Query) -> dict[str, list[FacetValue]]:
    """Facet counts over the matching dreams (one grouped query, then summed here)."""
    repo = ArchiveRepository(session)
    counters: dict[str, Counter[str]] = {k: Counter() for k in
                                         ("series", "sex", "decade", "flag", "lang", "words", "emotion",
                                          "interaction")}
    for row in repo.facet_rows(viewer, query.root):
        (slug, sex, decade, lucid, nightmare, recurring, lang, bucket, an, ap, sd, co, ha, aggr, friend, sexual,
         status, n) = row
        counters["series"][slug or ""] += n
        counters["sex"][sex or ""] += n
        counters["decade"][str(decade) if decade is not None else ""] += n
        for flag, on in (("lucid", lucid), ("nightmare", nightmare), ("recurring", recurring)):
            if on:
                counters["flag"][flag] += n
        counters["lang"][lang or ""] += n
        counters["words"][bucket] += n
        if status == "done":
            for code, on in (("AN", an), ("AP", ap), ("SD", sd), ("CO", co), ("HA", ha)):
                if on:
                    counters["emotion"][code] += n
            for kind, on in (("aggression", aggr), ("friendliness", friend), ("sexuality", sexual)):
                if on:
                    counters["interaction"][kind] += n
    names = repo.series_names(counters["series"])
    out: dict[str, list[FacetValue]] = {}
    word_filters = {"under 50": "words:<50", "50-149": "words:50-149", "150-299": "words:150-299",
                    "300 or more": "words:>299"}
    for facet, counter in counters.items():
        values: list[FacetValue] = []
        for value, n in counter.most_common(40 if facet == "series" else 20):
            if not value:
                continue
            if facet == "series":
                label, filt = names.get(value, value), f"series:{value}"
            elif facet == "sex":
                label, filt = {"F": "female", "M": "male"}.get(value, value), f"sex:{value}"
            elif facet == "decade":
                label, filt = f"{value}s", f"decade:{value}s"
            elif facet == "words":
                label, filt = f"{value} words", word_filters[value]
            elif facet == "emotion":
                label, filt = f"{EMOTION_NAMES.get(value, value)} ({value})", f"emotion:{value}"
            else:
                label, filt = value, f"{facet}:{value}"
            values.append(FacetValue(value=value, label=label, count=n, filter=filt))
        if facet == "decade":
            values.sort(key=lambda v: v.value)
        if values:
            out[facet] = values
    return out


# --- statistics --------------------------------------------------------------------------------------------


def frequency(session: Session, viewer: User | None, query_text: str, by: str = "decade") -> Frequency:
    """How often the query matches in each decade, year, series or sex, as a share of that group's
    selection (the query's filters only)."""
    if by not in ("decade", "year", "series", "sex"):
        raise Invalid("Group by decade, year, series or sex.", field="by")
    query = parse_or_invalid(query_text)
    repo = ArchiveRepository(session)
    key = _viewer_key(session, viewer)
    matches = cache.get((*key, "by", by, str(query.root)), lambda: repo.grouped_counts(viewer, query.root, by))
    selection = cache.get((*key, "by", by, str(query.selection)),
                          lambda: repo.grouped_counts(viewer, query.selection, by))
    names = repo.series_names([str(k) for k in selection if k]) if by == "series" else {}
    rows: list[FrequencyRow] = []
    for group, n_sel in selection.items():
        n = matches.get(group, 0)
        if group is None:
            label = "unknown"
        elif by == "decade":
            label = f"{group}s"
        elif by == "sex":
            label = {"F": "female", "M": "male"}.get(str(group), str(group))
        else:
            label = names.get(str(group), str(group))
        rows.append(FrequencyRow(key="" if group is None else str(group), label=label, matches=n,
                                 selection=n_sel, share=rules.share(n, n_sel)))
    rows.sort(key=lambda r: (r.key == "", r.key if by != "series" else r.label.lower()))
    total, selection_total = sum(matches.values()), sum(selection.values())
    notes = []
    unknown = next((r for r in rows if r.key == ""), None)
    if unknown and by in ("decade", "year"):
        notes.append(f"{unknown.selection} dreams of the selection have no known {by}; they are listed as unknown.")
    return Frequency(query=query.canonical(), by=by, total=total, selection_total=selection_total,  # type: ignore[arg-type]
                     share=rules.share(total, selection_total), rows=rows, notes=notes)


def compare(session: Session, viewer: User | None, query_text: str, a: str, b: str) -> Comparison:
    """The share of dreams matching ``query_text`` in selection ``a`` against selection ``b`` (each a
    query of filters, such as ``sex:F`` and ``sex:M``): Cohen's h and a two-proportion z test."""
    query = parse_or_invalid(query_text)
    key = _viewer_key(session, viewer)
    sides: list[CompareSide] = []
    counts: list[tuple[int, int]] = []
    for text in (a, b):
        side = parse_or_invalid(text)
        if side.root is None:
            raise Invalid("Each side of a comparison needs a selection, such as sex:F.", field="a")
        matched = _and(query.root, side.root)
        selected = _and(query.selection, side.root)
        k, n = count(session, viewer, matched, key=key), count(session, viewer, selected, key=key)
        counts.append((k, n))
        sides.append(CompareSide(selection=side.canonical(), matches=k, selection_total=n, share=rules.share(k, n)))
    test = rules.two_proportion_test(counts[0][0], counts[0][1], counts[1][0], counts[1][1])
    p = test["p_value"]
    return Comparison(query=query.canonical(), a=sides[0], b=sides[1], cohens_h=test["h"],
                      effect=rules.effect_size_words(test["h"]), z=test["z"], p_value=p,
                      significant=None if p is None else p < 0.05)


def _and(left: Node | None, right: Node | None) -> Node | None:
    parts = [p for p in (left, right) if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def profile(session: Session, viewer: User | None, query_text: str, sample: int = 3000) -> Profile:
    """The HVdC content indicators of the selection beside the published norms, from the analysis engine's
    stored analyses (a seeded random sample of ``sample`` dreams when the selection is larger)."""
    from dream_mosaic.analysis.indicators import indicator_table
    from dream_mosaic.analysis.schemas import DreamAnalysis
    from dream_mosaic.analysis.service import current_analysis

    query = parse_or_invalid(query_text)
    repo = ArchiveRepository(session)
    ids = repo.ids(viewer, query.root)
    sampled = len(ids) > sample
    chosen = random.Random(0).sample(ids, sample) if sampled else ids
    dreams = repo.readable_dreams(viewer, chosen)
    records = repo.analyses(chosen)
    analyses = []
    for dream_id in chosen:
        dream = dreams.get(dream_id)
        found = current_analysis(dream, records.get(dream_id)) if dream is not None else None
        if found is not None:
            analyses.append(DreamAnalysis.model_validate(found))
    notes = []
    if sampled:
        notes.append(f"Computed on a random sample of {sample} of the {len(ids)} dreams.")
    if len(analyses) < len(chosen):
        notes.append(f"{len(chosen) - len(analyses)} dreams are not analysed yet and are left out.")
    rows = [ProfileRow(**r) for r in indicator_table(analyses=analyses)] if analyses else []  # type: ignore[arg-type]
    return Profile(query=query.canonical(), dreams=len(ids), analysed=len(analyses), sampled=sampled, rows=rows,
                   notes=notes)


# Below this, ``auto`` holds nothing: a small archive's pages come back from disk in a few milliseconds,
# and a keeper process per server start is not worth it (the test suite starts hundreds of servers).
HOLD_AUTO_MIN_BYTES = 64 << 20


@dataclass
class Warmth:
    """What :func:`warm_up` keeps going while the server runs."""

    keeper: residency.Keeper | None = None
    held: residency.SyncReport | None = None  # what is locked in memory, as of the keeper's last report

    def close(self, timeout: float = 5.0) -> None:
        """Stop holding and give the memory back."""
        if self.keeper is not None:
            self.keeper.close(timeout)


def warm_up(engine: Engine) -> Warmth:
    """At server start, in the background, keep what a search reads in memory, so that searches wait on
    the disk neither after a restart nor after a quiet spell (on the benchmark machine the kernel dropped
    page-cache pages idle for about 30 s, and a 10 ms search became a 20-30 ms one):

    - the text index's files, and on SQLite the database file, locked in memory by a keeper process
      (:class:`core.residency.Keeper`, following segments and growth). ``MOSAIC_ARCHIVE_MEMORY_LOCK``:
      ``auto`` (the default) holds them from :data:`HOLD_AUTO_MIN_BYTES` up to a quarter of the machine's
      memory, ``on`` always, ``off`` never;
    - on PostgreSQL, the tables and B-tree indexes a result page reads, loaded into shared buffers
      (:func:`repository.prewarm_postgres`).

    The server closes it at shutdown, which gives the memory back."""
    warmth = Warmth()
    mode = residency.mode_from_environment("MOSAIC_ARCHIVE_MEMORY_LOCK")
    index = textindex.index_for_engine(engine)
    folders = [index.path] if index is not None else []
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    files = [Path(database)] if database and database != ":memory:" else []

    def seen(report: residency.SyncReport) -> None:
        warmth.held = report

    if mode == "on" or (mode == "auto" and residency.size_of(folders, files) >= HOLD_AUTO_MIN_BYTES):
        warmth.keeper = residency.Keeper(folders, files, mode=mode, what="the archive's text index and database",
                                         seen=seen).start()
    if engine.dialect.name == "postgresql":
        threading.Thread(target=_prewarm_postgres, args=(engine,), name="archive-pg-prewarm", daemon=True).start()
    return warmth


def _prewarm_postgres(engine: Engine) -> None:
    try:
        with Session(engine) as session:
            done = prewarm_postgres(session)
    except Exception:  # a warm-up must never stop a server; it only makes it faster
        log.exception("prewarming PostgreSQL's shared buffers failed")
        return
    if done["prewarmed"]:
        log.info("archive: %d MB loaded into PostgreSQL's shared buffers", done["bytes"] >> 20)
    else:
        log.warning("archive: PostgreSQL's shared buffers not prewarmed: %s", done["reason"])


def field_help() -> list[tuple[str, str, str]]:
    return [(name, what, example) for name, (what, example) in FIELDS.items()]


__all__ = ["cache", "compare", "count", "description_of", "facets", "field_help", "frequency", "parse_or_invalid",
           "profile", "search"]
